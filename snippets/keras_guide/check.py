"""Check your model: what ``fit()`` does to each of its layers, in a report.

``what_fit_will_do(model, x, y)`` runs one step of ``fit()`` on one batch and
puts the model back (``keras_guide.footprint``); ``FirstStepReport`` is a
callback that reports on the first batch of a real ``fit()``. Both print the
footprint with the findings it supports, and say so where one step cannot tell.
"""

from __future__ import annotations

import html
import json
import re
from contextlib import ExitStack

import keras

from keras_guide.footprint import (
    Footprint,
    NotCompiled,
    changed_since,
    flags_at_compile,
    footprint,
    layer_paths,
    recorded_training,
    snapshot,
    table,
)

SAYS = {  # how the report words each finding
    "not compiled": "The model is not compiled: compile it first. Nothing ran.",
    "raises": "fit() raises {}",
    "trains nothing": "fit() changed no weight in this step.",
    "did not move": (
        "Listed as trainable, yet unchanged in this step: {}. One step cannot tell "
        "why: a zero gradient, or an optimizer that skips or accumulates steps."
    ),
    "changed since compile": (
        "`trainable` changed since the step was made, on {}: compile again so "
        "that fit() applies it."
    ),
    "trained though not listed": (
        "fit() trains {}, which model.trainable_weights does not list."
    ),
    "trained under a frozen parent": "fit() trains {} although a parent is frozen.",
    "training=False from an earlier call": (
        "Receive training=False in fit() because an earlier call in the model "
        "passed it: {}."
    ),
    "keras warns": "Keras warns: {}",
    "no trace": (
        "fit() reused a step traced before the callback: the training column is "
        "unknown."
    ),
}


class FitReport:
    """A one-line verdict, the findings, and the footprint of the step."""

    def __init__(self, verdict: str, findings: dict, step: Footprint | None):
        self.verdict, self.findings, self.footprint = verdict, findings, step

    def said(self) -> list[str]:
        return [SAYS[key].format(value) for key, value in self.findings.items()]

    def __repr__(self):  # in a terminal
        said = "".join(f"\n- {line}" for line in self.said())
        shown = f"\n\n{self.footprint!r}" if self.footprint is not None else ""
        return f"{self.verdict}{said}{shown}"

    def _repr_html_(self):  # in a notebook
        said = "".join(f"<li>{html.escape(line)}</li>" for line in self.said())
        shown = self.footprint._repr_html_() if self.footprint is not None else ""
        return f"<p>{html.escape(self.verdict)}</p><ul>{said}</ul>{shown}"


def _passed_false(model) -> set[str]:
    """The layer paths that a Functional or Sequential model's graph calls with
    ``training=False`` where their inputs were not: read from its config (a
    subclassed model has none). Keras 3 also writes ``training=False`` into the
    nodes of the layers after such a call; those are not counted."""
    found = set()

    def walk(parent, prefix):
        try:
            configs = parent.get_config()["layers"]
        except Exception:
            configs = []
        nodes = {
            c.get("name") or c["config"]["name"]: json.dumps(c.get("inbound_nodes"))
            for c in configs
        }
        passed = {name: '"training": false' in text for name, text in nodes.items()}
        for name, text in nodes.items():
            sources = re.findall(r'"keras_history": \["([^"]+)"', text)
            if passed[name] and not any(passed.get(s) for s in sources):
                found.add(f"{prefix}{name}")
        for path, layer in layer_paths(parent).items():
            if "/" not in path:
                walk(layer, f"{prefix}{path}/")

    walk(model, "")
    return found


def findings(model, step: Footprint, stale: list[str]) -> dict:
    """What the footprint of one ``fit()`` step shows, and nothing it does not."""
    rows, layers = step.layers, layer_paths(model)
    weighted = rows[rows.trained.notna()]
    trained = list(weighted.index[weighted.trained.eq(True)])
    passed = _passed_false(model)
    inherited = [
        path
        for path in rows.index[rows.training.eq("False")]
        if path not in passed and not any(path.startswith(f"{p}/") for p in passed)
    ]
    parents = {path: [p for p in layers if path.startswith(f"{p}/")] for path in layers}
    found = {
        "raises": step.error,
        "trains nothing": not (step.error or trained),
        "did not move": list(
            weighted.index[weighted.listed.eq(True) & weighted.trained.eq(False)]
        ),
        "changed since compile": stale,
        "trained though not listed": list(
            weighted.index[weighted.trained.eq(True) & weighted.listed.eq(False)]
        ),
        "trained under a frozen parent": [
            n for n in trained if any(not layers[p].trainable for p in parents[n])
        ],
        "training=False from an earlier call": bool(passed) and inherited,
        "keras warns": step.warnings,
    }
    return {key: value for key, value in found.items() if value}


def _verdict(model, step: Footprint, found: dict) -> str:
    rows = step.layers
    where = f"Keras {keras.__version__}, {keras.backend.backend()}"
    if step.error:
        return f"{len(found)} findings: fit() raises an error ({where})."
    weighted, moving = rows.trained.count(), rows["statistics moved"].count()
    return (
        f"{len(found)} findings: fit() trains {int(rows.trained.sum())} of {weighted} "
        f"layers with weights and moves the statistics of "
        f"{int(rows['statistics moved'].sum())} of {moving} ({where})."
    )


def _stale(model) -> list[str]:
    record = flags_at_compile(model) or {}
    return [
        path
        for path, layer in layer_paths(model).items()
        if layer.weights and record.get(layer, layer.trainable) != layer.trainable
    ]


def what_fit_will_do(model, x, y=None) -> FitReport:
    """Run one step of ``fit()`` on one batch of ``(x, y)`` (arrays, dicts or
    lists of arrays, a ``tf.data.Dataset``, a ``PyDataset``), report what it did
    to each layer, and put the model and its optimizer back as they were."""
    stale = _stale(model)
    try:
        step = footprint(model, x, y, step="fit")
    except NotCompiled:
        return FitReport(SAYS["not compiled"], {}, None)
    found = findings(model, step, stale)
    return FitReport(_verdict(model, step, found), found, step)


class FirstStepReport(keras.callbacks.Callback):
    """Reports what the first batch of a real ``fit()`` did to each layer; keeps
    it as ``self.report``. It changes nothing."""

    def __init__(self, show=print):
        super().__init__()
        self.show, self.report = show, None

    def on_train_begin(self, logs=None):
        self._layers = layer_paths(self.model)
        self._stale = _stale(self.model)
        self._recording = ExitStack()
        self._received = self._recording.enter_context(recorded_training(self._layers))
        self._saved = None

    def on_train_batch_begin(self, batch, logs=None):
        if self._saved is None:
            self._saved = snapshot(self.model)

    def on_train_batch_end(self, batch, logs=None):
        if self.report is not None or self._saved is None:
            return
        self._recording.close()
        changed = changed_since(self._saved)
        listed = {id(w) for w in self.model.trainable_weights}
        rows = table(self._layers, self._received, changed, listed, ran=True)
        step = Footprint("fit", rows)
        found = findings(self.model, step, self._stale)
        if not any(self._received.values()):
            found["no trace"] = True
        self.report = FitReport(_verdict(self.model, step, found), found, step)
        self.show(self.report)

    def on_train_end(self, logs=None):
        self._recording.close()

"""The footprint of a step: what one step of ``fit()``, ``evaluate()`` or
``predict()`` does to every layer of a model.

``footprint(model, x, y)`` runs one real step on one batch and returns, for
every layer at every depth: its class, its ``trainable`` flag, the ``training``
value its last call received, whether its weights are listed in
``model.trainable_weights``, whether they changed (trained), and whether its
statistics (the weights it creates non-trainable, such as the moving mean and
variance of ``BatchNormalization``) changed. The model, its optimizer, its
metrics, its traced step and its history are put back afterwards, also when the
step raises. The site's proofs and the reader's check (``keras_guide.check``)
both read it.

Keras has no public way to list a layer's direct sublayers in every release, or
to tell the weights a layer creates trainable from those it creates
non-trainable once the layer is frozen. This module reads private attributes
for that, here and nowhere else (``_sublayers``, ``_created``, ``is_compiled``
and ``flags_at_compile``); the claim matrix runs it on every Keras the site
checks.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

STEPS = {
    "fit": "train_function",
    "evaluate": "test_function",
    "predict": "predict_function",
}
NOT_PASSED = "-"  # a call that received no `training` argument


class NotCompiled(ValueError):
    """``fit()`` and ``evaluate()`` need a compiled model."""


def _sublayers(layer) -> list:
    """The layers ``layer`` holds directly (private: ``_flatten_layers``)."""
    return list(layer._flatten_layers(include_self=False, recursive=False))


def _created(layer) -> tuple[list, list]:
    """The weights ``layer`` itself created trainable, and those it created
    non-trainable (private: Keras 3's ``_trainable_variables`` and
    ``_non_trainable_variables``, Keras 2's ``_trainable_weights`` and
    ``_non_trainable_weights``). Freezing a layer moves every weight to
    ``non_trainable_weights``; these lists keep what the layer made."""
    if hasattr(layer, "_trainable_variables"):
        own = layer._trainable_variables, layer._non_trainable_variables
    else:
        own = layer._trainable_weights, layer._non_trainable_weights
    return list(own[0]), list(own[1])


def layer_paths(model) -> dict[str, object]:
    """Every layer inside ``model``, at every depth, by its path of names."""
    paths = {}

    def walk(parent, prefix):
        for layer in _sublayers(parent):
            if type(layer).__name__ == "InputLayer":
                continue
            path = f"{prefix}/{layer.name}" if prefix else layer.name
            paths[path] = layer
            walk(layer, path)

    walk(model, "")
    return paths


@contextmanager
def recorded_training(layers: dict[str, object]) -> Iterator[dict[str, list]]:
    """While open, each layer's calls record the ``training`` value they receive
    (``NOT_PASSED`` when none), by path and in call order."""
    received: dict[str, list] = {path: [] for path in layers}
    own_calls = {path: vars(layer).get("call") for path, layer in layers.items()}

    def recording(path, call):
        def call_and_record(*args, **kwargs):
            received[path].append(kwargs.get("training", NOT_PASSED))
            return call(*args, **kwargs)

        return call_and_record

    for path, layer in layers.items():
        layer.call = recording(path, layer.call)
    try:
        yield received
    finally:
        for path, layer in layers.items():
            del layer.call
            if own_calls[path] is not None:
                layer.call = own_calls[path]


def snapshot(model) -> dict[int, tuple]:
    """The value of every variable of ``model``, its optimizer and its metrics."""
    optimizer = getattr(model, "optimizer", None)
    variables = [*model.variables, *getattr(optimizer, "variables", [])]
    variables += [
        v for metric in getattr(model, "metrics", []) for v in metric.variables
    ]
    return {id(v): (v, np.array(v.numpy(), copy=True)) for v in variables}


def changed_since(saved: dict[int, tuple], restore: bool = False) -> set[int]:
    """The ids of the variables whose value differs from ``saved``; with
    ``restore``, those are assigned their saved value again."""
    changed = set()
    for key, (v, value) in saved.items():
        try:
            same = np.array_equal(v.numpy(), value)
        except Exception:  # a step that failed on JAX can leave a variable empty
            same = False
        if not same:
            changed.add(key)
            if restore:
                v.assign(value)
    return changed


@contextmanager
def put_back(model) -> Iterator[set[int]]:
    """Save every variable of ``model``, its optimizer and its metrics, and its
    traced steps and history; on leaving, record the ids of the variables that
    changed in the set it yields, and put everything back. Variables that the
    step creates (a Keras 2 optimizer's, on its first step) go back to their
    first values. An optimizer not built yet is built first, as ``fit()`` would."""
    optimizer = getattr(model, "optimizer", None)
    if getattr(optimizer, "built", True) is False:
        optimizer.build(model.trainable_variables)  # what Keras 3's fit() does first
    saved = snapshot(model)
    kept = {name: getattr(model, name, None) for name in [*STEPS.values(), "history"]}
    build = getattr(optimizer, "build", None)
    if build is not None:

        def build_and_save(*args, **kwargs):
            build(*args, **kwargs)
            for v in optimizer.variables:
                saved.setdefault(id(v), (v, np.array(v.numpy(), copy=True)))

        optimizer.build = build_and_save
    changed: set[int] = set()
    try:
        yield changed
    finally:
        if build is not None:
            del optimizer.build
        for name, value in kept.items():
            setattr(model, name, value)
        changed |= changed_since(saved, restore=True)


def _leaves(data) -> list:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, (list, tuple)):
        return [leaf for value in data for leaf in _leaves(value)]
    return [data]


def one_batch(x, y=None) -> tuple:
    """``(x, y, sample_weight)`` of one batch of what ``fit()`` takes: arrays,
    or dicts and lists of them (all of it), a ``tf.data.Dataset`` or a Keras
    ``PyDataset`` (their first batch)."""
    if hasattr(x, "element_spec"):  # a tf.data.Dataset
        batch = next(iter(x))
    elif hasattr(x, "__getitem__") and hasattr(x, "num_batches"):  # a PyDataset
        batch = x[0]
    else:
        return x, y, None
    batch = tuple(batch) if isinstance(batch, (tuple, list)) else (batch,)
    return (*batch, None, None)[:3]


def batch_size(x) -> int:
    """The number of samples in ``x``: the first dimension of its first array."""
    return int(np.shape(_leaves(x)[0])[0])


def is_compiled(model) -> bool:
    """Whether ``compile()`` ran: Keras 3's ``compiled``, Keras 2's (private)
    ``_is_compiled``."""
    return bool(getattr(model, "compiled", getattr(model, "_is_compiled", False)))


def flags_at_compile(model) -> dict | None:
    """The ``trainable`` flag of each layer when the step was last made, as Keras 2
    and Keras 3.15 and later record it; None where Keras keeps no record."""
    return getattr(model, "_compiled_trainable_state", None)


@dataclass
class Footprint:
    """What one step did: one row per layer, and what the step raised."""

    step: str
    layers: pd.DataFrame
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> dict[str, tuple]:
        """What a claim compares, by layer path: ``(training, trained,
        statistics moved)``, with ``training`` only for the layers whose forward
        pass it switches and nothing else shows (``Dropout`` and its kind: a
        ``BatchNormalization`` moves its statistics exactly in training mode),
        and None where a value does not apply."""
        shown = self.layers.astype(object).where(self.layers.notna(), None)
        return {
            path: (
                row["training"] if "Dropout" in row["layer"] else None,
                row["trained"],
                row["statistics moved"],
            )
            for path, row in shown.iterrows()
        }

    def __repr__(self):
        error = f"{self.step}() raised {self.error}\n" if self.error else ""
        return error + self.layers.astype(object).fillna("").to_string()

    def _repr_html_(self):
        return self.layers.astype(object).fillna("").to_html()


def _received(values: list) -> str:
    """The `training` value of a layer's last call: the step's. Before it, some
    backends call layers once more to build the step (JAX and PyTorch, with
    `training=False`)."""
    return str(values[-1]) if values else NOT_PASSED


def _run(model, step: str, x, y, sample_weight) -> None:
    n = batch_size(x)
    if step == "fit":
        model.fit(
            x,
            y,
            sample_weight=sample_weight,
            batch_size=n,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
    elif step == "evaluate":
        model.evaluate(x, y, sample_weight=sample_weight, batch_size=n, verbose=0)
    else:
        model.predict(x, batch_size=n, verbose=0)


def table(layers: dict, received: dict, changed: set, listed: set, ran: bool):
    """The footprint's rows: one per layer path, from what a step recorded."""
    rows = {}
    for path, layer in layers.items():
        weights, statistics = (set(map(id, ws)) for ws in _created(layer))
        rows[path] = {
            "layer": type(layer).__name__,
            "trainable": layer.trainable,
            "training": _received(received[path]),
            "listed": bool(weights & listed) if weights else None,
            "trained": bool(weights & changed) if weights and ran else None,
            "statistics moved": bool(statistics & changed)
            if statistics and ran
            else None,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "layer path"
    return frame


def footprint(model, x, y=None, step: str = "fit") -> Footprint:
    """Run one step of ``step`` (``"fit"``, ``"evaluate"`` or ``"predict"``) on one
    batch of ``x`` (and ``y``), and return its footprint; ``model`` is left as
    it was. A model that ``fit()`` or ``evaluate()`` needs compiled and that is
    not raises ``NotCompiled`` before anything runs."""
    if step != "predict" and not is_compiled(model):
        raise NotCompiled(f"compile the model before {step}(): nothing was run")
    x, y, sample_weight = one_batch(x, y)
    layers = layer_paths(model)
    error = None
    with recorded_training(layers) as received:
        with put_back(model) as changed, warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            try:
                _run(model, step, x, y, sample_weight)
            except Exception as raised:
                error = f"{type(raised).__name__}: {str(raised).splitlines()[0]}"
        if not any(received.values()):  # the step reused its trace: trace again
            with put_back(model), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                setattr(model, STEPS[step], None)
                try:
                    _run(model, step, x, y, sample_weight)
                except Exception:
                    pass  # the first run's error is the one to report
    listed = {id(w) for w in model.trainable_weights}
    frame = table(layers, received, changed, listed, ran=error is None)
    caught = [str(w.message) for w in said if issubclass(w.category, UserWarning)]
    return Footprint(step, frame, error, list(dict.fromkeys(caught)))

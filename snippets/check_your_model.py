"""The code of the page "Check your model" (docs/check_your_model.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json check_your_model``.
"""

# %% setup
import logging
import time

import numpy as np
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.digits import load_transfer_task
from keras_guide.models import RETRACING
from keras_guide.page import glue, start_page
from keras_guide.transfer import batchnorm_layers, build_base

start_page()

# TensorFlow notes that this page traces many training steps: a note on speed.
logging.getLogger("tensorflow").addFilter(
    lambda record: RETRACING not in record.getMessage()
)
rng = np.random.default_rng(0)
images, labels = load_transfer_task(labels_per_class=20).target_train
left_as_it_was = {}  # case -> whether the check left the model exactly as it was


def model_state(model):
    """Every variable of the model and its optimizer, its flags and its step."""
    variables = [*model.variables, *model.optimizer.variables]
    flags = [layer.trainable for layer in model._flatten_layers()]
    return {id(v): v.numpy() for v in variables}, flags, model.train_function


def check(case, model, x, y):
    """Run the check on one case, and note whether it left the model alone."""
    values, flags, function = model_state(model)
    report = what_fit_will_do(model, x, y)
    after, flags_after, function_after = model_state(model)
    left_as_it_was[case] = (
        all(np.array_equal(value, after[i]) for i, value in values.items())
        and flags == flags_after
        and function is function_after
    )
    return report


# %% the-check
import html
import json
import warnings

import keras
import numpy as np
import pandas as pd

SAYS = {  # how the report words each finding
    "raises": "fit() raises {}",
    "trains nothing": "fit() changes no weight.",
    "ignores flags": "fit() ignores the `trainable` flags of {}. Compile again.",
    "changed since compile": "`trainable` changed since compile() on {}.",
    "next fit()": "The next fit() {}.",
    "trained under a frozen parent": "fit() trains {} although a parent is frozen.",
    "training mode inside": "Called with training=False, yet in training mode: {}.",
    "model(x) moves statistics": "A plain model(x) moves the statistics of {}.",
    "keras warns": "Keras warns: {}",
}


class FitReport:
    """A one-line verdict, the findings, and a table of what happened to each layer."""

    def __init__(self, verdict, findings, layers):
        self.verdict, self.findings, self.layers = verdict, findings, layers

    def said(self):
        return [SAYS[key].format(value) for key, value in self.findings.items()]

    def shown(self):  # a blank where a column does not apply to a layer
        return self.layers.where(self.layers.notna(), "")

    def __repr__(self):  # in a terminal
        said = "".join(f"\n- {line}" for line in self.said())
        return f"{self.verdict}{said}\n\n{self.shown().to_string()}"

    def _repr_html_(self):  # in a notebook
        said = "".join(f"<li>{html.escape(line)}</li>" for line in self.said())
        return (
            f"<p>{html.escape(self.verdict)}</p><ul>{said}</ul>{self.shown().to_html()}"
        )


def what_fit_will_do(model, x, y):
    """Run one step of `fit()` on the compiled `model` with (x, y), report what it
    did to each layer, and put the model and its optimizer back as they were."""
    layers, parents, inference_parts = {}, {}, set()

    def walk(parent, path, above):
        try:  # the nested models a Functional model calls with training=False
            graph = {
                c["name"]: json.dumps(c.get("inbound_nodes")).lower()
                for c in parent.get_config()["layers"]
            }
        except Exception:
            graph = {}
        for layer in parent._flatten_layers(include_self=False, recursive=False):
            name = f"{path}/{layer.name}" if path else layer.name
            layers[name], parents[name] = layer, above
            if layer.weights and '"training": false' in graph.get(layer.name, ""):
                inference_parts.add(name)
            walk(layer, name, [*above, name])

    walk(model, "", [])
    received = {}  # the `training` value of each layer's last call

    def record(name, call):
        def call_and_record(*args, **kwargs):
            received[name] = kwargs.get("training", "-")
            return call(*args, **kwargs)

        return call_and_record

    own_calls = {layer: vars(layer).get("call") for layer in layers.values()}
    for name, layer in layers.items():
        layer.call = record(name, layer.call)
    optimizer, saved, warned = model.optimizer, {}, set()
    if getattr(optimizer, "built", True) is False:
        optimizer.build(model.trainable_variables)  # what Keras 3's fit() does first
    build = optimizer.build

    def build_and_save(*args, **kwargs):  # Keras 2 builds it in the first step
        build(*args, **kwargs)
        saved.update({id(v): (v, v.numpy()) for v in optimizer.variables})

    def run(action):
        """Run `action`: what it raised, and the variables it changed, put back."""
        variables = [*model.variables, *optimizer.variables]
        variables += [v for metric in model.metrics for v in metric.variables]
        saved.clear()
        saved.update({id(v): (v, v.numpy()) for v in variables})
        received.clear()
        error, changed = None, set()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                action()
            except Exception as raised:  # what fit() would raise
                error = f"{type(raised).__name__}: {str(raised).splitlines()[0]}"
        warned.update(str(w.message) for w in caught if w.category is UserWarning)
        for i, (v, value) in saved.items():
            try:
                kept = np.array_equal(v.numpy(), value)
            except Exception:  # a step that failed on JAX can leave a variable empty
                kept = False
            changed |= set() if kept else {i}
            v.assign(value)
        return error, changed

    def step():
        model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)

    def traced_step():  # trace the step again, so that every layer's call runs
        model.train_function = None
        step()

    optimizer.build = build_and_save
    own_function, history = model.train_function, getattr(model, "history", None)
    try:
        _, moved_by_model_x = run(lambda: model(x))
        error, changed = run(step)
        if not received:  # fit() reused the step it traced before
            run(traced_step)
    finally:
        model.train_function, model.history = own_function, history
        del optimizer.build
        for layer, call in own_calls.items():
            del layer.call
            if call is not None:
                layer.call = call

    listed, rows = {id(w) for w in model.trainable_weights}, {}
    for name, layer in layers.items():
        moving = {
            id(getattr(layer, s))
            for s in ("moving_mean", "moving_variance")
            if hasattr(layer, s)
        }
        below = {
            id(w)
            for sub in layer._flatten_layers(include_self=False)
            for w in sub.weights
        }
        own = {id(w) for w in layer.weights} - below - moving
        rows[name] = {
            "trainable": layer.trainable,
            "training": str(received[name]) if name in received else "-",
            "listed": bool(own & listed) if own else None,
            "trained": bool(own & changed) if own and not error else None,
            "statistics moved": bool(moving & changed)
            if moving and not error
            else None,
            "model(x) moves them": bool(moving & moved_by_model_x) if moving else None,
        }
    table = pd.DataFrame(rows).T
    weighted, moved = table[table.trained.notna()], table["statistics moved"].eq(True)
    trained = list(weighted.index[weighted.trained.eq(True)])
    ignored = list(weighted.index[weighted.trained != weighted.listed])
    compiled = getattr(model, "_compiled_trainable_state", {})  # Keras 2, 3.15
    stale = [
        n
        for n, layer in layers.items()
        if layer.weights and compiled.get(layer, layer.trainable) != layer.trainable
    ]
    in_training_mode = [  # Dropout, noise and augmentation layers have no weights
        n
        for n in layers
        if moved[n] or (not layers[n].weights and table.training[n] == "True")
    ]
    findings = {
        "raises": error,
        "trains nothing": not (error or trained),
        "ignores flags": not error and ignored,
        "changed since compile": stale,
        "next fit()": stale
        and (error and "raises an error" or ignored and "ignores it" or "applies it"),
        "trained under a frozen parent": [
            n for n in trained if any(not layers[p].trainable for p in parents[n])
        ],
        "training mode inside": {
            part: [n for n in in_training_mode if part in parents[n]]
            for part in inference_parts
            if any(part in parents[n] for n in in_training_mode)
        },
        "keras warns": sorted(warned),
        "model(x) moves statistics": list(
            table.index[table["model(x) moves them"].eq(True)]
        ),
    }
    findings = {key: value for key, value in findings.items() if value}
    normalising = table["model(x) moves them"].count()
    did = (
        "raises an error"
        if error
        else (
            f"trains {len(trained)} of {len(weighted)} layers with weights and moves "
            f"the statistics of {int(moved.sum())} of {normalising}"
        )
    )
    verdict = (f"{len(findings)} finding(s)" if findings else "No finding") + (
        f" on Keras {keras.__version__} with {keras.backend.backend()}: fit() {did}."
    )
    if not hasattr(model, "_compiled_trainable_state"):
        verdict += " This Keras keeps no record of the `trainable` flags at compile()."
    return FitReport(verdict, findings, table)


glue(
    "check-lines",
    max(line for *_, line in what_fit_will_do.__code__.co_lines() if line)
    - what_fit_will_do.__code__.co_firstlineno
    + 1,
)


# %% first-check
model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(8, name="frozen"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dropout(0.5, name="dropout"),
        keras.layers.Dense(1, name="head"),
    ]
)
model.get_layer("frozen").trainable = False
model.get_layer("bn").trainable = False
model.compile(optimizer="adam", loss="mse")
x = rng.normal(size=(32, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)

report = what_fit_will_do(model, x, y)
display(report)

claim(
    "CHECK-READS-A-NEW-MODEL",
    "On a model it has not seen, the check reports that `fit()` trains `head` only, "
    "that the frozen `BatchNormalization` keeps its moving statistics, and that there "
    "is nothing to warn about.",
    observed=(
        report.layers["trained"].dropna().to_dict(),
        report.layers["statistics moved"].dropna().to_dict(),
        report.findings,
    ),
    expected=({"frozen": False, "bn": False, "head": True}, {"bn": False}, {}),
)

# %% classic-recipe
base = build_base(keras)
inputs = keras.Input(base.input.shape[1:])
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs, training=False))
classic = keras.Model(inputs, outputs)
base.trainable = True
classic.compile(
    optimizer=keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy"
)

report = check("the classic recipe", classic, images, labels)
display(report)

claim(
    "CHECK-CLASSIC-RECIPE",
    "On Keras 3.0 to 3.15, the check reports that `fit()` runs every "
    "`BatchNormalization` layer of the classic recipe's base in training mode, though "
    "the base is called with `training=False`.",
    observed=report.findings.get("training mode inside", {}).get("base"),
    expected=[f"base/{layer.name}" for layer in batchnorm_layers(base)],
)

# %% landing-recipe
for layer in batchnorm_layers(base):
    layer.trainable = False
classic.compile(
    optimizer=keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy"
)

report = check("the recipe", classic, images, labels)
display(report)

claim(
    "CHECK-RECIPE-CLEAN",
    "The check finds nothing to warn about in the recipe: it trains the "
    "convolutions and leaves every `BatchNormalization` layer as it was.",
    observed=(report.findings, bool(report.layers["statistics moved"].any())),
    expected=({}, False),
)


# %% nested
def nested_model():
    inner = keras.Sequential(
        [
            keras.layers.Dense(4, name="dense"),
            keras.layers.BatchNormalization(name="bn"),
        ],
        name="inner",
    )
    model = keras.Sequential(
        [keras.Input((4,)), inner, keras.layers.Dense(1, name="head")]
    )
    return model, inner


model, inner = nested_model()
inner.trainable = False
inner.get_layer("dense").trainable = True
model.compile(optimizer="sgd", loss="mse")

report = check("a layer unfrozen inside a frozen model", model, x, y)
display(report)

claim(
    "CHECK-NESTED-UNFROZEN",
    "In Keras 3, the check reports that `fit()` trains a `Dense` set to "
    "`trainable = True` inside a frozen nested model.",
    observed=report.findings.get("trained under a frozen parent"),
    expected=["inner/dense"],
)

# %% stale
model, inner = nested_model()
inner.trainable = False
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, verbose=0)
inner.trainable = True

report = check("a change after fit()", model, x, y)
display(report)

claim(
    "CHECK-STALE-AFTER-FIT",
    "In Keras 3 on TensorFlow, the check reports that the next `fit()` ignores a "
    "layer unfrozen after a `fit()`, and tells you to compile again.",
    observed=report.findings.get("ignores flags"),
    expected=["inner/dense", "inner/bn"],
)
claim(
    "CHECK-STALE-NAMES-THE-CHANGE",
    "On Keras 2 and since Keras 3.15, the check also names the layers whose "
    "`trainable` changed since `compile()`.",
    observed=report.findings.get("changed since compile"),
    expected=["inner", "inner/dense", "inner/bn"],
)

# %% preprocessing
model = keras.Sequential(
    [
        keras.Input(images.shape[1:]),
        keras.layers.RandomFlip(seed=1),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Flatten(),
        keras.layers.Dense(5, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

report = check("a preprocessing layer", model, images, labels)
display(report)

claim(
    "CHECK-PREPROCESSING-PLAIN-CALL",
    "On Keras 3.0 to 3.15, the check reports that a plain `model(x)` moves the "
    "statistics of a `BatchNormalization` after `RandomFlip`.",
    observed=report.findings.get("model(x) moves statistics"),
    expected=["bn"],
)

# %% gan
generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
discriminator = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")]
)
discriminator.compile(optimizer="adam", loss="binary_crossentropy")
discriminator.trainable = False
z = keras.Input((2,))
gan = keras.Model(z, discriminator(generator(z)))
gan.compile(optimizer="adam", loss="binary_crossentropy")

samples = x[:, :3]
real_or_fake = (rng.uniform(size=(32, 1)) > 0.5).astype("float32")
report = check("the GAN discriminator", discriminator, samples, real_or_fake)
display(report)

claim(
    "CHECK-GAN-DISCRIMINATOR",
    "On Keras 3, except 3.6 and 3.7, the check reports that the classic GAN recipe's "
    "discriminator, frozen before its first step, trains nothing.",
    observed=report.findings.get("trains nothing"),
    expected=True,
)

# %% applications
efficientnet = keras.applications.EfficientNetB0(
    include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg"
)
efficientnet.trainable = False
inputs = keras.Input((32, 32, 3))
outputs = keras.layers.Dense(5, activation="softmax")(
    efficientnet(inputs, training=False)
)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
color_images = rng.uniform(0, 255, size=(16, 32, 32, 3)).astype("float32")

start = time.perf_counter()
report = check("keras.applications", model, color_images, labels[:16])
print(f"{time.perf_counter() - start:.0f} s for {len(efficientnet.layers)} layers")
print(report.verdict, *report.said(), sep="\n- ")

dropouts = [
    f"{efficientnet.name}/{layer.name}"
    for layer in efficientnet.layers
    if isinstance(layer, keras.layers.Dropout)
]
claim(
    "CHECK-APPLICATIONS-DROPOUT",
    "On Keras 3.0 to 3.15, the check reports that every `Dropout` layer of a frozen "
    "EfficientNetB0 base called with `training=False` runs in training mode in "
    "`fit()`.",
    observed=report.findings.get("training mode inside", {}).get(efficientnet.name),
    expected=dropouts,
)

# %% left-as-it-was
display(left_as_it_was)
claim(
    "CHECK-LEAVES-THE-MODEL",
    "In every case, the check left every weight, moving statistic and optimizer "
    "variable (the step count included), every `trainable` flag and the model's "
    "traced training step as they were.",
    observed=left_as_it_was,
    expected=dict.fromkeys(left_as_it_was, True),
)

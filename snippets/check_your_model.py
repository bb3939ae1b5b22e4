"""The code of the page "Check your model" (docs/check_your_model.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json check_your_model``.
"""

# %% setup
import logging
import time

import keras
import numpy as np
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.digits import load_transfer_task
from keras_guide.footprint import footprint, layer_paths
from keras_guide.models import RETRACING
from keras_guide.page import start_page

start_page()

# TensorFlow notes that this page traces many training steps: a note on speed.
logging.getLogger("tensorflow").addFilter(
    lambda record: RETRACING not in record.getMessage()
)
rng = np.random.default_rng(0)
images, labels = load_transfer_task(labels_per_class=20).target_train
left_as_it_was = {}  # case -> whether the check left the model exactly as it was
STATISTICS = "Normalization"  # a layer with statistics and no trainable weight


def expected_rows(model, trains=(), moves=(), dropouts=None):
    """The footprint a claim expects, read from the model's structure: the
    layers at or under a path of ``trains`` train, the ``BatchNormalization``
    layers under a path of ``moves`` move their statistics, and each ``Dropout``
    receives the value of the longest path of ``dropouts`` it is under."""

    def under(path, paths):
        return any(path == p or path.startswith(f"{p}/") for p in paths)

    rows = {}
    for path, layer in layer_paths(model).items():
        below = {id(w) for sub in layer_paths(layer).values() for w in sub.weights}
        kind = type(layer).__name__
        weighted = bool({id(w) for w in layer.weights} - below) and kind != STATISTICS
        received = None
        if "Dropout" in kind:
            prefix = max((p for p in dropouts if under(path, [p]) or not p), key=len)
            received = str(dropouts[prefix])
        rows[path] = (
            received,
            under(path, trains) if weighted else None,
            under(path, moves) if kind in ("BatchNormalization", STATISTICS) else None,
        )
    return rows


def model_state(model):
    """Every variable of the model and its optimizer, its flags and its step."""
    variables = [*model.variables, *model.optimizer.variables]
    flags = [layer.trainable for layer in layer_paths(model).values()]
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


# %% first-check
from keras_guide.check import what_fit_will_do

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

report = check("a first model", model, x, y)
display(report)

claim(
    "CHECK-READS-A-NEW-MODEL",
    "On a model it has not seen, the check reports that `fit()` trains `head` only, "
    "that the frozen `BatchNormalization` keeps its moving statistics, and that there "
    "is nothing to warn about.",
    observed=(
        report.footprint.layers["trained"].dropna().to_dict(),
        report.footprint.layers["statistics moved"].dropna().to_dict(),
        report.findings,
    ),
    expected=({"frozen": False, "bn": False, "head": True}, {"bn": False}, {}),
)


# %% kerasio-recipe
def small_base():
    """A pretrained base stands here: convolution, BatchNormalization, Dropout."""
    return keras.Sequential(
        [
            keras.Input(images.shape[1:]),
            keras.layers.Conv2D(8, 3, name="conv"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Dropout(0.3, name="dropout"),
            keras.layers.GlobalAveragePooling2D(name="pool"),
        ],
        name="base",
    )


def with_head(features, inputs):
    x = keras.layers.Dropout(0.2, name="head_dropout")(features)
    return keras.Model(inputs, keras.layers.Dense(5, name="head")(x))


def compile_for_fine_tuning(model, rate):
    model.compile(
        optimizer=keras.optimizers.Adam(rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )


base = small_base()
base.trainable = False
inputs = keras.Input(images.shape[1:])
kerasio = with_head(base(inputs, training=False), inputs)
compile_for_fine_tuning(kerasio, 1e-3)

report = check("keras.io's recipe, frozen base", kerasio, images, labels)
display(report)

claim(
    "CHECK-KERASIO-HEAD-FOOTPRINT",
    "On Keras 3.0 to 3.15, one `fit()` step of keras.io's recipe on a frozen base "
    "called with `training=False` trains the head only, moves no statistics, and "
    "runs every `Dropout` in training mode, the base's included.",
    observed=report.footprint.rows(),
    expected=expected_rows(kerasio, trains=["head"], dropouts={"": True}),
)

# %% classic-recipe
base.trainable = True
compile_for_fine_tuning(kerasio, 1e-5)

report = check("keras.io's recipe, unfrozen", kerasio, images, labels)
display(report)

claim(
    "CHECK-CLASSIC-RECIPE-FOOTPRINT",
    "On Keras 3.0 to 3.15, once the base is unfrozen and the model compiled again, "
    "`fit()` trains every layer of keras.io's recipe, and its `BatchNormalization` "
    "moves its statistics though the base is called with `training=False`.",
    observed=report.footprint.rows(),
    expected=expected_rows(
        kerasio, trains=["base", "head"], moves=["base"], dropouts={"": True}
    ),
)

# %% landing-recipe
base.get_layer("bn").trainable = False
compile_for_fine_tuning(kerasio, 1e-5)

report = check("the recipe", kerasio, images, labels)
display(report)

claim(
    "CHECK-RECIPE-FOOTPRINT",
    "On Keras 3.0 to 3.15, with every `BatchNormalization` frozen as well, `fit()` "
    "trains the convolution and the head, leaves `BatchNormalization` as it was, "
    "and runs every `Dropout` in training mode.",
    observed=report.footprint.rows(),
    expected=expected_rows(kerasio, trains=["base/conv", "head"], dropouts={"": True}),
)


# %% wrapper
class InInferenceMode(keras.layers.Layer):
    """Calls the layer it wraps with training=False, whatever fit() passes."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs):
        return self.layer(inputs, training=False)


base = small_base()
base.trainable = False
inputs = keras.Input(images.shape[1:])
wrapped = with_head(InInferenceMode(base, name="frozen")(inputs), inputs)
compile_for_fine_tuning(wrapped, 1e-3)

report = check("the wrapper", wrapped, images, labels)
display(report)

claim(
    "CHECK-WRAPPER-FOOTPRINT",
    "On Keras 2 and Keras 3.0 to 3.15, wrapping the frozen base in a layer whose "
    "`call()` passes `training=False` keeps the base's `Dropout` off during `fit()`, "
    "while the head's `Dropout` drops and the head trains.",
    observed=report.footprint.rows(),
    expected=expected_rows(
        wrapped, trains=["head"], dropouts={"": True, "frozen": False}
    ),
)


# %% subclassed
class FineTuner(keras.Model):
    """keras.io's recipe as a subclassed model; with `forward`, `call()` passes
    `training` on to the head."""

    def __init__(self, base, forward):
        super().__init__()
        self.base, self.passes_training = base, forward
        self.head_dropout = keras.layers.Dropout(0.2, name="head_dropout")
        self.head = keras.layers.Dense(5, name="head")

    def call(self, inputs, training=None):
        x = self.base(inputs, training=False)
        if self.passes_training:
            return self.head(self.head_dropout(x, training=training))
        return self.head(self.head_dropout(x))


footprints = {}
for forward in (False, True):
    base = small_base()
    base.trainable = False
    subclassed = FineTuner(base, forward)
    subclassed(images[:1])
    compile_for_fine_tuning(subclassed, 1e-3)
    report = check(f"a subclassed model, forward={forward}", subclassed, images, labels)
    footprints[forward] = report.footprint.rows()
    display(report.footprint.layers)

claim(
    "CHECK-SUBCLASSED-FOOTPRINT",
    "In a subclassed Keras 3 model, a `Dropout` called after "
    "`base(x, training=False)` receives `False` during `fit()` unless you pass it "
    "`training=training`; the base's `Dropout` receives `False` either way.",
    observed=footprints,
    expected={
        forward: expected_rows(
            subclassed,
            trains=["head"],
            dropouts={"": False, "head_dropout": forward},
        )
        for forward in (False, True)
    },
)

# %% predict-graph-time
base = small_base()
inputs = keras.Input(images.shape[1:])
written = {}
for training in (True, False):
    model = with_head(base(inputs, training=training), inputs)
    compile_for_fine_tuning(model, 1e-3)
    written[training] = model

steps = {
    f"{step}(), training={training} written": footprint(
        written[training], images, labels, step=step
    ).rows()
    for training in (True, False)
    for step in ("predict", "evaluate")
}
display(steps)

claim(
    "CHECK-GRAPH-TIME-FOOTPRINT",
    "On Keras 3.0 to 3.15, `predict()` and `evaluate()` run every layer of a "
    "Functional model in inference mode, whatever `training` value you wrote into "
    "it: a base called with `training=True` drops nothing and moves no statistic.",
    observed=steps,
    expected={
        f"{step}(), training={training} written": expected_rows(
            written[training], dropouts={"": False}
        )
        for training in (True, False)
        for step in ("predict", "evaluate")
    },
)

# %% feature-extraction
base = small_base()
base.trainable = False
features = footprint(base, images, step="predict")
display(features)

claim(
    "CHECK-FEATURES-FOOTPRINT",
    "Extracting features with `base.predict(x)` runs the base's `Dropout` in "
    "inference mode and changes no weight or statistic.",
    observed=features.rows(),
    expected=expected_rows(base, dropouts={"": False}),
)

# %% applications
efficientnet = keras.applications.EfficientNetB0(
    include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg"
)
efficientnet.trainable = False
inputs = keras.Input((32, 32, 3))
applied = with_head(efficientnet(inputs, training=False), inputs)
compile_for_fine_tuning(applied, 1e-3)
color_images = rng.uniform(0, 255, size=(16, 32, 32, 3)).astype("float32")

# Unfreeze the top of the base, except BatchNormalization, and compile again.
k = [layer.name for layer in efficientnet.layers].index("block6a_expand_conv")
efficientnet.trainable = True
for layer in efficientnet.layers[:k]:
    layer.trainable = False
for layer in efficientnet.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
compile_for_fine_tuning(applied, 1e-5)

start = time.perf_counter()
report = check("keras.applications", applied, color_images, labels[:16])
seconds = time.perf_counter() - start
print(f"{seconds:.0f} s for {len(efficientnet.layers)} layers")
print(report.verdict)
rows = report.footprint.layers
display(rows[rows.trained.eq(True) | rows["statistics moved"].eq(True)])

top = [
    f"{efficientnet.name}/{layer.name}"
    for layer in efficientnet.layers[k:]
    if not isinstance(layer, keras.layers.BatchNormalization)
]
claim(
    "CHECK-APPLICATIONS-FOOTPRINT",
    "On Keras 3.0 to 3.15, fine-tuning the top of a `keras.applications` "
    "EfficientNetB0 as the recipe says trains exactly the layers you unfroze and "
    "the head, moves no statistics, and runs every `Dropout` in training mode.",
    observed=report.footprint.rows(),
    expected=expected_rows(applied, trains=[*top, "head"], dropouts={"": True}),
)

# %% gan
generator = keras.Sequential(
    [keras.Input((2,)), keras.layers.Dense(3, name="g")], name="generator"
)
discriminator = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid", name="d")],
    name="discriminator",
)
discriminator.compile(optimizer="adam", loss="binary_crossentropy")
discriminator.trainable = False
z = keras.Input((2,))
gan = keras.Model(z, discriminator(generator(z)))
gan.compile(optimizer="adam", loss="binary_crossentropy")

samples = x[:, :3]
real_or_fake = (rng.uniform(size=(32, 1)) > 0.5).astype("float32")
gan_steps = {
    "discriminator": check(
        "the GAN discriminator", discriminator, samples, real_or_fake
    ),
    "gan": check("the GAN", gan, x[:, :2], real_or_fake),
}
for name, report in gan_steps.items():
    print(name, report.verdict)

claim(
    "CHECK-GAN-FOOTPRINT",
    "On Keras 3, except 3.6 and 3.7, the classic GAN recipe's discriminator, frozen "
    "after its `compile()` but before its first step, trains nothing in its own "
    "`fit()`; the combined model trains the generator only.",
    observed={name: r.footprint.rows() for name, r in gan_steps.items()},
    expected={
        "discriminator": expected_rows(discriminator),
        "gan": expected_rows(gan, trains=["generator"]),
    },
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
    "Since Keras 3.15, on TensorFlow, the check reports the layers unfrozen after a "
    "`fit()` as unchanged by the next step, and names them as changed since "
    "`compile()`.",
    observed=(
        report.findings.get("did not move"),
        report.findings.get("changed since compile"),
    ),
    expected=(["inner/dense", "inner/bn"], ["inner", "inner/dense", "inner/bn"]),
)

# %% callback
from keras_guide.check import FirstStepReport

model, inner = nested_model()
model.compile(optimizer="sgd", loss="mse")
first_step = FirstStepReport(show=display)
model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[first_step])

claim(
    "CHECK-CALLBACK-FIRST-STEP",
    "The callback reports once, after the first batch of a real `fit()`: every "
    "layer trained, and the `BatchNormalization` moved its statistics.",
    observed=first_step.report.footprint.rows(),
    expected=expected_rows(model, trains=["inner", "head"], moves=["inner"]),
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

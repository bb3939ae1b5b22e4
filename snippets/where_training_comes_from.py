"""The code of the page "Where `training` comes from".

The page is docs/where_training_comes_from.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json where_training_comes_from``.
"""

# %% setup
import inspect

import keras
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import gradient_step
from keras_guide.claims import claim
from keras_guide.page import glue, start_page

start_page()

# %% resolution-source
print(inspect.getsource(keras.layers.Layer._resolve_and_populate_arg))


# %% recorder
class Recorder:
    """Mixed into a layer: return the input, remember the `training` received."""

    def call(self, inputs, training=None):
        self.received = training
        return inputs


class TrainingRecorder(Recorder, keras.layers.Layer):
    pass


def received(recorder, run):
    """Run `run()`; return the `training` value that `recorder` received."""
    recorder.received = "not called"
    run()
    return recorder.received


ones = np.ones((2, 3), dtype="float32")
recorder = TrainingRecorder()
direct = {
    "recorder(x, training=True)": received(
        recorder, lambda: recorder(ones, training=True)
    ),
    "recorder(x, training=False)": received(
        recorder, lambda: recorder(ones, training=False)
    ),
    "recorder(x)": received(recorder, lambda: recorder(ones)),
}
display(pd.Series(direct, name="recorder received"))
claim(
    "SOURCE-DIRECT-CALL-GETS-ARGUMENT",
    "A layer called directly receives the `training` you pass; with none passed, it "
    "receives its own default (`None` here).",
    observed=list(direct.values()),
    expected=[True, False, None],
)


# %% call-context
class Outer(keras.layers.Layer):
    """Calls its inner layer without passing `training`."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def call(self, inputs, training=None):
        return self.inner(inputs)


inner = TrainingRecorder()
outer = Outer(inner)
inherited = {
    "outer(x, training=True)": received(inner, lambda: outer(ones, training=True)),
    "outer(x, training=False)": received(inner, lambda: outer(ones, training=False)),
}
display(pd.Series(inherited, name="inner layer received"))
claim(
    "SOURCE-INNER-INHERITS-OUTER",
    "A layer called inside another layer's `call()` without `training` receives the "
    "`training` the outer layer was called with.",
    observed=list(inherited.values()),
    expected=[True, False],
)


class OuterPassesFalse(Outer):
    """Calls its inner layer with an explicit `training=False`."""

    def call(self, inputs, training=None):
        return self.inner(inputs, training=False)


inner = TrainingRecorder()
outer = OuterPassesFalse(inner)
got = received(inner, lambda: outer(ones, training=True))
print("outer(x, training=True), inner(x, training=False) -> inner received", got)
claim(
    "SOURCE-EXPLICIT-BEATS-OUTER",
    "A `training` passed explicitly to the inner layer wins over the outer layer's "
    "value.",
    observed=got,
    expected=False,
)


# %% signature-default
class DefaultTrueRecorder(Recorder):
    def call(self, inputs, training=True):
        self.received = training
        return inputs


class DefaultTrueLayer(DefaultTrueRecorder, keras.layers.Layer):
    pass


default_true = DefaultTrueLayer()
outer = Outer(default_true)
from_default = {
    "called alone, no training": received(default_true, lambda: default_true(ones)),
    "inside outer(x, training=False)": received(
        default_true, lambda: outer(ones, training=False)
    ),
    "inside outer(x)": received(default_true, lambda: outer(ones)),
}
display(pd.Series(from_default, name="training=True default layer received"))
claim(
    "SOURCE-DEFAULT-COMES-LAST",
    "A layer's default in `call()` (here `training=True`) is used only when neither "
    "an explicit argument nor an outer call provides a value.",
    observed=list(from_default.values()),
    expected=[True, False, True],
)


# %% default-passed-on
class Chain(keras.layers.Layer):
    """Calls three layers one after the other, none with `training`."""

    def __init__(self):
        super().__init__()
        self.first = TrainingRecorder()
        self.default_true = DefaultTrueLayer()
        self.last = TrainingRecorder()

    def call(self, inputs):
        return self.last(self.default_true(self.first(inputs)))


chain = Chain()
chain(ones)
chain_received = {
    name: getattr(chain, name).received for name in ("first", "default_true", "last")
}
display(pd.Series(chain_received, name="chain(x): layer received"))
glue("chain-length", len(chain_received))
claim(
    "SOURCE-DEFAULT-PASSED-ON",
    "In Keras 3.0 to 3.15, when a layer falls back to a non-`None` default in its "
    "`call()`, that value becomes the outer value for every layer called after it in "
    "the same outer call, not only its own sublayers.",
    observed=list(chain_received.values()),
    expected=[None, True, True],
)

# %% entry-points
rng = np.random.default_rng(0)
features = rng.normal(loc=3.0, scale=2.0, size=(64, 3)).astype("float32")
targets = features.sum(axis=1, keepdims=True)

recorder = TrainingRecorder()
inputs = keras.Input((3,))
model = keras.Model(inputs, keras.layers.Dense(1)(recorder(inputs)))
model.compile(optimizer="sgd", loss="mse")
optimizer = keras.optimizers.SGD()


def gradient_tape_step(**call_kwargs):
    """One step of a custom loop (a GradientTape on TensorFlow)."""
    mean_squared_error = keras.losses.MeanSquaredError()
    gradient_step(
        lambda: mean_squared_error(targets, model(features, **call_kwargs)),
        model.trainable_weights,
        optimizer,
    )


batched = {"batch_size": 16, "verbose": 0}
entry_points = {
    "model.fit(x, y)": lambda: model.fit(features, targets, **batched),
    "model.evaluate(x, y)": lambda: model.evaluate(features, targets, **batched),
    "model.predict(x)": lambda: model.predict(features, **batched),
    "model(x)": lambda: model(features),
    "model(x, training=True)": lambda: model(features, training=True),
    "model(x, training=False)": lambda: model(features, training=False),
    "GradientTape loop, model(x, training=True)": lambda: gradient_tape_step(
        training=True
    ),
    "GradientTape loop, model(x)": lambda: gradient_tape_step(),
}
entry_table = pd.DataFrame(
    {"recorder received": [received(recorder, run) for run in entry_points.values()]},
    index=pd.Index(entry_points, name="call"),
)
display(entry_table)

# %% entry-points-claims
got = entry_table["recorder received"]
claim(
    "SOURCE-FIT-PASSES-TRUE",
    "`model.fit()` calls the model's layers with `training=True`.",
    observed=got["model.fit(x, y)"],
    expected=True,
)
claim(
    "SOURCE-EVALUATE-PREDICT-PASS-FALSE",
    "`model.evaluate()` and `model.predict()` call the model's layers with "
    "`training=False`.",
    observed=(got["model.evaluate(x, y)"], got["model.predict(x)"]),
    expected=(False, False),
)
claim(
    "SOURCE-PLAIN-CALL-PASSES-NOTHING",
    "A plain `model(x)` passes no `training`: a layer whose default in `call()` is "
    "`None` receives `None`.",
    observed=got["model(x)"],
    expected=None,
)
claim(
    "SOURCE-MODEL-CALL-PASSES-ITS-ARGUMENT",
    "`model(x, training=True)` and `model(x, training=False)` pass that value to every "
    "layer of the model.",
    observed=(got["model(x, training=True)"], got["model(x, training=False)"]),
    expected=(True, False),
)
claim(
    "SOURCE-TAPE-LOOP-NEEDS-TRAINING-TRUE",
    "In a custom `GradientTape` loop, layers receive `training=True` only if you call "
    "`model(x, training=True)`; `model(x)` gives them `None`.",
    observed=(
        got["GradientTape loop, model(x, training=True)"],
        got["GradientTape loop, model(x)"],
    ),
    expected=(True, None),
)


# %% nested-models
class SubclassedInner(keras.Model):
    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def call(self, inputs):
        return self.recorder(inputs)


def functional_inner(recorder):
    inputs = keras.Input((3,))
    return keras.Model(inputs, recorder(inputs))


inner_builders = {
    "Functional": functional_inner,
    "Sequential": lambda recorder: keras.Sequential([keras.Input((3,)), recorder]),
    "subclassed": SubclassedInner,
}
nested = {}
for kind, build_inner in inner_builders.items():
    recorder = TrainingRecorder()
    inputs = keras.Input((3,))
    outer_model = keras.Model(
        inputs, keras.layers.Dense(1)(build_inner(recorder)(inputs))
    )
    outer_model.compile(optimizer="sgd", loss="mse")
    nested[kind] = {
        "fit": received(
            recorder, lambda model=outer_model: model.fit(features, targets, **batched)
        ),
        "predict": received(
            recorder, lambda model=outer_model: model.predict(features, **batched)
        ),
        "model(x, training=True)": received(
            recorder, lambda model=outer_model: model(features, training=True)
        ),
        "model(x)": received(recorder, lambda model=outer_model: model(features)),
    }
nested_table = pd.DataFrame(nested).T.rename_axis("inner model")
display(nested_table)
claim(
    "SOURCE-NESTED-MODELS-INHERIT",
    "The layers of a Functional, Sequential or subclassed model nested inside another "
    "model receive the outer model's `training` in `fit`, `predict`, `model(x, "
    "training=True)` and `model(x)`.",
    observed=nested_table.to_dict("list"),
    expected={
        "fit": [True] * 3,
        "predict": [False] * 3,
        "model(x, training=True)": [True] * 3,
        "model(x)": [None] * 3,
    },
)


# %% graph-time-false-keras3
def watch(bn, recorder, run):
    """Run `run()`: what `recorder` received, and whether `bn`'s moving mean moved."""
    before = bn.moving_mean.numpy()
    got = received(recorder, run)
    moved = not np.array_equal(before, bn.moving_mean.numpy())
    return {"recorder received": got, "BN moving mean changed": moved}


def frozen_advice_model(library, recorder):
    """`base_model(x, training=False)` when the model is built, then a recorder."""
    inputs = library.Input((3,))
    bn = library.layers.BatchNormalization()
    base_model = library.Model(inputs, bn(inputs))
    x = base_model(inputs, training=False)
    x = recorder(x, training=False)
    model = library.Model(inputs, library.layers.Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    return model, bn


def watch_every_call(library, recorder):
    """The table of what each call did; the average moving mean before any call
    and after each one."""
    model, bn = frozen_advice_model(library, recorder)
    calls = {
        "model.predict(x)": lambda: model.predict(features, **batched),
        "model.evaluate(x, y)": lambda: model.evaluate(features, targets, **batched),
        "model(x)": lambda: model(features),
        "model.fit(x, y)": lambda: model.fit(features, targets, **batched),
        "model(x, training=True)": lambda: model(features, training=True),
    }
    initial_mean = float(bn.moving_mean.numpy().mean())
    rows, mean_after = {}, {}
    for name, run in calls.items():
        rows[name] = watch(bn, recorder, run)
        mean_after[name] = float(bn.moving_mean.numpy().mean())
    return pd.DataFrame(rows).T.rename_axis("call"), initial_mean, mean_after


print("Keras", keras.__version__)
keras3_table, keras3_initial_mean, keras3_mean_after = watch_every_call(
    keras, TrainingRecorder()
)
display(keras3_table)
glue("graph-time-calls", len(keras3_table))
glue("keras3-moving-mean-before", keras3_initial_mean)
glue("keras3-moving-mean-after", keras3_mean_after["model.fit(x, y)"])

# %% graph-time-false-keras3-claims
claim(
    "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
    "In Keras 3.0 to 3.15, `fit()` overrides a `training=False` written when you "
    "build a Functional model: the layer receives `True`, and a `BatchNormalization` "
    "inside `base_model(x, training=False)` updates its moving statistics.",
    observed=keras3_table.loc["model.fit(x, y)"].to_dict(),
    expected={"recorder received": True, "BN moving mean changed": True},
)
claim(
    "SOURCE-GRAPH-TIME-FALSE-HOLDS-IN-INFERENCE-CALLS",
    "In Keras 3, a `training=False` written when you build the model is what the "
    "layer receives "
    "under `predict`, `evaluate` and a plain `model(x)`, and the `BatchNormalization` "
    "behind it does not update its moving statistics.",
    observed=keras3_table.loc[
        ["model.predict(x)", "model.evaluate(x, y)", "model(x)"]
    ].to_dict("list"),
    expected={"recorder received": [False] * 3, "BN moving mean changed": [False] * 3},
)
claim(
    "SOURCE-CALL-TRUE-OVERRIDES-GRAPH-TIME-FALSE",
    "In Keras 3.0 to 3.15, `model(x, training=True)` also overrides a `training=False` "
    "written when you build the model.",
    observed=keras3_table.loc["model(x, training=True)"].to_dict(),
    expected={"recorder received": True, "BN moving mean changed": True},
)


# %% graph-time-false-keras2
class Keras2Recorder(Recorder, tf_keras.layers.Layer):
    pass


print("tf-keras", tf_keras.__version__)
keras2_table, _, _ = watch_every_call(tf_keras, Keras2Recorder())
display(keras2_table)
claim(
    "SOURCE-KERAS2-GRAPH-TIME-FALSE-HOLDS",
    "In Keras 2 (tf-keras), a `training=False` written when you build the model holds "
    "under every "
    "call, `fit` and `model(x, training=True)` included: the layer receives `False` "
    "and the `BatchNormalization` moving statistics never change.",
    observed=keras2_table.to_dict("list"),
    expected={"recorder received": [False] * 5, "BN moving mean changed": [False] * 5},
)


# %% frozen-bn-in-fit
def moving_mean_moves_in_fit(library, freeze):
    inputs = library.Input((3,))
    bn = library.layers.BatchNormalization()
    bn.trainable = not freeze
    base_model = library.Model(inputs, bn(inputs))
    model = library.Model(inputs, library.layers.Dense(1)(base_model(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    before = bn.moving_mean.numpy()
    model.fit(features, targets, **batched)
    return not np.array_equal(before, bn.moving_mean.numpy())


def frozen_fit_table(library):
    return pd.Series(
        {
            f"bn.trainable = {not freeze}": moving_mean_moves_in_fit(library, freeze)
            for freeze in (False, True)
        },
        name=f"{library.__name__} {library.__version__}",
    ).rename_axis("fit: BN moving mean changed")


frozen_fit = frozen_fit_table(keras)
display(frozen_fit)
claim(
    "SOURCE-FROZEN-BN-STAYS-IN-INFERENCE-IN-FIT",
    "On Keras 3, `fit()` updates a `BatchNormalization`'s moving statistics unless "
    "the layer has `trainable = False`.",
    observed=frozen_fit.to_dict(),
    expected={"bn.trainable = True": True, "bn.trainable = False": False},
)


# %% frozen-bn-in-fit-keras2
print("tf-keras", tf_keras.__version__)
keras2_frozen_fit = frozen_fit_table(tf_keras)
display(keras2_frozen_fit)
claim(
    "SOURCE-FROZEN-BN-STAYS-IN-INFERENCE-IN-FIT-KERAS2",
    "On Keras 2 (tf-keras), `fit()` updates a `BatchNormalization`'s moving "
    "statistics unless the layer has `trainable = False`.",
    observed=keras2_frozen_fit.to_dict(),
    expected={"bn.trainable = True": True, "bn.trainable = False": False},
)


# %% call-time-false
class InferenceBatchNorm(keras.layers.Layer):
    """BatchNormalization called with `training=False` every time it runs."""

    def __init__(self):
        super().__init__()
        self.bn = keras.layers.BatchNormalization()

    def call(self, inputs):
        return self.bn(inputs, training=False)


wrapped = InferenceBatchNorm()
inputs = keras.Input((3,))
model = keras.Model(inputs, keras.layers.Dense(1)(wrapped(inputs)))
model.compile(optimizer="sgd", loss="mse")
mean_before, gamma_before = wrapped.bn.moving_mean.numpy(), wrapped.bn.gamma.numpy()
model.fit(features, targets, **batched)
call_time_false = {
    "moving mean changed": not np.array_equal(
        mean_before, wrapped.bn.moving_mean.numpy()
    ),
    "gamma changed": not np.array_equal(gamma_before, wrapped.bn.gamma.numpy()),
}
display(pd.Series(call_time_false, name="after model.fit"))
claim(
    "SOURCE-CALL-TIME-FALSE-HOLDS-IN-FIT",
    "In Keras 3, a `BatchNormalization` called with `training=False` inside another "
    "layer's `call()` stays in inference mode during `fit()`; its `gamma` still "
    "learns.",
    observed=call_time_false,
    expected={"moving mean changed": False, "gamma changed": True},
)


# %% preprocessing-signatures
def training_default(layer_class):
    parameter = inspect.signature(layer_class.call).parameters.get("training")
    return "no training argument" if parameter is None else parameter.default


def takes_seed(layer_class):
    return "seed" in inspect.signature(layer_class.__init__).parameters


layer_classes = {
    name: member
    for name, member in inspect.getmembers(keras.layers, inspect.isclass)
    if issubclass(member, keras.layers.Layer)
}
training_true = {
    name: takes_seed(layer_class)
    for name, layer_class in sorted(layer_classes.items())
    if training_default(layer_class) is True
}
seeded = [name for name, seed in training_true.items() if seed]
unseeded = [name for name, seed in training_true.items() if not seed]
print(f"{len(layer_classes)} layer classes in keras.layers.")
print(f"call() defaults to training=True in {len(training_true)} of them:")
print(f"- {len(seeded)} take a seed:", ", ".join(seeded))
print(f"- {len(unseeded)} take no seed:", ", ".join(unseeded))
glue("layer-classes", len(layer_classes))
glue("training-true-layers", len(training_true))
glue("training-true-seeded", len(seeded))
glue("training-true-unseeded", len(unseeded))

other_layers = ["Rescaling", "Normalization", "Dropout", "BatchNormalization"]
other_defaults = {name: training_default(layer_classes[name]) for name in other_layers}
display(pd.Series(other_defaults, name="training default in call()", dtype=object))
claim(
    "SOURCE-PREPROCESSING-TRAINING-DEFAULTS",
    "In Keras 3.14 and 3.15, the layers of `keras.layers` whose `call()` defaults to "
    "`training=True` are exactly: `AugMix`, `CutMix`, `MixUp`, `RandAugment`, "
    "`RandomBrightness`, `RandomColorDegeneration`, `RandomColorJitter`, "
    "`RandomContrast`, `RandomCrop`, `RandomElasticTransform`, `RandomErasing`, "
    "`RandomFlip`, `RandomGaussianBlur`, `RandomGrayscale`, `RandomHue`, "
    "`RandomInvert`, `RandomPerspective`, `RandomPosterization`, `RandomRotation`, "
    "`RandomSaturation`, `RandomSharpness`, `RandomShear`, `RandomTranslation`, "
    "`RandomZoom` and `Solarization`, which take a `seed`, and `AutoContrast`, "
    "`CenterCrop`, `ContrastLimitedAdaptiveHistogramEqualization`, `Equalization`, "
    "`MaxNumBoundingBoxes`, `Pipeline` and `Resizing`, which do not; `Rescaling` and "
    "`Normalization` have no `training` argument; `Dropout` defaults to "
    "`training=False` and `BatchNormalization` to `training=None`.",
    observed={
        "training=True, takes a seed": seeded,
        "training=True, no seed": unseeded,
        **other_defaults,
    },
    expected={
        "training=True, takes a seed": [
            "AugMix",
            "CutMix",
            "MixUp",
            "RandAugment",
            "RandomBrightness",
            "RandomColorDegeneration",
            "RandomColorJitter",
            "RandomContrast",
            "RandomCrop",
            "RandomElasticTransform",
            "RandomErasing",
            "RandomFlip",
            "RandomGaussianBlur",
            "RandomGrayscale",
            "RandomHue",
            "RandomInvert",
            "RandomPerspective",
            "RandomPosterization",
            "RandomRotation",
            "RandomSaturation",
            "RandomSharpness",
            "RandomShear",
            "RandomTranslation",
            "RandomZoom",
            "Solarization",
        ],
        "training=True, no seed": [
            "AutoContrast",
            "CenterCrop",
            "ContrastLimitedAdaptiveHistogramEqualization",
            "Equalization",
            "MaxNumBoundingBoxes",
            "Pipeline",
            "Resizing",
        ],
        "Rescaling": "no training argument",
        "Normalization": "no training argument",
        "Dropout": False,
        "BatchNormalization": None,
    },
)

# %% preprocessing-behaviour
images = rng.normal(loc=3.0, scale=2.0, size=(8, 16, 16, 3)).astype("float32")
flip = keras.layers.RandomFlip(seed=1)
flips = {
    "flip(x)": not np.array_equal(flip(images), images),
    "flip(x, training=False)": not np.array_equal(flip(images, training=False), images),
}
display(pd.Series(flips, name="RandomFlip changed the images"))
resizing = keras.layers.Resizing(8, 8)
resized_alike = np.array_equal(
    resizing(images, training=True), resizing(images, training=False)
)
print("Resizing: same output with training=True and training=False:", resized_alike)
claim(
    "SOURCE-RANDOMFLIP-AUGMENTS-WHEN-CALLED-ALONE",
    "Called on its own with no `training`, `RandomFlip` flips images (its default "
    "`training=True` applies); with `training=False` it returns them unchanged.",
    observed=list(flips.values()),
    expected=[True, False],
)
claim(
    "SOURCE-RESIZING-IGNORES-TRAINING",
    "`Resizing` gives the same output with `training=True` and `training=False`: it "
    "accepts the argument but does not use it.",
    observed=resized_alike,
    expected=True,
)

# %% preprocessing-before-bn
preprocessing_layers = {
    "RandomFlip": lambda: keras.layers.RandomFlip(seed=1),
    "RandomRotation": lambda: keras.layers.RandomRotation(0.2, seed=1),
    "RandomContrast": lambda: keras.layers.RandomContrast(0.5, seed=1),
    "Resizing": lambda: keras.layers.Resizing(8, 8),
    "Rescaling": lambda: keras.layers.Rescaling(1 / 255),
}


def run_before_bn(make_layer, **call_kwargs):
    layer, recorder = make_layer(), TrainingRecorder()
    bn = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(images.shape[1:]), layer, recorder, bn])
    before = bn.moving_mean.numpy()
    model(images, **call_kwargs)
    moved = not np.array_equal(before, bn.moving_mean.numpy())
    return {"next layer received": recorder.received, "BN moving mean changed": moved}


before_bn = pd.concat(
    {
        "model(x)": pd.DataFrame(
            {name: run_before_bn(make) for name, make in preprocessing_layers.items()}
        ).T,
        "model(x, training=False)": pd.DataFrame(
            {
                name: run_before_bn(make, training=False)
                for name, make in preprocessing_layers.items()
            }
        ).T,
    },
    axis=1,
)
display(before_bn)

# %% preprocessing-before-bn-claims
plain_call = before_bn["model(x)"]
claim(
    "SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING",
    "In Keras 3.6 to 3.15, under a plain `model(x)`, a layer with a `training=True` "
    "default (an augmentation layer or `Resizing`) passes `True` to the layers after "
    "it, so a later `BatchNormalization` runs in training mode and updates its moving "
    "statistics; after `Rescaling` it does not.",
    observed=plain_call.to_dict("index"),
    expected={
        name: {
            "next layer received": True if name != "Rescaling" else None,
            "BN moving mean changed": name != "Rescaling",
        }
        for name in preprocessing_layers
    },
)
claim(
    "SOURCE-EXPLICIT-FALSE-KEEPS-BN-IN-INFERENCE",
    "`model(x, training=False)` keeps every layer after a preprocessing layer in "
    "inference mode.",
    observed=before_bn["model(x, training=False)"].to_dict("list"),
    expected={
        "next layer received": [False] * len(preprocessing_layers),
        "BN moving mean changed": [False] * len(preprocessing_layers),
    },
)


# %% forwarding
def wrapper_classes(library, recorder_class):
    """Three custom layers around an inner layer: they differ in what they pass on."""

    class Forwards(library.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = recorder_class()

        def call(self, inputs, training=None):
            return self.inner(inputs, training=training)

    class Drops(Forwards):
        def call(self, inputs, training=None):
            return self.inner(inputs)

    class NoTrainingArgument(Forwards):
        def call(self, inputs):
            return self.inner(inputs)

    return [Forwards, Drops, NoTrainingArgument]


def inner_received(wrapper_class, **call_kwargs):
    wrapper = wrapper_class()
    return received(wrapper.inner, lambda: wrapper(ones, **call_kwargs))


def forwarding_table(library, recorder_class):
    """What the inner layer receives, per wrapper and per call of the wrapper."""
    return pd.DataFrame(
        {
            cls.__name__: {
                "wrapper(x, training=True)": inner_received(cls, training=True),
                "wrapper(x, training=False)": inner_received(cls, training=False),
                "wrapper(x)": inner_received(cls),
            }
            for cls in wrapper_classes(library, recorder_class)
        }
    ).T.rename_axis(f"{library.__name__} {library.__version__}: wrapper")


forwarding = forwarding_table(keras, TrainingRecorder)
display(forwarding)

# %% forwarding-claims
forwards_row = {
    "wrapper(x, training=True)": True,
    "wrapper(x, training=False)": False,
    "wrapper(x)": None,
}
same_for_every_wrapper = {
    wrapper: forwards_row for wrapper in ("Forwards", "Drops", "NoTrainingArgument")
}
claim(
    "SOURCE-FORGETTING-TRAINING-IS-HARMLESS",
    "Since Keras 3.10, an inner layer receives the same `training` whether its custom "
    "parent layer forwards `training`, drops it, or has no `training` argument.",
    observed=forwarding.to_dict("index"),
    expected=same_for_every_wrapper,
)

# %% forwarding-keras2
print("tf-keras", tf_keras.__version__)
keras2_forwarding = forwarding_table(tf_keras, Keras2Recorder)
display(keras2_forwarding)
claim(
    "SOURCE-FORGETTING-TRAINING-IS-HARMLESS-KERAS2",
    "Keras 2 (tf-keras) propagates `training` the same way: forwarding, dropping or "
    "not declaring it gives the inner layer the same value.",
    observed=keras2_forwarding.to_dict("index"),
    expected=same_for_every_wrapper,
)

"""The code of the page "Fine-tuning a `keras.applications` model, offline".

The page is docs/applications.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json applications``.
"""

# %% setup
import keras
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.backends import to_numpy
from keras_guide.claims import claim
from keras_guide.digits import SOURCE_DIGITS, TARGET_DIGITS, load_transfer_task
from keras_guide.models import summary_text, summary_totals, trainable_column
from keras_guide.page import glue, start_page
from keras_guide.transfer import batchnorm_layers, moving_statistics

start_page()

# %% data
IMAGE_SIZE = 32
SOURCE_IMAGES = 320
LABELS_PER_CLASS = 20
data = load_transfer_task(labels_per_class=LABELS_PER_CLASS)


def to_rgb(images):
    """8 x 8 grey images in [0, 1] -> 32 x 32 RGB images in [0, 255]."""
    scale = IMAGE_SIZE // images.shape[1]
    images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    return images.repeat(3, axis=-1) * 255.0


x_source = to_rgb(data.source_train[0][:SOURCE_IMAGES])
y_source = data.source_train[1][:SOURCE_IMAGES]
x_source_val, y_source_val = to_rgb(data.source_val[0]), data.source_val[1]
x_train, y_train = to_rgb(data.target_train[0]), data.target_train[1]
# Every fourth test image: the test split is sorted by class.
x_test, y_test = to_rgb(data.target_test[0][::4]), data.target_test[1][::4]
sizes = {
    "source train": len(x_source),
    "source validation": len(x_source_val),
    "target train": len(x_train),
    "target test": len(x_test),
}
display(pd.Series(sizes, name="images").to_frame())
for name, size in sizes.items():
    glue(f"{name.replace(' ', '-')}-images", size)
glue("image-size", IMAGE_SIZE)
glue("labels-per-class", LABELS_PER_CLASS)
for task, digits in (("source", SOURCE_DIGITS), ("target", TARGET_DIGITS)):
    glue(f"{task}-first-digit", digits[0])
    glue(f"{task}-last-digit", digits[-1])

# %% pretrain
base = keras.applications.EfficientNetB0(
    include_top=False,
    weights=None,
    input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3),
    pooling="avg",
)
batchnorms = batchnorm_layers(base)
dropouts = [layer for layer in base.layers if isinstance(layer, keras.layers.Dropout)]
# 0.9 rather than 0.99: the moving statistics settle within the few steps below.
for layer in batchnorms:
    layer.momentum = 0.9
inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
pretraining = keras.Model(inputs, outputs)
# Plain SGD keeps no state per weight, so it sets up fast for the base's
# hundreds of weights; that keeps this page quick on a CPU.
pretraining.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.05),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
PRETRAIN_EPOCHS = 5
pretraining.fit(x_source, y_source, epochs=PRETRAIN_EPOCHS, batch_size=16, verbose=0)
_, source_accuracy = pretraining.evaluate(x_source_val, y_source_val, verbose=0)
print(f"{base.name}: {len(base.layers)} layers, {base.count_params():,} parameters")
print(f"{len(batchnorms)} BatchNormalization layers, {len(dropouts)} Dropout layers:")
print([layer.name for layer in dropouts])
print(f"source validation accuracy: {source_accuracy:.3f}")
glue("base-layers", len(base.layers))
glue("dropout-layers", len(dropouts))
glue("batchnorm-layers", len(batchnorms))
glue("pretrain-epochs", PRETRAIN_EPOCHS)
glue("source-accuracy", float(source_accuracy))

# %% probes
received = {}


def record_training(layer):
    """Wrap `layer.call` so that it records the `training` value it receives."""
    call = layer.call

    def call_and_record(inputs, training=None):
        received[layer.name] = training
        return call(inputs, training=training)

    layer.call = call_and_record


for layer in dropouts:
    record_training(layer)
pretrained_statistics = moving_statistics(base)
print("recording the training value of:", ", ".join(layer.name for layer in dropouts))
print("moving statistics copied:", *pretrained_statistics)

# %% head
base.trainable = False
inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
features = base(inputs, training=False)
outputs = keras.layers.Dense(5, activation="softmax")(features)
model = keras.Model(inputs, outputs)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
HEAD_EPOCHS = 10
model.fit(x_train, y_train, epochs=HEAD_EPOCHS, batch_size=16, verbose=0)
during_fit = dict(received)  # what the base's Dropout layers received
received.clear()
_, head_accuracy = model.evaluate(x_test, y_test, verbose=0)
during_evaluate = dict(received)
print(f"target-test accuracy, head only: {head_accuracy:.3f}")
glue("head-epochs", HEAD_EPOCHS)
glue("head-accuracy", float(head_accuracy))

# %% received
statistics_kept = all(
    np.array_equal(pretrained_statistics[name], after)
    for name, after in moving_statistics(base).items()
)
display(
    pd.DataFrame({"fit()": during_fit, "evaluate()": during_evaluate}).rename_axis(
        "training received by"
    )
)
print("moving statistics unchanged by fit():", statistics_kept)
dropout_names = [layer.name for layer in dropouts]
claim(
    "APPS-FIT-DROPOUT-GETS-TRUE",
    "On Keras 3.0 to 3.15, during `fit()`, every `Dropout` layer inside an "
    "EfficientNetB0 base that is frozen (`base.trainable = False`) and called as "
    "`base(inputs, training=False)` receives `training=True`.",
    observed=during_fit,
    expected=dict.fromkeys(dropout_names, True),
)
claim(
    "APPS-EVALUATE-DROPOUT-GETS-FALSE",
    "During `evaluate()`, every `Dropout` layer of the same base receives "
    "`training=False`.",
    observed=during_evaluate,
    expected=dict.fromkeys(dropout_names, False),
)
claim(
    "APPS-HEAD-FIT-KEEPS-BN-STATS",
    "While the EfficientNetB0 base is frozen, `fit()` leaves the moving statistics "
    "of all its `BatchNormalization` layers unchanged.",
    observed=statistics_kept,
    expected=True,
)

# %% head-random
# fit() calls the model with training=True at each step: do the same, twice.
images = x_train[:8]
first = to_numpy(model(images, training=True))
second = to_numpy(model(images, training=True))
random_in_training = not np.allclose(first, second)
print("two calls with training=True give different outputs:", random_in_training)
claim(
    "APPS-FROZEN-BASE-RANDOM-IN-TRAINING",
    "On Keras 3.0 to 3.15, a model with a frozen EfficientNetB0 base called as "
    "`base(inputs, training=False)` gives different outputs for the same images in "
    "two calls with `training=True`, as in `fit()`: the base's `Dropout` layers drop.",
    observed=random_in_training,
    expected=True,
)


# %% dropout-off
class InInferenceMode(keras.layers.Layer):
    """Calls the layer it wraps with training=False, whatever fit() passes."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs):
        return self.layer(inputs, training=False)


inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
features = InInferenceMode(base)(inputs)
outputs = keras.layers.Dense(5, activation="softmax")(features)
steady = keras.Model(inputs, outputs)
steady.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
received.clear()
steady.fit(x_train[:16], y_train[:16], epochs=1, batch_size=16, verbose=0)

# %% dropout-off-check
steady_during_fit = dict(received)
steady_repeats = np.allclose(
    to_numpy(steady(images, training=True)), to_numpy(steady(images, training=True))
)
display(pd.Series(steady_during_fit, name="fit()").rename_axis("training received by"))
print("two calls with training=True give the same outputs:", steady_repeats)
claim(
    "APPS-WRAPPED-BASE-DROPOUT-OFF",
    "Called from a layer whose `call()` passes `training=False`, every `Dropout` "
    "layer of the frozen EfficientNetB0 base receives `training=False` during "
    "`fit()`, and the model gives the same outputs in two calls with "
    "`training=True`.",
    observed=(steady_during_fit, steady_repeats),
    expected=(dict.fromkeys(dropout_names, False), True),
)

# %% unfreeze
base.trainable = True
k = [layer.name for layer in base.layers].index("block6a_expand_conv")
for layer in base.layers[:k]:
    layer.trainable = False
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-4),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
glue("k", k)

# %% summary
# Narrow columns, so that the Trainable column fits in 80 characters.
summary = summary_text(
    base, show_trainable=True, line_length=80, positions=[0.55, 0.72, 0.82, 0.92, 1.0]
)
column = trainable_column(summary)
names = [layer.name for layer in base.layers]
display(
    pd.Series({name: column[name] for name in names[k - 3 : k + 6]}, name="Trainable")
    .rename_axis(f"base.layers[{k - 3}:{k + 6}]")
    .to_frame()
)
totals = summary_totals(summary_text(model, show_trainable=True))
display(pd.Series(totals, name="model.summary()").rename_axis("params").to_frame())

# %% summary-claims
unfrozen = [
    layer
    for layer in base.layers[k:]
    if layer.weights and not isinstance(layer, keras.layers.BatchNormalization)
]
head = model.layers[-1]
expected_trainable = sum(layer.count_params() for layer in unfrozen + [head])
glue("unfrozen-layers", len(unfrozen))
glue("trainable-params", expected_trainable)
claim(
    "APPS-SUMMARY-COUNTS-UNFROZEN",
    "After unfreezing the layers from `base.layers[k]` on, except "
    "`BatchNormalization`, the model's summary counts as trainable exactly the "
    "parameters of those layers and of the head.",
    observed=totals["Trainable"],
    expected=expected_trainable,
)
claim(
    "APPS-SUMMARY-COLUMN-UNFROZEN",
    "In the base's `summary(show_trainable=True)`, the layers with weights show Y "
    "from `base.layers[k]` on, except `BatchNormalization`, and N before.",
    observed={name: column[name] for name in names if base.get_layer(name).weights},
    expected={
        layer.name: "Y" if layer in unfrozen else "N"
        for layer in base.layers
        if layer.weights
    },
)

# %% fine-tune
FINE_TUNE_EPOCHS = 5
before = [[to_numpy(w) for w in layer.weights] for layer in base.layers]
model.fit(x_train, y_train, epochs=FINE_TUNE_EPOCHS, batch_size=16, verbose=0)
_, fine_tuned_accuracy = model.evaluate(x_test, y_test, verbose=0)
changed = [
    layer.name
    for layer, weights in zip(base.layers, before)
    if any(not np.array_equal(b, to_numpy(a)) for b, a in zip(weights, layer.weights))
]
print(f"target-test accuracy: head only {head_accuracy:.3f}, ", end="")
print(f"fine-tuned {fine_tuned_accuracy:.3f}")
print("layers of the base changed by fine-tuning:", changed)
glue("fine-tune-epochs", FINE_TUNE_EPOCHS)
glue("fine-tuned-accuracy", float(fine_tuned_accuracy))
claim(
    "APPS-FINE-TUNE-CHANGES-UNFROZEN-ONLY",
    "Fine-tuning changes the weights of the layers you unfroze, and of no other "
    "layer of the base.",
    observed=changed,
    expected=[layer.name for layer in unfrozen],
)

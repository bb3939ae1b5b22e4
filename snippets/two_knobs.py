"""The code of the page "Two knobs: `trainable` and `training`" (docs/two_knobs.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json two_knobs``.
"""

# %% setup
import math
import warnings

import keras
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import to_numpy
from keras_guide.batchnorm import call_and_watch
from keras_guide.claims import claim
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_lists, weight_path, weight_split

start_page()

# %% dense-weights
dense = keras.layers.Dense(3)
dense.build((None, 4))
display(weight_lists(dense))
claim(
    "KNOBS-DENSE-WEIGHTS-TRAINABLE",
    "A new `Dense` layer has two weights, `kernel` and `bias`, and both are trainable.",
    observed=weight_split(dense),
    expected=(["kernel", "bias"], []),
)

# %% dense-frozen
dense.trainable = False
display(weight_lists(dense))
claim(
    "KNOBS-FROZEN-DENSE-WEIGHTS",
    "After `trainable = False`, both weights of a `Dense` layer move to "
    "`non_trainable_weights`; `weights` still lists them.",
    observed=weight_split(dense),
    expected=([], ["kernel", "bias"]),
)

# %% fit-respects-trainable
model = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)]
)
frozen, head = model.layers
frozen.trainable = False
model.compile(optimizer="sgd", loss="mse")

before = [w.numpy() for w in model.weights]
x = np.random.default_rng(1).normal(size=(32, 4)).astype("float32")
epochs = 1
model.fit(x, x.sum(axis=1), epochs=epochs, verbose=0)
glue("frozen-fit-epochs", epochs)

changed = {
    weight_path(w): not np.array_equal(old, w.numpy())
    for old, w in zip(before, model.weights)
}
display(pd.Series(changed, name="changed by fit()"))
claim(
    "KNOBS-FIT-UPDATES-TRAINABLE-ONLY",
    "`fit()` updates the weights of the layer you did not freeze and leaves the "
    "frozen layer's weights as they were.",
    observed=changed,
    expected={
        weight_path(w): layer is head for layer in model.layers for w in layer.weights
    },
)

# %% bn-weights
bn = keras.layers.BatchNormalization()
bn.build((None, 4))
display(weight_lists(bn))
glue("bn-weight-count", len(bn.weights))
claim(
    "KNOBS-BN-FOUR-WEIGHTS",
    "`BatchNormalization` has four weights: `gamma` and `beta` are trainable, "
    "`moving_mean` and `moving_variance` are not.",
    observed=weight_split(bn),
    expected=(["gamma", "beta"], ["moving_mean", "moving_variance"]),
)

# %% bn-frozen-weights
bn.trainable = False
display(weight_lists(bn))
claim(
    "KNOBS-FROZEN-BN-WEIGHTS",
    "After `trainable = False`, all four weights of `BatchNormalization` are "
    "non-trainable.",
    observed=(len(bn.trainable_weights), len(bn.non_trainable_weights)),
    expected=(0, 4),
)

# %% dropout-training
ones = np.ones((1, 8), dtype="float32")
dropout = keras.layers.Dropout(0.5, seed=1)
glue("dropout-scale", 1 / (1 - dropout.rate))
print("training=True: ", to_numpy(dropout(ones, training=True)))
print("training=False:", to_numpy(dropout(ones, training=False)))
print("not passed:    ", to_numpy(dropout(ones)))
claim(
    "KNOBS-DROPOUT-TRAINING",
    "`Dropout` zeroes inputs and scales the others by 1 / (1 - rate) only when called "
    "with `training=True`; with `training=False` or no `training` it returns its "
    "input.",
    observed=(
        sorted(set(to_numpy(dropout(ones, training=True)).ravel().tolist())),
        np.array_equal(dropout(ones, training=False), ones),
        np.array_equal(dropout(ones), ones),
    ),
    expected=([0.0, 2.0], True, True),
)

# %% batch
rng = np.random.default_rng(0)
drawn_mean, drawn_std = 5.0, 2.0
batch = rng.normal(loc=drawn_mean, scale=drawn_std, size=(64, 4)).astype("float32")
glue("batch-drawn-mean", drawn_mean)
glue("batch-drawn-std", drawn_std)
print("batch mean:     ", batch.mean(axis=0).round(2))
print("batch variance: ", batch.var(axis=0).round(2))

new_bn = keras.layers.BatchNormalization()
new_bn.build(batch.shape)
print("moving_mean:    ", new_bn.moving_mean.numpy())
print("moving_variance:", new_bn.moving_variance.numpy())
claim(
    "KNOBS-BN-INITIAL-MOVING-STATS",
    "A new `BatchNormalization` starts with a moving mean of 0 and a moving variance "
    "of 1.",
    observed=(
        set(new_bn.moving_mean.numpy().tolist()),
        set(new_bn.moving_variance.numpy().tolist()),
    ),
    expected=({0.0}, {1.0}),
)
glue("initial-moving-mean", float(new_bn.moving_mean.numpy()[0]))
glue("initial-moving-variance", float(new_bn.moving_variance.numpy()[0]))

# %% bn-training-modes
bn = keras.layers.BatchNormalization()
_, in_training = call_and_watch(bn, batch, training=True)
_, in_inference = call_and_watch(bn, batch, training=False)
_, not_passed = call_and_watch(bn, batch)
display(
    pd.DataFrame(
        {
            "training=True": in_training,
            "training=False": in_inference,
            "not passed": not_passed,
        }
    )
)
inference_mode = {"normalised with": "moving", "moving stats changed": False}
claim(
    "KNOBS-BN-TRAINING-MODE",
    "Called with `training=True`, `BatchNormalization` normalises with the batch's "
    "statistics and updates its moving statistics.",
    observed=in_training,
    expected={"normalised with": "batch", "moving stats changed": True},
)
claim(
    "KNOBS-BN-INFERENCE-MODE",
    "Called with `training=False`, or with no `training` at all, `BatchNormalization` "
    "normalises with its moving statistics and leaves them unchanged.",
    observed=(in_inference, not_passed),
    expected=(inference_mode, inference_mode),
)

# %% bn-frozen-forces-inference
frozen_bn = keras.layers.BatchNormalization()
frozen_bn.trainable = False
_, frozen_in_training = call_and_watch(frozen_bn, batch, training=True)
print("frozen, training=True:", frozen_in_training)
claim(
    "KNOBS-FROZEN-BN-INFERENCE",
    "A `BatchNormalization` layer with `trainable = False` runs in inference mode even "
    "when called with `training=True`: moving statistics in, no update.",
    observed=frozen_in_training,
    expected=inference_mode,
)

# %% bn-frozen-keras2
keras2_bn = tf_keras.layers.BatchNormalization()
keras2_bn.trainable = False
_, keras2_frozen_in_training = call_and_watch(keras2_bn, batch, training=True)
print(f"tf-keras {tf_keras.__version__}, frozen, training=True:")
print(keras2_frozen_in_training)
claim(
    "KNOBS-FROZEN-BN-INFERENCE-KERAS2",
    "Keras 2 (tf-keras) behaves the same: a frozen `BatchNormalization` called with "
    "`training=True` runs in inference mode.",
    observed=keras2_frozen_in_training,
    expected=inference_mode,
)


# %% truth-table-model
class PassesTraining(keras.Model):
    """A model whose `call()` calls its BatchNormalization as a row of the table says:
    with `training=True`, with `training=False`, or with no `training` (None)."""

    def __init__(self, bn, training):
        super().__init__()
        self.bn = bn
        self.bn_training = training

    def call(self, inputs):
        if self.bn_training is None:
            return self.bn(inputs)
        return self.bn(inputs, training=self.bn_training)


# `batch_size` is the length of the batch, so each epoch is one training step.
fit_options = {"batch_size": len(batch), "epochs": 1, "shuffle": False, "verbose": 0}
steps = fit_options["epochs"] * math.ceil(len(batch) / fit_options["batch_size"])
glue("truth-table-epochs", fit_options["epochs"])
glue("truth-table-steps", steps)
# A target of ones: with zeros, `beta` would move in training mode only by round-off,
# since a batch-normalised output has mean 0.
target = np.ones_like(batch)


def learns_in_fit(trainable, training):
    """Fit a model around a BatchNormalization; say whether `gamma` and `beta` moved."""
    bn = keras.layers.BatchNormalization()
    bn.build(batch.shape)
    bn.trainable = trainable
    model = PassesTraining(bn, training)
    # Eager: each new model would otherwise trace a new tf.function, and TensorFlow
    # logs a retracing warning from the fifth one on.
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    with warnings.catch_warnings():
        # Keras 3 warns that a model with a frozen BatchNormalization has no
        # trainable weights: that is the point of the frozen rows.
        warnings.filterwarnings("ignore", "The model does not have any trainable")
        model.fit(batch, target, **fit_options)
    return {
        "fit() changes gamma": not np.array_equal(gamma, bn.gamma.numpy()),
        "fit() changes beta": not np.array_equal(beta, bn.beta.numpy()),
    }


# %% truth-table
def observe(trainable, training):
    """Call Dropout and BatchNormalization directly with these flags, then fit a
    BatchNormalization with them; say what each did."""
    kwargs = {} if training is None else {"training": training}
    dropout = keras.layers.Dropout(0.5, seed=1)
    dropout.trainable = trainable
    bn = keras.layers.BatchNormalization()
    bn.build(batch.shape)
    bn.trainable = trainable
    _, report = call_and_watch(bn, batch, **kwargs)
    return {
        "Dropout drops units": not np.array_equal(dropout(ones, **kwargs), ones),
        "BN normalises with": report["normalised with"],
        "BN moving stats change": report["moving stats changed"],
        **learns_in_fit(trainable, training),
    }


flags = [(t, training) for t in (True, False) for training in (True, False, None)]
rows = [(t, "not passed" if training is None else training) for t, training in flags]
truth_table = pd.DataFrame(
    [observe(trainable, training) for trainable, training in flags],
    index=pd.MultiIndex.from_tuples(rows, names=["trainable", "training"]),
)
glue("truth-table", truth_table)
display(truth_table)

# %% truth-table-claims
by_training = truth_table.droplevel("trainable").groupby(level="training", sort=False)
claim(
    "KNOBS-DROPOUT-IGNORES-TRAINABLE",
    "Whether `Dropout` drops units depends on `training` only, never on `trainable`.",
    observed=bool(by_training["Dropout drops units"].nunique().eq(1).all()),
    expected=True,
)
batch_statistics = truth_table["BN normalises with"].eq("batch")
claim(
    "KNOBS-BN-TRAINING-NEEDS-BOTH",
    "`BatchNormalization` uses batch statistics, and moves its moving statistics, only "
    "when `trainable` is True and `training=True`; every other combination is "
    "inference mode.",
    observed=(
        batch_statistics[batch_statistics].index.tolist(),
        truth_table["BN moving stats change"].equals(batch_statistics),
    ),
    expected=([(True, True)], True),
)
trainable_by_row = [trainable for trainable, _ in flags]
claim(
    "KNOBS-GAMMA-BETA-FOLLOW-TRAINABLE",
    "`fit()` changes both `gamma` and `beta` of a `BatchNormalization` whose "
    "`trainable` is True, and neither when it is False, whether the model's `call()` "
    "passes the layer `training=True`, `training=False` or no `training`: the two "
    "knobs control different things.",
    observed={
        "gamma": truth_table["fit() changes gamma"].tolist(),
        "beta": truth_table["fit() changes beta"].tolist(),
    },
    expected={"gamma": trainable_by_row, "beta": trainable_by_row},
)
called_directly = truth_table[
    ["Dropout drops units", "BN normalises with", "BN moving stats change"]
]
claim(
    "KNOBS-TRAINING-DEFAULTS-TO-INFERENCE",
    "Called directly, outside any model, `Dropout` and `BatchNormalization` given no "
    "`training` behave as with `training=False`.",
    observed=called_directly.xs("not passed", level="training").equals(
        called_directly.xs(False, level="training")
    ),
    expected=True,
)

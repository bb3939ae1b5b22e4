"""The code of the page "Two knobs: `trainable` and `training`" (docs/two_knobs.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json two_knobs``.
"""

# %% setup
import keras
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import gradient_step, to_numpy
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
model.fit(x, x.sum(axis=1), epochs=1, verbose=0)

claim(
    "KNOBS-FIT-UPDATES-TRAINABLE-ONLY",
    "`fit()` updates the weights of the layer you did not freeze and leaves the "
    "frozen layer's weights as they were.",
    observed={
        weight_path(w): not np.array_equal(old, w.numpy())
        for old, w in zip(before, model.weights)
    },
    expected={
        weight_path(w): layer is head for layer in model.layers for w in layer.weights
    },
)

# %% bn-weights
bn = keras.layers.BatchNormalization()
bn.build((None, 4))
display(weight_lists(bn))
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
batch = rng.normal(loc=5.0, scale=2.0, size=(64, 4)).astype("float32")
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
print("tf-keras", tf_keras.__version__)
claim(
    "KNOBS-FROZEN-BN-INFERENCE-KERAS2",
    "Keras 2 (tf-keras) behaves the same: a frozen `BatchNormalization` called with "
    "`training=True` runs in inference mode.",
    observed=keras2_frozen_in_training,
    expected=inference_mode,
)

# %% truth-table
target = np.zeros_like(batch)


def observe(trainable, training):
    """Call Dropout and BatchNormalization with these flags; say what they did."""
    kwargs = {} if training is None else {"training": training}
    dropout = keras.layers.Dropout(0.5, seed=1)
    dropout.trainable = trainable
    bn = keras.layers.BatchNormalization()
    bn.build(batch.shape)
    bn.trainable = trainable

    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    _, report = call_and_watch(bn, batch, **kwargs)
    # One step as fit() takes it: gradients for the trainable weights only.
    if bn.trainable_weights:
        loss = keras.losses.MeanSquaredError()
        gradient_step(
            lambda: loss(target, bn(batch, **kwargs)),
            bn.trainable_weights,
            keras.optimizers.SGD(0.1),
        )

    return {
        "Dropout drops units": not np.array_equal(dropout(ones, **kwargs), ones),
        "BN normalises with": report["normalised with"],
        "BN moving stats change": report["moving stats changed"],
        "gamma/beta change in a gradient step": not (
            np.array_equal(gamma, bn.gamma.numpy())
            and np.array_equal(beta, bn.beta.numpy())
        ),
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
claim(
    "KNOBS-GAMMA-BETA-FOLLOW-TRAINABLE",
    "A gradient step changes `gamma` and `beta` exactly when `trainable` is True, "
    "whatever `training` is: the two knobs control different things.",
    observed=truth_table["gamma/beta change in a gradient step"].tolist(),
    expected=[trainable for trainable, _ in flags],
)
claim(
    "KNOBS-TRAINING-DEFAULTS-TO-INFERENCE",
    "Called directly, outside any model, a layer given no `training` behaves as with "
    "`training=False`.",
    observed=truth_table.xs("not passed", level="training").equals(
        truth_table.xs(False, level="training")
    ),
    expected=True,
)

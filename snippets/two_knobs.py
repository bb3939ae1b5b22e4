"""The code of the page "Two knobs: `trainable` and `training`" (docs/two_knobs.md).

Each ``# %% name`` section is one cell of the page. Run the whole page as a
script with ``python snippets/two_knobs.py``.
"""

# %% setup
import keras
import numpy as np
import pandas as pd
import tensorflow as tf
import tf_keras
from IPython.display import display

from keras_guide.batchnorm import call_and_watch
from keras_guide.claims import claim
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_lists, weight_names

start_page()

# %% dense-weights
dense = keras.layers.Dense(3)
dense.build((None, 4))
display(weight_lists(dense))
claim(
    "KNOBS-DENSE-WEIGHTS-TRAINABLE",
    "A new `Dense` layer has two weights, `kernel` and `bias`, and both are trainable.",
    observed=(weight_names(dense.trainable_weights), weight_names(dense.non_trainable_weights)),
    expected=(["kernel", "bias"], []),
)

# %% dense-frozen
dense.trainable = False
display(weight_lists(dense))
claim(
    "KNOBS-FROZEN-DENSE-WEIGHTS",
    "After `trainable = False`, both weights of a `Dense` layer move to `non_trainable_weights`; "
    "`weights` still lists them.",
    observed=(weight_names(dense.trainable_weights), weight_names(dense.non_trainable_weights)),
    expected=([], ["kernel", "bias"]),
)

# %% fit-respects-trainable
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)])
model.layers[0].trainable = False
model.compile(optimizer="sgd", loss="mse")
before = [w.numpy() for w in model.weights]
features = np.random.default_rng(1).normal(size=(32, 4)).astype("float32")
model.fit(features, features.sum(axis=1), epochs=1, verbose=0)
changed = {w.path: not np.array_equal(old, w.numpy()) for old, w in zip(before, model.weights)}
print(changed)
claim(
    "KNOBS-FIT-UPDATES-TRAINABLE-ONLY",
    "`fit()` updates the weights in `trainable_weights` and leaves a frozen layer's weights as they were.",
    observed=changed,
    expected={w.path: w.trainable for w in model.weights},
)

# %% bn-weights
bn = keras.layers.BatchNormalization()
bn.build((None, 4))
display(weight_lists(bn))
claim(
    "KNOBS-BN-FOUR-WEIGHTS",
    "`BatchNormalization` has four weights: `gamma` and `beta` are trainable, "
    "`moving_mean` and `moving_variance` are not.",
    observed=(weight_names(bn.trainable_weights), weight_names(bn.non_trainable_weights)),
    expected=(["gamma", "beta"], ["moving_mean", "moving_variance"]),
)

# %% bn-frozen-weights
bn.trainable = False
display(weight_lists(bn))
claim(
    "KNOBS-FROZEN-BN-WEIGHTS",
    "After `trainable = False`, all four weights of `BatchNormalization` are non-trainable.",
    observed=(len(bn.trainable_weights), len(bn.non_trainable_weights)),
    expected=(0, 4),
)

# %% dropout-training
ones = np.ones((1, 8), dtype="float32")
dropout = keras.layers.Dropout(0.5, seed=1)
print("training=True: ", np.asarray(dropout(ones, training=True)))
print("training=False:", np.asarray(dropout(ones, training=False)))
print("not passed:    ", np.asarray(dropout(ones)))
claim(
    "KNOBS-DROPOUT-TRAINING",
    "`Dropout` zeroes inputs and scales the others by 1 / (1 - rate) only when called with "
    "`training=True`; with `training=False` or no `training` it returns its input.",
    observed=(
        sorted(set(np.asarray(dropout(ones, training=True)).ravel().tolist())),
        np.array_equal(dropout(ones, training=False), ones),
        np.array_equal(dropout(ones), ones),
    ),
    expected=([0.0, 2.0], True, True),
)

# %% batch
batch = np.random.default_rng(0).normal(loc=5.0, scale=2.0, size=(64, 4)).astype("float32")
print("batch mean:    ", batch.mean(axis=0).round(2))
print("batch variance:", batch.var(axis=0).round(2))
fresh_bn = keras.layers.BatchNormalization()
fresh_bn.build(batch.shape)
print("moving_mean:    ", fresh_bn.moving_mean.numpy())
print("moving_variance:", fresh_bn.moving_variance.numpy())
claim(
    "KNOBS-BN-INITIAL-MOVING-STATS",
    "A new `BatchNormalization` starts with a moving mean of 0 and a moving variance of 1.",
    observed=(set(fresh_bn.moving_mean.numpy().tolist()), set(fresh_bn.moving_variance.numpy().tolist())),
    expected=({0.0}, {1.0}),
)

# %% bn-training-modes
bn = keras.layers.BatchNormalization()
_, in_training = call_and_watch(bn, batch, training=True)
_, in_inference = call_and_watch(bn, batch, training=False)
_, not_passed = call_and_watch(bn, batch)
display(pd.DataFrame({"training=True": in_training, "training=False": in_inference, "not passed": not_passed}))
claim(
    "KNOBS-BN-TRAINING-MODE",
    "Called with `training=True`, `BatchNormalization` normalises with the batch's statistics "
    "and updates its moving statistics.",
    observed=in_training,
    expected={"normalised with": "batch", "moving stats changed": True},
)
claim(
    "KNOBS-BN-INFERENCE-MODE",
    "Called with `training=False`, or with no `training` at all, `BatchNormalization` "
    "normalises with its moving statistics and leaves them unchanged.",
    observed=(in_inference, not_passed),
    expected=({"normalised with": "moving", "moving stats changed": False},) * 2,
)

# %% bn-frozen-forces-inference
frozen_bn = keras.layers.BatchNormalization()
frozen_bn.trainable = False
_, frozen_in_training = call_and_watch(frozen_bn, batch, training=True)
print(frozen_in_training)
claim(
    "KNOBS-FROZEN-BN-INFERENCE",
    "A `BatchNormalization` layer with `trainable = False` runs in inference mode even when "
    "called with `training=True`: moving statistics in, no update.",
    observed=frozen_in_training,
    expected={"normalised with": "moving", "moving stats changed": False},
)

# %% bn-frozen-keras2
keras2_bn = tf_keras.layers.BatchNormalization()
keras2_bn.trainable = False
_, keras2_frozen_in_training = call_and_watch(keras2_bn, batch, training=True)
print(f"tf-keras {tf_keras.__version__}:", keras2_frozen_in_training)
claim(
    "KNOBS-FROZEN-BN-INFERENCE-KERAS2",
    "Keras 2 (tf-keras) behaves the same: a frozen `BatchNormalization` called with "
    "`training=True` runs in inference mode.",
    observed=keras2_frozen_in_training,
    expected={"normalised with": "moving", "moving stats changed": False},
)

# %% truth-table
target = np.zeros_like(batch)


def observe(trainable, training):
    """Run Dropout and BatchNormalization once with these flags and record what they did."""
    call_kwargs = {} if training is None else {"training": training}
    dropout = keras.layers.Dropout(0.5, seed=1)
    dropout.trainable = trainable
    bn = keras.layers.BatchNormalization()
    bn.build(batch.shape)
    bn.trainable = trainable
    gamma_beta_before = [w.numpy() for w in (bn.gamma, bn.beta)]
    with tf.GradientTape() as tape:
        output, report = call_and_watch(bn, batch, **call_kwargs)
        loss = tf.reduce_mean((output - target) ** 2)
    if bn.trainable_weights:
        gradients = tape.gradient(loss, bn.trainable_weights)
        keras.optimizers.SGD(learning_rate=0.1).apply(gradients, bn.trainable_weights)
    return {
        "Dropout drops units": not np.array_equal(dropout(ones, **call_kwargs), ones),
        "BN normalises with": report["normalised with"],
        "BN moving stats change": report["moving stats changed"],
        "gamma/beta change in a gradient step": not all(
            np.array_equal(before, w.numpy()) for before, w in zip(gamma_beta_before, (bn.gamma, bn.beta))
        ),
    }


rows = [(trainable, training) for trainable in (True, False) for training in (True, False, None)]
truth_table = pd.DataFrame(
    [observe(trainable, training) for trainable, training in rows],
    index=pd.MultiIndex.from_tuples(
        [(trainable, "not passed" if training is None else training) for trainable, training in rows],
        names=["trainable", "training"],
    ),
)
glue("truth-table", truth_table)
display(truth_table)

# %% truth-table-claims
drops = truth_table["Dropout drops units"]
claim(
    "KNOBS-DROPOUT-IGNORES-TRAINABLE",
    "Whether `Dropout` drops units depends on `training` only, never on `trainable`.",
    observed=bool(drops.droplevel("trainable").groupby(level="training", sort=False).nunique().eq(1).all()),
    expected=True,
)
training_mode = truth_table["BN normalises with"].eq("batch")
claim(
    "KNOBS-BN-TRAINING-NEEDS-BOTH",
    "`BatchNormalization` uses batch statistics, and moves its moving statistics, only when "
    "`trainable` is True and `training=True`; every other combination is inference mode.",
    observed=(
        training_mode[training_mode].index.tolist(),
        truth_table["BN moving stats change"].equals(training_mode),
    ),
    expected=([(True, True)], True),
)
claim(
    "KNOBS-GAMMA-BETA-FOLLOW-TRAINABLE",
    "A gradient step changes `gamma` and `beta` exactly when `trainable` is True, whatever "
    "`training` is: the two knobs control different things.",
    observed=truth_table["gamma/beta change in a gradient step"].tolist(),
    expected=[trainable for trainable, _ in rows],
)
claim(
    "KNOBS-TRAINING-DEFAULTS-TO-INFERENCE",
    "Called directly, outside any model, a layer given no `training` behaves as with `training=False`.",
    observed=truth_table.xs("not passed", level="training").equals(
        truth_table.xs(False, level="training")
    ),
    expected=True,
)

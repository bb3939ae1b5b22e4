"""The code of the page "The learner's questions, answered" (docs/faq.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json faq``.
"""

# %% setup
import keras
import numpy as np
import pandas as pd
from IPython.display import display
from sklearn.datasets import load_digits

from keras_guide.backends import input_gradient, to_numpy
from keras_guide.claims import claim
from keras_guide.page import SEED, glue, start_page

start_page()

# %% inference-gradient
rng = np.random.default_rng(0)
batch = rng.normal(loc=5.0, scale=2.0, size=(16, 3)).astype("float32")
upstream = rng.normal(size=batch.shape).astype("float32")

bn = keras.layers.BatchNormalization()
bn(batch, training=True)  # one training step, so the moving statistics are not 0 and 1


def gradient_below(bn, x, training):
    """d(sum(upstream * bn(x))) / dx: what backpropagation sends to the layer below."""
    weights = upstream[: len(x)]
    return input_gradient(
        lambda x: keras.ops.sum(keras.ops.multiply(weights, bn(x, training=training))),
        x,
    )


scale = bn.gamma.numpy() / np.sqrt(bn.moving_variance.numpy() + bn.epsilon)
inference = gradient_below(bn, batch, training=False)
print("gradient for sample 0:       ", inference[0])
print("upstream * gamma / sqrt(...):", upstream[0] * scale)
claim(
    "FAQ-INFERENCE-GRADIENT-IS-A-SCALE",
    "In inference mode, the gradient that `BatchNormalization` sends back to its input "
    "is the upstream gradient times `gamma / sqrt(moving_variance + epsilon)`: no "
    "batch statistic is involved.",
    observed=bool(np.allclose(inference, upstream * scale, rtol=1e-5)),
    expected=True,
)

# %% gradient-companions
companions = rng.normal(loc=5.0, scale=2.0, size=(15, 3)).astype("float32")
other_batch = np.concatenate([batch[:1], companions])
moving_before = bn.moving_mean.numpy(), bn.moving_variance.numpy()

same_sample = {
    mode: (
        gradient_below(bn, batch, training=training)[0],
        gradient_below(bn, other_batch, training=training)[0],
    )
    for mode, training in (("inference", False), ("training", True))
}
bn.moving_mean.assign(moving_before[0])  # undo the updates of the training-mode calls
bn.moving_variance.assign(moving_before[1])
for mode, (first, second) in same_sample.items():
    print(f"{mode:9} mode, sample 0 in two batches:", first, second)
claim(
    "FAQ-TRAINING-GRADIENT-DEPENDS-ON-BATCH",
    "In training mode, the gradient for one sample depends on the other samples of its "
    "batch; in inference mode it does not.",
    observed={mode: bool(np.array_equal(*pair)) for mode, pair in same_sample.items()},
    expected={"inference": True, "training": False},
)

# %% digits
digits = load_digits()
x_all = (digits.data / 16.0).astype("float32")
y_all = digits.target
order = np.random.default_rng(0).permutation(len(x_all))
train, test = order[:1200], order[1200:]
x_train, y_train, x_test, y_test = x_all[train], y_all[train], x_all[test], y_all[test]
print("train:", x_train.shape, "test:", x_test.shape)

# %% model
keras.utils.set_random_seed(SEED)  # the weights, dropout masks and batch order
glue("seed", SEED)
model = keras.Sequential(
    [
        keras.Input((64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
epochs = 5
glue("epochs", epochs)
history = model.fit(
    x_train, y_train, validation_data=(x_test, y_test), epochs=epochs, verbose=0
)
by_epoch = pd.RangeIndex(1, epochs + 1, name="epoch")
display(pd.DataFrame(history.history, index=by_epoch).round(3))

# %% train-vs-validation
reported = history.history["accuracy"][-1]
validation = history.history["val_accuracy"][-1]
_, train_in_inference_mode = model.evaluate(x_train, y_train, verbose=0)
_, test_in_inference_mode = model.evaluate(x_test, y_test, verbose=0)
glue("reported-train-accuracy", reported)
glue("validation-accuracy", validation)
glue("train-accuracy-inference", train_in_inference_mode)
print(f"fit() reported training accuracy:  {reported:.3f}")
print(f"validation accuracy:               {validation:.3f}")
print(f"training accuracy, inference mode: {train_in_inference_mode:.3f}")
claim(
    "FAQ-VALIDATION-IS-EVALUATE",
    "The validation accuracy `fit()` reports for its last epoch equals "
    "`model.evaluate()` on the validation data after `fit()`: inference mode, final "
    "weights.",
    observed=bool(np.isclose(validation, test_in_inference_mode)),
    expected=True,
)
claim(
    "FAQ-REPORTED-TRAIN-ACCURACY-IS-PESSIMISTIC",
    "In this page's run, with one seed, the training accuracy that `fit()` reported "
    "for its last epoch is lower than the accuracy of the same data evaluated in "
    "inference mode after it, and lower than the validation accuracy too.",
    observed=(train_in_inference_mode > reported, validation > reported),
    expected=(True, True),
)

# %% predict-vs-training
predicted = model.predict(x_test, verbose=0)
inference = to_numpy(model(x_test, training=False))
bn_layer = model.layers[1]
moving_mean = bn_layer.moving_mean.numpy()
in_training_mode = to_numpy(model(x_test, training=True))
gap = float(np.abs(predicted - in_training_mode).max())
glue("predict-gap", gap)
print("largest difference, predict vs training=True: ", gap)
print(
    "largest difference, predict vs training=False:",
    np.abs(predicted - inference).max(),
)
claim(
    "FAQ-PREDICT-IS-INFERENCE-MODE",
    "`model.predict(x)` gives the output of `model(x, training=False)`; on a model "
    "with `BatchNormalization` and `Dropout`, `model(x, training=True)` gives a "
    "different one.",
    observed=(bool(np.allclose(predicted, inference, atol=1e-6)), gap > 0.01),
    expected=(True, True),
)
claim(
    "FAQ-TRAINING-CALL-UPDATES-MOVING-STATS",
    "Calling a model with `training=True` outside `fit()` updates the moving "
    "statistics of its `BatchNormalization` layers.",
    observed=not np.array_equal(moving_mean, bn_layer.moving_mean.numpy()),
    expected=True,
)

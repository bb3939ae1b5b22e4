"""The code of the page "Inside BatchNormalization" (docs/inside_batchnorm.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json inside_batchnorm``.
"""

# %% setup
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.backends import require_keras_3_beside_keras_2, to_numpy
from keras_guide.batchnorm import normalise, reads_and_writes
from keras_guide.claims import claim
from keras_guide.diagrams import draw_batchnorm_data_flow
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_name, weight_names

start_page()

# %% four-weights
bn = keras.layers.BatchNormalization()
bn.build((None, 3))
display(
    pd.DataFrame(
        {
            "shape": [tuple(w.shape) for w in bn.weights],
            "initial value": [w.numpy().tolist() for w in bn.weights],
        },
        index=pd.Index(weight_names(bn.weights), name="weight"),
    )
)
print("momentum:", bn.momentum, " epsilon:", bn.epsilon)
glue("momentum", bn.momentum)
glue("epsilon", bn.epsilon)
claim(
    "BN-ONE-VALUE-PER-FEATURE",
    "Each of the four weights of `BatchNormalization` holds one value per feature; a "
    "new layer starts with `gamma` 1, `beta` 0, `moving_mean` 0 and `moving_variance` "
    "1.",
    observed={
        weight_name(w): (tuple(w.shape), set(w.numpy().tolist())) for w in bn.weights
    },
    expected={
        "gamma": ((3,), {1.0}),
        "beta": ((3,), {0.0}),
        "moving_mean": ((3,), {0.0}),
        "moving_variance": ((3,), {1.0}),
    },
)
claim(
    "BN-DEFAULTS",
    "By default `BatchNormalization` has `momentum` 0.99 and `epsilon` 0.001.",
    observed=(bn.momentum, bn.epsilon),
    expected=(0.99, 0.001),
)

# %% data-flow
flow_batch = np.random.default_rng(3).normal(size=(16, 3)).astype("float32")
flows = {
    f"{mode} mode": reads_and_writes(
        keras.layers.BatchNormalization(), flow_batch, training
    )
    for mode, training in (("training", True), ("inference", False))
}
fig = draw_batchnorm_data_flow(flows)
display(fig)
plt.close(fig)
claim(
    "BN-DATA-FLOW",
    "In training mode the output reads the batch statistics, `gamma` and `beta`, and "
    "the call writes `moving_mean` and `moving_variance`; in inference mode the output "
    "reads `gamma`, `beta`, `moving_mean` and `moving_variance`, and the call writes "
    "nothing.",
    observed=flows,
    expected={
        "training mode": {
            "reads": ["batch statistics", "gamma", "beta"],
            "writes": ["moving_mean", "moving_variance"],
        },
        "inference mode": {
            "reads": ["gamma", "beta", "moving_mean", "moving_variance"],
            "writes": [],
        },
    },
)


# %% batch-and-layer
rng = np.random.default_rng(0)
batch = rng.normal(loc=5.0, scale=2.0, size=(8, 3)).astype("float32")
glue("batch-size", len(batch))
bn.gamma.assign([2.0, 0.5, 1.0])
bn.beta.assign([1.0, -1.0, 0.0])
bn.moving_mean.assign([4.0, 4.0, 4.0])
bn.moving_variance.assign([3.0, 3.0, 3.0])
weights_now = pd.DataFrame({weight_name(w): w.numpy() for w in bn.weights}).T
display(weights_now.rename_axis(columns="feature"))


# %% training-step
def training_step_errors(layer, x):
    """Call ``layer`` once in training mode, redo the step by hand with each variance
    estimator, and return the largest difference from what the layer computed."""
    if not layer.built:
        layer.build(x.shape)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    old_mean, old_var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    output = to_numpy(layer(x, training=True))
    new_mean, new_var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    m, x = layer.momentum, x.astype("float64")
    axes = tuple(range(x.ndim - 1))  # every axis but the features
    mean = x.mean(axis=axes)
    errors = {}
    for estimator, ddof in (("1/N", 0), ("1/(N-1)", 1)):
        var = x.var(axis=axes, ddof=ddof)
        errors[estimator] = {
            "output": output - normalise(x, mean, var, gamma, beta, layer.epsilon),
            "moving_mean": new_mean - (m * old_mean + (1 - m) * mean),
            "moving_variance": new_var - (m * old_var + (1 - m) * var),
        }
    return pd.DataFrame(errors).T.map(lambda error: float(np.abs(error).max()))


step_errors = training_step_errors(bn, batch)
display(step_errors.rename_axis("variance estimator").map("{:.1e}".format))

# %% training-step-claims
TOLERANCE = 1e-5
matches = step_errors < TOLERANCE
glue("tolerance", TOLERANCE)
glue("unbiased-output-error", float(step_errors.loc["1/(N-1)", "output"]))
claim(
    "BN-TRAINING-OUTPUT-BIASED",
    "In training mode the output is `gamma * (x - mean) / sqrt(variance + epsilon) + "
    "beta` with the batch's mean and its biased (1/N) variance, not the unbiased "
    "(1/(N-1)) one.",
    observed=matches["output"].to_dict(),
    expected={"1/N": True, "1/(N-1)": False},
)
claim(
    "BN-MOVING-UPDATE-RULE",
    "A training-mode call sets `moving_mean = momentum * moving_mean + (1 - momentum) "
    "* batch mean`, and `moving_variance` the same way with the batch variance.",
    observed=matches[["moving_mean", "moving_variance"]].loc["1/N"].to_dict(),
    expected={"moving_mean": True, "moving_variance": True},
)
claim(
    "BN-MOVING-VARIANCE-BIASED",
    "For a 2-D batch (samples by features), the batch variance that goes into "
    "`moving_variance` is the biased (1/N) one too.",
    observed=matches["moving_variance"].to_dict(),
    expected={"1/N": True, "1/(N-1)": False},
)

# %% inference-step
moving_mean, moving_variance = bn.moving_mean.numpy(), bn.moving_variance.numpy()
output = to_numpy(bn(batch, training=False))
by_hand = normalise(
    batch.astype("float64"),
    moving_mean,
    moving_variance,
    bn.gamma.numpy(),
    bn.beta.numpy(),
    bn.epsilon,
)
inference_error = float(np.abs(output - by_hand).max())
print(f"largest difference from the formula: {inference_error:.1e}")
claim(
    "BN-INFERENCE-OUTPUT-FORMULA",
    "In inference mode the output is `gamma * (x - moving_mean) / sqrt(moving_variance "
    "+ epsilon) + beta`, and the moving statistics stay as they were.",
    observed=(
        inference_error < TOLERANCE,
        np.array_equal(moving_mean, bn.moving_mean.numpy()),
        np.array_equal(moving_variance, bn.moving_variance.numpy()),
    ),
    expected=(True, True, True),
)


# %% keras2-estimators
def estimators_used(layer, x):
    """Which variance estimator matched the output, and which the moving variance."""
    found = training_step_errors(layer, x) < TOLERANCE
    return {
        "momentum": layer.momentum,
        "epsilon": layer.epsilon,
        "fused kernel": getattr(layer, "fused", "n/a"),
        "normalises with": ", ".join(found.index[found["output"]]),
        "moving variance with": ", ".join(found.index[found["moving_variance"]]),
    }


require_keras_3_beside_keras_2()
images = batch.reshape(2, 2, 2, 3)  # the same 8 values per feature, as 2x2 images
glue("image-count", images.shape[0])
glue("image-height", images.shape[1])
glue("image-width", images.shape[2])
glue("values-per-feature", int(np.prod(images.shape[:-1])))
rows = {
    (version, str(x.shape)): estimators_used(module.layers.BatchNormalization(), x)
    for version, module in (("Keras 3", keras), ("Keras 2", tf_keras))
    for x in (batch, images)
}
estimators = pd.DataFrame(rows).T.rename_axis(["version", "input shape"])
print("keras", keras.__version__, "| tf-keras", tf_keras.__version__)
display(estimators)

# %% keras2-claims
claim(
    "BN-KERAS2-SAME-DEFAULTS",
    "Keras 2 (tf-keras) has the same defaults as Keras 3: `momentum` 0.99 and "
    "`epsilon` 0.001.",
    observed=estimators[["momentum", "epsilon"]].drop_duplicates().values.tolist(),
    expected=[[0.99, 0.001]],
)
columns = ["fused kernel", "normalises with", "moving variance with"]
claim(
    "BN-KERAS2-FUSED-UNBIASED-MOVING-VARIANCE",
    "Keras 3 uses the biased (1/N) variance for the output and the moving variance, "
    "whatever the input's rank; Keras 2 does too for 2-D inputs, but for 4-D inputs it "
    "uses TensorFlow's fused kernel (`fused` is True) and updates the moving variance "
    "with the unbiased (1/(N-1)) variance.",
    observed=estimators[columns].apply(tuple, axis=1).to_dict(),
    expected={
        ("Keras 3", "(8, 3)"): ("n/a", "1/N", "1/N"),
        ("Keras 3", "(2, 2, 2, 3)"): ("n/a", "1/N", "1/N"),
        ("Keras 2", "(8, 3)"): (False, "1/N", "1/N"),
        ("Keras 2", "(2, 2, 2, 3)"): (True, "1/N", "1/(N-1)"),
    },
)

# %% convergence
TRUE_MEAN, STEPS, WITHIN, BATCH_SIZE = 3.0, 600, 0.05, 32
SEEDS = (1, 2, 3, 4, 5)
glue("true-mean", TRUE_MEAN)
glue("within", WITHIN)
glue("convergence-batch-size", BATCH_SIZE)
glue("convergence-seeds", len(SEEDS))
# One feature per seed: BatchNormalization tracks each feature on its own, so
# one layer runs the same experiment once per seed, with one call per step.
rngs = [np.random.default_rng(seed) for seed in SEEDS]
tracker = keras.layers.BatchNormalization()
batch_means, moving_means = [], []  # one row per step, one column per seed
for _ in range(STEPS):
    columns = [rng.normal(TRUE_MEAN, 1.0, size=(BATCH_SIZE, 1)) for rng in rngs]
    batch = np.hstack(columns).astype("float32")
    tracker(batch, training=True)
    batch_means.append(batch.mean(axis=0, dtype="float64"))
    moving_means.append(tracker.moving_mean.numpy().astype("float64"))
batch_means, moving_means = np.array(batch_means), np.array(moving_means)

steps = np.arange(1, STEPS + 1)
expected_curve = TRUE_MEAN * (1 - tracker.momentum**steps)
fig, ax = plt.subplots(figsize=(6, 3.5))
for i in range(len(SEEDS)):
    label = "moving_mean, one line per seed" if i == 0 else None
    ax.plot(steps, moving_means[:, i], color="C0", linewidth=0.8, label=label)
ax.plot(steps, expected_curve, "--", label="true mean × (1 − momentum^n)")
ax.axhline(TRUE_MEAN, color="gray", linewidth=1, label="true mean")
ax.set(xlabel="training-mode calls n", ylabel="moving_mean")
ax.legend()
display(fig)
plt.close(fig)

# %% convergence-claims
m = tracker.momentum
batch_weights = (1 - m) * m ** (STEPS - steps)  # oldest batch first
weighted_sums = batch_weights @ batch_means  # one per seed
STEPS_TOLERANCE = 0.1
close_enough = np.abs(moving_means - TRUE_MEAN) <= WITHIN * TRUE_MEAN
observed_steps = [int(steps[close_enough[:, i]][0]) for i in range(len(SEEDS))]
predicted_steps = int(np.ceil(np.log(WITHIN) / np.log(m)))
display(
    pd.DataFrame(
        {
            "moving_mean": moving_means[-1].round(6),
            "weighted sum": weighted_sums.round(6),
            f"calls to get within {WITHIN:.0%}": observed_steps,
        },
        index=pd.Index(SEEDS, name="seed"),
    )
)
print(f"predicted by momentum**n <= {WITHIN}: {predicted_steps} calls")
glue("observed-steps-min", min(observed_steps))
glue("observed-steps-max", max(observed_steps))
glue("predicted-steps", predicted_steps)
glue("steps-tolerance", STEPS_TOLERANCE)
claim(
    "BN-MOVING-MEAN-GEOMETRIC-AVERAGE",
    "After n training-mode calls from a moving mean of 0, the moving mean is the sum "
    "of the batch means weighted by `(1 - momentum) * momentum**(n - k)`: old batches "
    "fade geometrically.",
    # float32, 600 updates
    observed=bool(np.all(np.abs(moving_means[-1] - weighted_sums) < 1e-4)),
    expected=True,
)
claim(
    "BN-CONVERGENCE-STEPS",
    "On batches from a fixed distribution, the moving mean gets within 5% of the true "
    "mean within 10% of the number of calls that `momentum**n <= 0.05` predicts, for "
    "every seed tried.",
    observed=[
        abs(n - predicted_steps) <= STEPS_TOLERANCE * predicted_steps
        for n in observed_steps
    ],
    expected=[True] * len(SEEDS),
)

# %% companions
SAMPLE = 0.5
glue("sample", SAMPLE)
rng = np.random.default_rng(2)


def with_companions(size):
    """A batch of ``size`` rows: SAMPLE first, then random companions from N(0, 1)."""
    companions = rng.normal(size=(size - 1, 1))
    return np.vstack([[[SAMPLE]], companions]).astype("float32")


COMPANION_BATCHES, COMPANION_BATCH_SIZE = 5, 8
glue("companion-batches", COMPANION_BATCHES)
glue("companion-batch-size", COMPANION_BATCH_SIZE)
batches = [with_companions(COMPANION_BATCH_SIZE) for _ in range(COMPANION_BATCHES)]
companion_bn = keras.layers.BatchNormalization()
# All training-mode calls first: they move the moving statistics, which
# inference mode reads, so the inference calls then all see the same ones.
in_training = [float(to_numpy(companion_bn(b, training=True))[0, 0]) for b in batches]
in_inference = [float(to_numpy(companion_bn(b, training=False))[0, 0]) for b in batches]
display(
    pd.DataFrame(
        {"training=True": in_training, "training=False": in_inference},
        index=pd.RangeIndex(1, COMPANION_BATCHES + 1, name="companion batch"),
    )
)
claim(
    "BN-TRAINING-OUTPUT-DEPENDS-ON-BATCH",
    "In training mode, the same sample gives a different output in each batch it is "
    "put in.",
    observed=len(set(in_training)),
    expected=COMPANION_BATCHES,
)
claim(
    "BN-INFERENCE-OUTPUT-PER-SAMPLE",
    "In inference mode, the same sample gives the same output whatever batch it is put "
    "in.",
    observed=len(set(in_inference)),
    expected=1,
)

# %% spread-vs-batch-size
batch_sizes, DRAWS = [2, 4, 8, 16, 32, 64, 128], 200
glue("spread-draws", DRAWS)
glue("smallest-batch", batch_sizes[0])
glue("largest-batch", batch_sizes[-1])
spread = []
for size in batch_sizes:
    outputs = [
        to_numpy(companion_bn(with_companions(size), training=True))
        for _ in range(DRAWS)
    ]
    spread.append(float(np.std([output[0, 0] for output in outputs])))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(batch_sizes, spread, "o-")
ax.set(xscale="log", yscale="log", xlabel="batch size")
ax.set(ylabel=f"std of the output for x = {SAMPLE}")
ax.set_xticks(batch_sizes, labels=batch_sizes)
display(fig)
plt.close(fig)
glue("spread-smallest", spread[0])
glue("spread-largest", spread[-1])
claim(
    "BN-SPREAD-SHRINKS-WITH-BATCH-SIZE",
    "In training mode, the spread of one sample's output (a sample half a standard "
    "deviation from the mean) across random batches shrinks at every doubling of the "
    "batch size from 2 to 128.",
    observed=bool(np.all(np.diff(spread) < 0)),
    expected=True,
)

"""The code of the page "Mixed precision and BatchNormalization".

The page is docs/mixed_precision.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json mixed_precision``.

All pages run in one Python process, so the layers take their policy from their
``dtype`` argument, and the one cell that sets the global policy restores it.
"""

# %% setup
import keras
import ml_dtypes
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.backends import to_numpy
from keras_guide.claims import claim
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_name

start_page()
POLICIES = ["mixed_float16", "mixed_bfloat16"]
BN_WEIGHTS = ["gamma", "beta", "moving_mean", "moving_variance"]
TOLERANCE = 1e-5  # relative; float32 rounding is about 1e-7, bfloat16's about 1e-3

# Multiples of 4 up to 1000: float16 and bfloat16 hold each value exactly,
# so the layer sees the same numbers as NumPy, but their squares do not fit float16.
rng = np.random.default_rng(0)
batch = (4 * rng.integers(-250, 251, size=(64, 4))).astype("float32")
glue("batch-size", batch.shape[0])
glue("features", batch.shape[1])
glue("largest-value", int(np.abs(batch).max()))
glue("float16-max", int(np.finfo(np.float16).max))


def dtype_name(value) -> str:
    """A tensor's or variable's dtype as a string, on every backend."""
    if hasattr(keras.backend, "standardize_dtype"):  # Keras 3
        return keras.backend.standardize_dtype(value.dtype)
    return value.dtype.name  # Keras 2: a tf.DType


def dtypes(layer, output) -> dict[str, str]:
    """The layer's policy, its weights' dtypes and its output's dtype."""
    return {
        "compute_dtype": layer.compute_dtype,
        "variable_dtype": layer.variable_dtype,
        **{weight_name(w).split("/")[-1]: dtype_name(w) for w in layer.weights},
        "output": dtype_name(output),
    }


# %% dtypes
observed = {}
for policy in POLICIES:
    bn = keras.layers.BatchNormalization(dtype=policy)
    dense = keras.layers.Dense(2, dtype=policy)
    observed[("BatchNormalization", policy)] = dtypes(bn, bn(batch))
    observed[("Dense", policy)] = dtypes(dense, dense(batch))
columns = ["compute_dtype", "variable_dtype", *BN_WEIGHTS, "kernel", "bias", "output"]
display(pd.DataFrame(observed).T[columns].fillna(""))
claim(
    "MIXED-BN-DTYPES",
    "Under `mixed_float16` and `mixed_bfloat16`, `BatchNormalization` keeps "
    "`gamma`, `beta`, `moving_mean` and `moving_variance` in float32 and returns "
    "its output in the policy's compute dtype, float16 or bfloat16.",
    observed={policy: observed[("BatchNormalization", policy)] for policy in POLICIES},
    expected={
        policy: {
            "compute_dtype": compute_dtype,
            "variable_dtype": "float32",
            **dict.fromkeys(BN_WEIGHTS, "float32"),
            "output": compute_dtype,
        }
        for policy, compute_dtype in [
            ("mixed_float16", "float16"),
            ("mixed_bfloat16", "bfloat16"),
        ]
    },
)
claim(
    "MIXED-DENSE-DTYPES",
    "Under `mixed_float16` and `mixed_bfloat16`, `Dense` keeps its kernel and bias "
    "in float32 and returns its output in float16 or bfloat16.",
    observed={
        policy: [observed[("Dense", policy)][key] for key in ["kernel", "bias"]]
        + [observed[("Dense", policy)]["output"]]
        for policy in POLICIES
    },
    expected={
        "mixed_float16": ["float32", "float32", "float16"],
        "mixed_bfloat16": ["float32", "float32", "bfloat16"],
    },
)

# %% statistics
# NumPy's statistics of the same batch, in float64.
reference_mean = batch.astype("float64").mean(axis=0)
reference_variance = batch.astype("float64").var(axis=0)
with np.errstate(over="ignore"):  # the overflow to inf is what this row shows
    as_float16 = reference_variance.astype("float16")
as_bfloat16 = reference_variance.astype(ml_dtypes.bfloat16)
table = {
    "NumPy variance (float64)": reference_variance,
    "same, stored as float16": as_float16,
    "same, stored as bfloat16": as_bfloat16,
}
matches_numpy = {}
for policy in POLICIES:
    # momentum=0: one training-mode call copies the batch's statistics
    # into the moving statistics, in whatever precision the layer computed them.
    bn = keras.layers.BatchNormalization(momentum=0.0, dtype=policy)
    bn(batch, training=True)
    moving_mean = to_numpy(bn.moving_mean)
    moving_variance = to_numpy(bn.moving_variance)
    table[f"moving_variance ({policy})"] = moving_variance
    matches_numpy[policy] = bool(
        np.allclose(moving_mean, reference_mean, rtol=TOLERANCE)
        and np.allclose(moving_variance, reference_variance, rtol=TOLERANCE)
    )
display(pd.DataFrame(table).rename_axis("feature").T)
glue("tolerance", TOLERANCE)
bfloat16_rounding = np.abs(as_bfloat16.astype("float64") / reference_variance - 1)
glue("bfloat16-rounding", float(bfloat16_rounding.max()))
claim(
    "MIXED-BN-STATISTICS-IN-FLOAT32",
    "On Keras 2 and since Keras 3.2, under `mixed_float16` and `mixed_bfloat16`, a "
    "training-mode call of "
    "`BatchNormalization` computes the batch's mean and variance in float32, not in "
    "the compute dtype: with `momentum=0` its moving statistics match NumPy's "
    "float64 ones within a relative 1e-5, for a variance that float16 cannot hold "
    "and that bfloat16 would round by more.",
    observed=matches_numpy,
    expected={"mixed_float16": True, "mixed_bfloat16": True},
)

# %% updates
targets = np.zeros_like(batch)
updates = {}
for policy in POLICIES:
    bn = keras.layers.BatchNormalization(dtype=policy)
    model = keras.Sequential([keras.Input(shape=(batch.shape[1],)), bn])
    model.compile(optimizer="sgd", loss="mse")
    before = [to_numpy(w).copy() for w in bn.weights]
    model(batch, training=True)
    after_call = [to_numpy(w).copy() for w in bn.weights]
    model.train_on_batch(batch, targets)
    for w, old, mid in zip(bn.weights, before, after_call):
        updates[(policy, weight_name(w).split("/")[-1])] = {
            "changed by model(x, training=True)": not np.array_equal(old, mid),
            "changed by train_on_batch": not np.array_equal(mid, to_numpy(w)),
            "dtype after": dtype_name(w),
        }
display(pd.DataFrame(updates).T)
claim(
    "MIXED-BN-TRAINING-UPDATES",
    "Under `mixed_float16` and `mixed_bfloat16`, a training-mode call of "
    "`BatchNormalization` changes `moving_mean` and `moving_variance` only; a "
    "`train_on_batch` step changes all four weights; all four stay float32.",
    observed={key: tuple(row.values()) for key, row in updates.items()},
    expected={
        (policy, name): (name.startswith("moving_"), True, "float32")
        for policy in POLICIES
        for name in BN_WEIGHTS
    },
)

# %% global-policy
keras.mixed_precision.set_global_policy("mixed_float16")
try:
    bn = keras.layers.BatchNormalization()
    global_dtypes = dtypes(bn, bn(batch))
finally:
    keras.mixed_precision.set_global_policy("float32")
display(pd.Series(global_dtypes, name="BatchNormalization()").to_frame())
claim(
    "MIXED-GLOBAL-POLICY",
    "A `BatchNormalization` created after "
    '`keras.mixed_precision.set_global_policy("mixed_float16")` has the same dtypes '
    'as one created with `dtype="mixed_float16"`.',
    observed=global_dtypes,
    expected={
        "compute_dtype": "float16",
        "variable_dtype": "float32",
        **dict.fromkeys(BN_WEIGHTS, "float32"),
        "output": "float16",
    },
)

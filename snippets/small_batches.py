"""The code of the page "Small batches: LayerNormalization and GroupNormalization".

The page is docs/small_batches.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json small_batches``.
"""

# %% setup
import keras
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.backends import to_numpy
from keras_guide.claims import claim
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_split

start_page()
rng = np.random.default_rng(0)
batch = rng.normal(5.0, 2.0, size=(8, 4, 4, 8)).astype("float32")
batch_size, height, width, _ = batch.shape
glue("batch-size", batch_size)
glue("image-height", height)
glue("image-width", width)


def new_layers():
    """One new layer of each kind, built for the batch's images."""
    layers = {
        "BatchNormalization": keras.layers.BatchNormalization(),
        "LayerNormalization": keras.layers.LayerNormalization(),
        "GroupNormalization": keras.layers.GroupNormalization(groups=4),
    }
    for layer in layers.values():
        layer.build(batch.shape)
    return layers


# %% weights
layers = new_layers()
weights = {name: weight_split(layer) for name, layer in layers.items()}
display(pd.DataFrame(weights, index=["trainable_weights", "non_trainable_weights"]).T)
claim(
    "SMALL-BATCH-NO-MOVING-STATISTICS",
    "`LayerNormalization` and `GroupNormalization` have two weights, `gamma` and "
    "`beta`, both trainable, and no moving statistics; `BatchNormalization` keeps "
    "`moving_mean` and `moving_variance` as non-trainable weights.",
    observed=weights,
    expected={
        "BatchNormalization": (["gamma", "beta"], ["moving_mean", "moving_variance"]),
        "LayerNormalization": (["gamma", "beta"], []),
        "GroupNormalization": (["gamma", "beta"], []),
    },
)

# %% normalised-over
layers = new_layers()
norm = {name: to_numpy(layers[name](batch)) for name in layers}
groups = norm["GroupNormalization"].reshape(batch_size, height, width, 4, -1)
unit_variance = {
    "LayerNormalization: each pixel's channels": norm["LayerNormalization"].var(-1),
    "GroupNormalization: each group of channels": groups.var(axis=(1, 2, 4)),
}
over = {where: bool(np.allclose(v, 1, atol=1e-2)) for where, v in unit_variance.items()}
display(pd.Series(over, name="variance 1 over").to_frame())
claim(
    "SMALL-BATCH-NORMALISED-OVER",
    "By default, `LayerNormalization` normalises each pixel of an image over its "
    "channels (the last axis); `GroupNormalization` normalises each image over the "
    "pixels and channels of each group of channels.",
    observed=over,
    expected={where: True for where in unit_variance},
)

# %% batch-mates
one_image = batch[:1]
alone_or_in_batch = {}
for name, layer in new_layers().items():
    alone = to_numpy(layer(one_image, training=True))[0]
    in_batch = to_numpy(layer(batch, training=True))[0]
    alone_or_in_batch[name] = bool(np.allclose(alone, in_batch, atol=1e-5))
display(
    pd.Series(alone_or_in_batch, name="same output alone and in the batch").to_frame()
)
claim(
    "SMALL-BATCH-OUTPUT-IGNORES-BATCH-MATES",
    "In training mode, an image's output from `LayerNormalization` or "
    "`GroupNormalization` is the same alone as in a batch; from `BatchNormalization` "
    "it is not.",
    observed=alone_or_in_batch,
    expected={
        "BatchNormalization": False,
        "LayerNormalization": True,
        "GroupNormalization": True,
    },
)

# %% training-argument
same_in_both_modes = {}
for name, layer in new_layers().items():
    in_training = to_numpy(layer(batch, training=True))
    in_inference = to_numpy(layer(batch, training=False))
    same_in_both_modes[name] = bool(np.allclose(in_training, in_inference, atol=1e-5))
display(
    pd.Series(
        same_in_both_modes, name="same output with training=True and False"
    ).to_frame()
)
claim(
    "SMALL-BATCH-TRAINING-CHANGES-NOTHING",
    "`training=True` and `training=False` give the same output from "
    "`LayerNormalization` and `GroupNormalization`; from a new "
    "`BatchNormalization` they do not.",
    observed=same_in_both_modes,
    expected={
        "BatchNormalization": False,
        "LayerNormalization": True,
        "GroupNormalization": True,
    },
)

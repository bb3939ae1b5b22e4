"""The code of the page "BatchNormalization(synchronized=True): what it does on
each backend".

The page is docs/synchronized_batchnorm.md. The experiments on two devices run in
a fresh Python process; their code is in keras_guide/replicas.py.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json synchronized_batchnorm``.
"""

# %% setup
import importlib.util

import keras
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.backends import require_keras_3_beside_keras_2, to_numpy
from keras_guide.batchnorm import normalise
from keras_guide.claims import claim, require
from keras_guide.page import glue, start_page
from keras_guide.replicas import in_fresh_process

start_page()
rng = np.random.default_rng(0)
# One feature; the two halves of the batch have different means.
batch = np.concatenate(
    [rng.normal(0.0, 1.0, (4, 1)), rng.normal(4.0, 1.0, (4, 1))]
).astype("float32")
first_half, second_half = np.split(batch, 2)
has_tensorflow = importlib.util.find_spec("tensorflow") is not None
has_jax = importlib.util.find_spec("jax") is not None


def statistics(x):
    """The mean and the (biased) variance of ``x``, as BatchNormalization takes them."""
    return float(x.mean()), float(x.var())


candidates = {
    "the first half": statistics(first_half),
    "the second half": statistics(second_half),
    "the whole batch": statistics(batch),
    "the halves' average": tuple(
        np.mean([statistics(first_half), statistics(second_half)], axis=0)
    ),
}
display(pd.DataFrame(candidates, index=["mean", "variance"]).T.round(3))
glue("batch-size", len(batch))
glue("first-half-mean", round(statistics(first_half)[0], 2))
glue("second-half-mean", round(statistics(second_half)[0], 2))
glue("batch-mean", round(statistics(batch)[0], 2))


def holds(mean, variance):
    """Which of the candidate statistics a (mean, variance) pair is."""
    matches = [
        name
        for name, expected in candidates.items()
        if np.allclose([mean, variance], expected, atol=1e-4)
    ]
    return matches[0] if len(matches) == 1 else f"none of them: {mean}, {variance}"


def normalised_with(x, y, epsilon):
    """Which candidate statistics turned the samples ``x`` into ``y``."""
    x, y = np.asarray(x), np.asarray(y)
    matches = [
        name
        for name, (mean, variance) in candidates.items()
        if np.allclose(y, normalise(x, mean, variance, 1.0, 0.0, epsilon), atol=1e-4)
    ]
    return matches[0] if len(matches) == 1 else f"none of them: {matches}"


def per_device(run):
    """Per replica or device: its samples, what normalised them, and its copy of the
    moving statistics after the step (numbers, and which statistics they are)."""
    rows = []
    for x, y, mean, variance in zip(
        run["inputs"], run["outputs"], run["moving_mean"], run["moving_variance"]
    ):
        rows.append(
            {
                "its samples": holds(*statistics(np.asarray(x))),
                "normalised with": normalised_with(x, y, run["epsilon"]),
                "moving_mean": round(mean[0], 3),
                "moving_variance": round(variance[0], 3),
                "its moving statistics hold": holds(mean[0], variance[0]),
            }
        )
    return pd.DataFrame(rows).rename_axis("replica")


# %% one-device
require(
    keras.backend.backend() == "tensorflow",
    "needs Keras on TensorFlow in the page's process; this stack runs another backend",
)
one_device = {}
for synchronized in (False, True):
    bn = keras.layers.BatchNormalization(synchronized=synchronized, momentum=0.0)
    y = to_numpy(bn(batch, training=True))
    one_device[f"synchronized={synchronized}"] = {
        "normalised with": normalised_with(batch, y, bn.epsilon),
        "moving statistics hold": holds(
            bn.moving_mean.numpy()[0], bn.moving_variance.numpy()[0]
        ),
    }
display(pd.DataFrame(one_device).T)
claim(
    "SYNC-BN-TF-ONE-DEVICE-NO-EFFECT",
    "With TensorFlow and no distribution strategy, a training step of "
    "`BatchNormalization` normalises with the whole batch's statistics and copies "
    "them into the moving statistics, with `synchronized=True` as with `False`.",
    observed=one_device,
    expected={
        "synchronized=False": {
            "normalised with": "the whole batch",
            "moving statistics hold": "the whole batch",
        },
        "synchronized=True": {
            "normalised with": "the whole batch",
            "moving statistics hold": "the whole batch",
        },
    },
)

# %% other-backends
require_keras_3_beside_keras_2()
other_backends = [name for name in ("jax", "torch") if importlib.util.find_spec(name)]
require(other_backends, "neither JAX nor PyTorch is installed beside this Keras")
# Keras reads its backend once, when imported: each backend needs a new process.
new_layer = {
    name: in_fresh_process("new_synchronized_layer", env={"KERAS_BACKEND": name})
    for name in other_backends
}
with pd.option_context("display.max_colwidth", None):
    display(
        pd.Series(new_layer, name="BatchNormalization(synchronized=True)")
        .rename_axis("KERAS_BACKEND")
        .to_frame()
    )
claim(
    "SYNC-BN-OTHER-BACKENDS-REFUSE",
    "In Keras 3, `BatchNormalization(synchronized=True)` raises a ValueError with "
    'the JAX or PyTorch backend: "Argument synchronized=True is only supported with '
    'the TensorFlow backend."',
    observed=new_layer,
    expected=dict.fromkeys(
        other_backends,
        "ValueError: Argument synchronized=True is only supported with the "
        "TensorFlow backend.",
    ),
)

# %% two-replicas
require(has_tensorflow, "a MirroredStrategy needs TensorFlow, which this stack lacks")
this_keras = "keras" if keras.__version__.startswith("3.") else "tf_keras"
kerases = [this_keras]
if this_keras == "keras" and importlib.util.find_spec("tf_keras"):
    kerases.append("tf_keras")
runs = in_fresh_process(
    "tensorflow_two_replicas",
    *kerases,
    batch=batch,
    env={"KERAS_BACKEND": "tensorflow"},
)
steps = {
    synchronized: per_device(runs[f"{this_keras} synchronized={synchronized}"])
    for synchronized in (False, True)
}
display(pd.concat(steps, names=["synchronized"]))
claim(
    "SYNC-BN-TF-TWO-REPLICAS-NORMALISE",
    "With TensorFlow and a two-replica `MirroredStrategy`, a training step of "
    "`BatchNormalization` normalises each replica's half of the batch with that "
    "half's statistics when `synchronized=False`, and with the whole batch's when "
    "`synchronized=True`.",
    observed={
        s: step[["its samples", "normalised with"]].values.tolist()
        for s, step in steps.items()
    },
    expected={
        False: [
            ["the first half", "the first half"],
            ["the second half", "the second half"],
        ],
        True: [
            ["the first half", "the whole batch"],
            ["the second half", "the whole batch"],
        ],
    },
)
claim(
    "SYNC-BN-TF-REPLICA-COPIES",
    "With TensorFlow and a two-replica `MirroredStrategy`, each replica keeps its own "
    "copy of `BatchNormalization`'s moving statistics; with momentum 0, a training "
    "step leaves in each copy the statistics that replica normalised with, except on "
    "Keras 3.7.",
    observed={s: list(step["its moving statistics hold"]) for s, step in steps.items()},
    expected={
        False: ["the first half", "the second half"],
        True: ["the whole batch", "the whole batch"],
    },
)

# %% read-back
require(has_tensorflow, "a MirroredStrategy needs TensorFlow, which this stack lacks")
require_keras_3_beside_keras_2()
require("tf_keras" in kerases, "compares with tf-keras, which is not installed here")
read_back = {}
rows = {}
for name, module in {"Keras 3": "keras", "Keras 2": "tf_keras"}.items():
    for synchronized in (False, True):
        mean, variance = np.ravel(runs[f"{module} synchronized={synchronized}"]["read"])
        that_is = holds(mean, variance)
        read_back.setdefault(name, {})[f"synchronized={synchronized}"] = that_is
        rows[name, synchronized] = {
            "moving_mean": round(mean, 3),
            "moving_variance": round(variance, 3),
            "that is": that_is,
        }
display(pd.DataFrame(rows).T.rename_axis(["read after a step in", "synchronized"]))
claim(
    "SYNC-BN-TF-READ-BACK",
    "With TensorFlow and a two-replica `MirroredStrategy`, after a "
    "`synchronized=False` step, reading `moving_mean` and `moving_variance` gives the "
    "first replica's copy in Keras 3 (except 3.7), and the average of the two copies "
    "in Keras 2 (tf-keras); after a `synchronized=True` step, both give the whole "
    "batch's statistics.",
    observed=read_back,
    expected={
        "Keras 3": {
            "synchronized=False": "the first half",
            "synchronized=True": "the whole batch",
        },
        "Keras 2": {
            "synchronized=False": "the halves' average",
            "synchronized=True": "the whole batch",
        },
    },
)

# %% jax
require_keras_3_beside_keras_2()
available = {"TensorFlow MirroredStrategy": has_tensorflow, "JAX DataParallel": has_jax}
require(any(available.values()), "needs TensorFlow or JAX, which this stack lacks")
# synchronized=False: TensorFlow's step is the one above.
on_two_devices = {}
if has_tensorflow:
    on_two_devices["TensorFlow MirroredStrategy"] = steps[False]
if has_jax:
    jax_run = in_fresh_process(
        "jax_data_parallel",
        batch=batch,
        env={
            "KERAS_BACKEND": "jax",
            "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        },
    )
    on_two_devices["JAX DataParallel"] = per_device(jax_run)
display(pd.concat(on_two_devices, names=["synchronized=False, under", "device"]))
expected_under = {
    "TensorFlow MirroredStrategy": [
        ["the first half", "the first half", "the first half"],
        ["the second half", "the second half", "the second half"],
    ],
    "JAX DataParallel": [
        ["the first half", "the whole batch", "the whole batch"],
        ["the second half", "the whole batch", "the whole batch"],
    ],
}
claim(
    "SYNC-BN-DEFAULT-ON-TWO-DEVICES",
    "With Keras 3 (except 3.7) on two devices and the default `synchronized=False`, "
    "`BatchNormalization` normalises each device's half of the batch, and updates "
    "that device's copy of the moving statistics, with that half's statistics under "
    "TensorFlow's `MirroredStrategy`, and with the whole batch's under JAX's "
    "`keras.distribution.DataParallel`.",
    observed={
        name: step[
            ["its samples", "normalised with", "its moving statistics hold"]
        ].values.tolist()
        for name, step in on_two_devices.items()
    },
    expected={name: expected_under[name] for name, ran in available.items() if ran},
)

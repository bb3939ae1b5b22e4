"""The code of the page "Saving and loading: where trainable and the moving statistics
live".

The page is docs/saving.md.

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json saving``.
"""

# %% setup
import json
import tempfile
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pandas as pd
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.models import fit_and_watch
from keras_guide.page import glue, start_page

start_page()
rng = np.random.default_rng(0)
images = rng.normal(3.0, 2.0, size=(32, 8, 8, 1)).astype("float32")
labels = rng.integers(0, 3, size=len(images))
BATCH_SIZE = 16
LAYERS = ["conv", "bn", "relu", "pool", "head"]
glue("steps-per-epoch", len(images) // BATCH_SIZE)


def build_model():
    """A small convolutional base (``conv``, ``bn``) and a classifier ``head``."""
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)


def compile_and_fit(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, batch_size=BATCH_SIZE, epochs=1, verbose=0)


def same_arrays(saved, restored):
    """Whether two lists of arrays have the same length and exactly equal values."""
    return len(saved) == len(restored) and all(map(np.array_equal, saved, restored))


def trainable_flags(model):
    return {name: model.get_layer(name).trainable for name in LAYERS}


model = build_model()
compile_and_fit(model)  # every layer trains; bn's moving statistics move
model.get_layer("conv").trainable = False
model.get_layer("bn").trainable = False
compile_and_fit(model)  # only the head trains

folder = tempfile.TemporaryDirectory()
path = Path(folder.name) / "model.keras"
model.save(path)
display(pd.Series(trainable_flags(model), name="trainable when saved").to_frame())

# %% archive
with zipfile.ZipFile(path) as archive:
    members = archive.namelist()
    config = json.loads(archive.read("config.json"))
    archive.extract("model.weights.h5", folder.name)
print(members)
claim(
    "SAVING-ARCHIVE-MEMBERS",
    "A `.keras` file is a zip archive of three files: `config.json`, "
    "`metadata.json` and `model.weights.h5`.",
    observed=sorted(members),
    expected=["config.json", "metadata.json", "model.weights.h5"],
)

# %% config
layer_configs = {
    entry["config"]["name"]: entry["config"] for entry in config["config"]["layers"]
}
flags = pd.DataFrame(
    {
        "set in Python": trainable_flags(model),
        "in config.json": {
            name: layer_configs[name].get("trainable") for name in LAYERS
        },
    }
)
display(flags)
claim(
    "SAVING-CONFIG-HOLDS-TRAINABLE",
    "`config.json` records each layer's `trainable` flag as it was when you saved: "
    "`false` for the frozen `conv` and `bn`, `true` for the other layers.",
    observed=flags["in config.json"].to_dict(),
    expected={"conv": False, "bn": False, "relu": True, "pool": True, "head": True},
)
compile_config = config["compile_config"]
print("compile_config:", sorted(compile_config))
claim(
    "SAVING-CONFIG-HOLDS-COMPILE",
    "`config.json` also records the arguments of `compile()`, the optimizer and "
    "the loss, under `compile_config`.",
    observed=("optimizer" in compile_config, compile_config["loss"]),
    expected=(True, "sparse_categorical_crossentropy"),
)


# %% weights-file
def read_datasets(h5_path):
    """Every array in an HDF5 file, by its path inside the file."""
    datasets = {}

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            datasets[name] = item[()]

    with h5py.File(h5_path, "r") as h5_file:
        h5_file.visititems(visit)
    return datasets


datasets = read_datasets(Path(folder.name) / "model.weights.h5")
display(
    pd.Series({name: value.shape for name, value in datasets.items()}, name="shape")
)
claim(
    "SAVING-WEIGHTS-FILE-GROUPS",
    "In `model.weights.h5`, a layer's weights sit under `layers/<its class in "
    "snake_case>/vars`, not under the layer's name: `bn`'s under "
    "`layers/batch_normalization/vars`.",
    observed=sorted(
        {name.rsplit("/", 1)[0] for name in datasets if name.startswith("layers/")}
    ),
    expected=[
        "layers/batch_normalization/vars",
        "layers/conv2d/vars",
        "layers/dense/vars",
    ],
)

bn = model.get_layer("bn")
bn_weights = {
    "gamma": bn.gamma,
    "beta": bn.beta,
    "moving_mean": bn.moving_mean,
    "moving_variance": bn.moving_variance,
}
stored_as = {
    f"layers/batch_normalization/vars/{index}": [
        name
        for name, weight in bn_weights.items()
        if np.array_equal(
            datasets[f"layers/batch_normalization/vars/{index}"], weight.numpy()
        )
    ]
    for index in range(4)
}
display(pd.Series(stored_as, name="bn weight with exactly these values"))
claim(
    "SAVING-WEIGHTS-FILE-HOLDS-MOVING-STATISTICS",
    "`model.weights.h5` stores the frozen `bn`'s four weights, unnamed, as "
    "`vars/0` to `vars/3` in the order `gamma`, `beta`, `moving_mean`, "
    "`moving_variance`, each with exactly its values.",
    observed=stored_as,
    expected={
        "layers/batch_normalization/vars/0": ["gamma"],
        "layers/batch_normalization/vars/1": ["beta"],
        "layers/batch_normalization/vars/2": ["moving_mean"],
        "layers/batch_normalization/vars/3": ["moving_variance"],
    },
)

optimizer_datasets = [
    datasets[f"optimizer/vars/{index}"]
    for index in range(len(model.optimizer.variables))
]
claim(
    "SAVING-WEIGHTS-FILE-HOLDS-OPTIMIZER",
    "`model.weights.h5` also stores the optimizer's variables, under "
    "`optimizer/vars`, each with exactly its values.",
    observed=same_arrays(
        optimizer_datasets, [v.numpy() for v in model.optimizer.variables]
    ),
    expected=True,
)

# %% round-trip
loaded = keras.models.load_model(path)
loaded_bn = loaded.get_layer("bn")
display(pd.Series(trainable_flags(loaded), name="trainable after loading").to_frame())
claim(
    "SAVING-ROUND-TRIP-TRAINABLE",
    "After `keras.models.load_model`, each layer has the `trainable` flag it was "
    "saved with.",
    observed=trainable_flags(loaded),
    expected={"conv": False, "bn": False, "relu": True, "pool": True, "head": True},
)
same_values = {
    "bn.moving_mean": np.array_equal(
        bn.moving_mean.numpy(), loaded_bn.moving_mean.numpy()
    ),
    "bn.moving_variance": np.array_equal(
        bn.moving_variance.numpy(), loaded_bn.moving_variance.numpy()
    ),
    "every weight": same_arrays(model.get_weights(), loaded.get_weights()),
}
display(pd.Series(same_values, name="equal to the saved values").to_frame())
claim(
    "SAVING-ROUND-TRIP-WEIGHTS",
    "The loaded model's weights, `bn`'s moving statistics included, equal the "
    "saved ones exactly.",
    observed=same_values,
    expected={"bn.moving_mean": True, "bn.moving_variance": True, "every weight": True},
)


def training_state(loaded):
    """The optimizer and loss a loaded model came back with; None where missing."""
    optimizer = getattr(loaded, "optimizer", None)
    if optimizer is None:
        return {"optimizer": None, "loss": getattr(loaded, "loss", None)}
    return {
        "optimizer": type(optimizer).__name__,
        "loss": loaded.loss,
        "iterations": int(optimizer.iterations.numpy()),
        "same optimizer variables": same_arrays(
            [v.numpy() for v in model.optimizer.variables],
            [v.numpy() for v in optimizer.variables],
        ),
        "shapes of its moment estimates": sorted(
            {tuple(v.shape) for v in optimizer.variables if len(v.shape)}
        ),
    }


optimizer_state = training_state(loaded)
display(pd.Series(optimizer_state, name="loaded model").to_frame())
claim(
    "SAVING-ROUND-TRIP-COMPILED",
    "On Keras 2 and since Keras 3.2, `keras.models.load_model` returns a compiled "
    "model: same optimizer class and "
    "loss, and the optimizer's state (its iteration count and Adam's moment "
    "estimates) as saved, with moment estimates for the head's kernel and bias only, "
    "the variables that were trainable when you saved.",
    observed=optimizer_state,
    expected={
        "optimizer": "Adam",
        "loss": "sparse_categorical_crossentropy",
        "iterations": len(images) // BATCH_SIZE,
        "same optimizer variables": True,
        "shapes of its moment estimates": [(3,), (4, 3)],
    },
)


# %% unfreeze-loaded
def fit_after_unfreezing(model):
    """Fit for one epoch: which layers the fit changed, or the error it raised."""
    try:
        changed, _ = fit_and_watch(model, images, labels, batch_size=BATCH_SIZE)
    except Exception as error:  # which error, if any, is what the claims check
        print(f"fit() raised {type(error).__name__}: {error}")
        return {"raised": type(error).__name__, "message": str(error)}
    return {
        "changed": {
            name: any(moved for path, moved in changed.items() if path.startswith(name))
            for name in ("conv", "bn", "head")
        }
    }


without_compile = keras.models.load_model(path)
without_compile.get_layer("conv").trainable = True
outcome = fit_after_unfreezing(without_compile)
claim(
    "SAVING-LOADED-UNFREEZE-WITHOUT-COMPILE-RAISES",
    "On Keras 3.2 and later, except 3.7 to 3.12, if you unfreeze a layer of a loaded "
    "model and call `fit()` without compiling again, `fit()` raises a `ValueError` "
    "that says the optimizer was built with other variables.",
    observed=(
        outcome.get("raised"),
        "built with" in outcome.get("message", ""),
        outcome.get("changed"),
    ),
    expected=("ValueError", True, None),
)

# %% unfreeze-compile-loaded
with_compile = keras.models.load_model(path)
with_compile.get_layer("conv").trainable = True
with_compile.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
outcome = fit_after_unfreezing(with_compile)
changed = outcome.get("changed") or outcome
display(pd.Series(changed, name="changed by fit()").to_frame())
iterations = int(with_compile.optimizer.iterations.numpy())
print("optimizer iterations after this fit:", iterations)
claim(
    "SAVING-LOADED-UNFREEZE-COMPILE-TRAINS",
    "On Keras 2 and since Keras 3.2, after you unfreeze `conv` of a loaded model and "
    "compile again, `fit()` updates "
    "`conv` and the head, and leaves the still-frozen `bn` as loaded; the new "
    "optimizer counts only this fit's steps.",
    observed=(changed, iterations),
    expected=({"conv": True, "bn": False, "head": True}, len(images) // BATCH_SIZE),
)

# %% weights-only
weights_path = Path(folder.name) / "frozen.weights.h5"
model.save_weights(weights_path)
with h5py.File(weights_path, "r") as weights_file:
    print("top-level groups:", list(weights_file))
    names = []  # every group and array, with its attributes' names and values
    weights_file.visititems(
        lambda name, item: names.extend([name, *map(str, item.attrs.items())])
    )

fresh = build_model()
fresh.load_weights(weights_path)
weights_only = pd.DataFrame(
    {"saved model": trainable_flags(model), "model loaded into": trainable_flags(fresh)}
)
display(weights_only)
claim(
    "SAVING-WEIGHTS-ONLY-KEEPS-OWN-FLAGS",
    "A `.weights.h5` file mentions no `trainable` flag; `load_weights` copies every "
    "weight, the moving statistics included, and leaves each layer's `trainable` "
    "flag as the model you load into has it: a new model stays all trainable.",
    observed=(
        [name for name in names if "trainable" in name],
        same_arrays(model.get_weights(), fresh.get_weights()),
        trainable_flags(fresh),
    ),
    expected=([], True, dict.fromkeys(LAYERS, True)),
)
folder.cleanup()

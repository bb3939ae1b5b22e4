"""The code of the page "`trainable` in depth" (docs/trainable_in_depth.md).

Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter:
``python -m guide_build.run keras3-tf run.json trainable_in_depth``.
"""

# %% setup
import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tf_keras
from IPython.display import display

from keras_guide.claims import claim, require
from keras_guide.models import (
    fit_and_watch,
    parameter_count,
    sublayers,
    summary_text,
    summary_totals,
    trainable_column,
)
from keras_guide.page import glue, start_page
from keras_guide.weights import weight_lists, weight_name, weight_names, weight_path

start_page()

rng = np.random.default_rng(0)
x = rng.normal(size=(64, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)


def build_model(K):
    """A model with a nested model inside, built with Keras 3 or Keras 2 (K)."""
    inner = K.Sequential(
        [K.layers.Dense(4, name="dense"), K.layers.BatchNormalization(name="bn")],
        name="inner",
    )
    head = K.layers.Dense(1, name="head")
    return K.Sequential([K.Input((4,)), inner, head], name="model")


def files_containing(package, text):
    root = Path(package.__file__).parent
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if text in path.read_text(encoding="utf-8")
    )


# %% model-weight-lists
model = build_model(keras)
weight_table = weight_lists(model, by_path=True)
display(weight_table)
claim(
    "TRAINABLE-MODEL-WEIGHT-LISTS",
    "In Keras 3, a model's `weights` lists the weights of every layer inside it, "
    "nested models included; each one is in exactly one of `trainable_weights` and "
    "`non_trainable_weights`, and only the moving statistics of `BatchNormalization` "
    "are non-trainable.",
    observed=(
        weight_table.index[weight_table["non_trainable_weights"]].tolist(),
        bool((weight_table.sum(axis=1) == 1).all()),
    ),
    expected=(["model/inner/bn/moving_mean", "model/inner/bn/moving_variance"], True),
)


# %% trainable-is-recursive
def flags(model):
    """The `trainable` flag of every layer inside the model, at any depth."""
    return {name: layer.trainable for name, layer in sublayers(model).items()}


steps = {}
model.get_layer("inner").trainable = False
steps["inner.trainable = False"] = flags(model)
model.trainable = False
steps["model.trainable = False"] = flags(model)
model.trainable = True
steps["model.trainable = True"] = flags(model)
display(pd.DataFrame(steps))
glue("flip-count", len(steps))
glue("inner-layer-count", len(model.get_layer("inner").layers))
claim(
    "TRAINABLE-SET-IS-RECURSIVE",
    "Setting `trainable` on a model sets it on every layer inside it, at any depth; "
    "setting it on a nested model changes only that model's layers.",
    observed={step: sorted(set(layers.values())) for step, layers in steps.items()},
    expected={
        "inner.trainable = False": [False, True],
        "model.trainable = False": [False],
        "model.trainable = True": [True],
    },
)
claim(
    "TRAINABLE-UNFREEZE-KEEPS-MOVING-STATS",
    "Setting `trainable = True` on a frozen model restores the original weight lists: "
    "the moving statistics of `BatchNormalization` stay non-trainable.",
    observed=weight_lists(model, by_path=True).equals(weight_table),
    expected=True,
)

# %% trainable-source
print(inspect.getsource(keras.layers.Layer.trainable.fset))
print(inspect.getsource(keras.layers.Layer.trainable_weights.fget))

dense = keras.layers.Dense(2)
dense.build((None, 3))
kernel_flag = inspect.getattr_static(dense.kernel, "trainable")
require(
    getattr(kernel_flag, "fset", None) is not None,
    "Keras 2 variables (TensorFlow's `tf.Variable`) have no setter for "
    "`trainable`: a variable's own flag is fixed when it is created",
)
dense.trainable = False
dense.kernel.trainable = True
layer_off_variable_on = weight_names(dense.trainable_weights)
dense.trainable = True
dense.kernel.trainable = False
layer_on_variable_off = weight_names(dense.trainable_weights)
print("layer off, kernel on: ", layer_off_variable_on)
print("layer on, kernel off: ", layer_on_variable_off)
claim(
    "TRAINABLE-TWO-LEVEL-RULE",
    "A layer's `trainable_weights` is empty when the layer's own `trainable` is False, "
    "whatever its variables say; when it is True, it lists the variables whose own "
    "`trainable` is True.",
    observed=(layer_off_variable_on, layer_on_variable_off),
    expected=([], ["bias"]),
)

# %% unfreeze-direct-child
model = build_model(keras)
model.trainable = False
model.get_layer("head").trainable = True
print("model.trainable_weights:", [weight_path(w) for w in model.trainable_weights])
head = model.get_layer("head")
print("head.trainable_weights: ", [weight_path(w) for w in head.trainable_weights])
model.compile(optimizer="sgd", loss="mse")
changed, messages = fit_and_watch(model, x, y)
print("changed by fit:", [path for path, moved in changed.items() if moved])
print("fit said:", messages)
glue("epochs", len(model.history.epoch))
glue("head-weight-count", len(head.trainable_weights))
claim(
    "TRAINABLE-CHILD-OF-FROZEN-MODEL",
    "A layer set to `trainable = True` inside a frozen model lists its weights in its "
    "own `trainable_weights`, while the model's `trainable_weights` stays empty.",
    observed=(len(model.trainable_weights), len(head.trainable_weights)),
    expected=(0, 2),
)
claim(
    "TRAINABLE-CHILD-OF-FROZEN-MODEL-NOT-FIT",
    "`fit()` on a frozen model changes no weight, even those of a layer set back to "
    "`trainable = True` inside it.",
    observed=any(changed.values()),
    expected=False,
)
claim(
    "TRAINABLE-FROZEN-MODEL-FIT-WARNS",
    "In Keras 3 on TensorFlow, that `fit()` warns once that the model has no "
    "trainable weights.",
    observed=messages,
    expected=["warning: The model does not have any trainable weights."],
)


# %% unfreeze-nested
def unfreeze_inside_frozen_inner(K):
    """Freeze `inner`, unfreeze its Dense, fit; report the lists and the changes."""
    model = build_model(K)
    inner = model.get_layer("inner")
    inner.trainable = False
    inner.get_layer("dense").trainable = True
    model.compile(optimizer="sgd", loss="mse")
    owners = {"model": model, "inner": inner, "inner/dense": inner.get_layer("dense")}
    lists = {
        name: [weight_path(w) for w in owner.trainable_weights]
        for name, owner in owners.items()
    }
    changed, _ = fit_and_watch(model, x, y)
    return model, lists, [path for path, moved in changed.items() if moved]


nested_model, nested_lists, nested_changed = unfreeze_inside_frozen_inner(keras)
for owner, paths in nested_lists.items():
    print(f"{owner}.trainable_weights:", paths)
print("changed by fit:", nested_changed)
dense_and_head = [
    "model/inner/dense/kernel",
    "model/inner/dense/bias",
    "model/head/kernel",
    "model/head/bias",
]
claim(
    "TRAINABLE-NESTED-UNFROZEN-LISTS",
    "In Keras 3, a layer set to `trainable = True` inside a frozen nested model "
    "appears in the outer model's `trainable_weights`, though the nested model's own "
    "`trainable_weights` is empty.",
    observed=nested_lists,
    expected={"model": dense_and_head, "inner": [], "inner/dense": dense_and_head[:2]},
)
claim(
    "TRAINABLE-NESTED-UNFROZEN-FIT",
    "In Keras 3, `fit()` on the outer model updates a layer set to `trainable = True` "
    "inside a frozen nested model: it follows the outer model's `trainable_weights`.",
    observed=nested_changed,
    expected=dense_and_head,
)

# %% unfreeze-nested-keras2
_, keras2_lists, keras2_changed = unfreeze_inside_frozen_inner(tf_keras)
for owner, paths in keras2_lists.items():
    print(f"{owner}.trainable_weights:", paths)
print("changed by fit:", keras2_changed)
claim(
    "TRAINABLE-NESTED-UNFROZEN-KERAS2",
    "In Keras 2 (tf-keras), a layer set to `trainable = True` inside a frozen nested "
    "model lists its own weights, but the outer model's `trainable_weights` leaves "
    "them out and `fit()` does not update them.",
    observed=(keras2_lists["model"], keras2_lists["inner/dense"], keras2_changed),
    expected=(
        ["head/kernel", "head/bias"],
        ["dense/kernel", "dense/bias"],
        ["head/kernel", "head/bias"],
    ),
)

# %% compile-scenarios
SCENARIOS = [
    "compile, freeze, fit",
    "compile, fit, freeze, fit",
    "compile, fit, freeze, compile, fit",
    "compile, fit, freeze, make_train_function(force=True), fit",
    "freeze, compile, fit, unfreeze, fit",
]


def run_scenario(K, scenario):
    """Run the steps of a scenario on a new model, and watch the last fit."""
    model = build_model(K)
    inner = model.get_layer("inner")
    actions = {
        "compile": lambda: model.compile(optimizer="sgd", loss="mse"),
        "fit": lambda: model.fit(x, y, batch_size=16, verbose=0),
        "freeze": lambda: setattr(inner, "trainable", False),
        "unfreeze": lambda: setattr(inner, "trainable", True),
        "make_train_function(force=True)": lambda: model.make_train_function(
            force=True
        ),
    }
    for step in scenario.split(", ")[:-1]:
        actions[step]()
    try:
        changed, messages = fit_and_watch(model, x, y)
    except ValueError as error:  # Keras 3 on JAX refuses (see the claim matrix)
        dense_updated, took_effect = None, "fit raised ValueError"
        messages = [f"error: {str(error).splitlines()[0][:80]}"]
    else:
        dense_updated = any(
            moved for path, moved in changed.items() if "dense/" in path
        )
        took_effect = dense_updated == inner.trainable
    return {
        "inner.trainable at last fit": inner.trainable,
        "inner/dense updated by last fit": dense_updated,
        "change took effect": took_effect,
        "warnings and logs": messages,
    }


def scenario_table(K):
    rows = {scenario: run_scenario(K, scenario) for scenario in SCENARIOS}
    return pd.DataFrame(rows).T


keras3_scenarios = scenario_table(keras)
display(keras3_scenarios)

# %% compile-scenarios-claims
took_effect = keras3_scenarios["change took effect"].to_dict()
claim(
    "TRAINABLE-CHANGE-BEFORE-FIRST-FIT",
    "In Keras 3, a `trainable` change made after `compile()` but before the first "
    "`fit()` takes effect without recompiling.",
    observed=took_effect["compile, freeze, fit"],
    expected=True,
)
claim(
    "TRAINABLE-CHANGE-AFTER-FIT-IGNORED",
    "In Keras 3 on TensorFlow, a `trainable` change made after a `fit()` is ignored by "
    "the next "
    "`fit()` unless you recompile: a frozen layer keeps being updated, an unfrozen one "
    "stays as it was.",
    observed=(
        took_effect["compile, fit, freeze, fit"],
        took_effect["freeze, compile, fit, unfreeze, fit"],
    ),
    expected=(False, False),
)
claim(
    "TRAINABLE-RECOMPILE-APPLIES-CHANGE",
    "Calling `compile()` again makes the next `fit()` follow the new `trainable` "
    "flags.",
    observed=took_effect["compile, fit, freeze, compile, fit"],
    expected=True,
)
claim(
    "TRAINABLE-FORCED-TRAIN-FUNCTION-APPLIES-CHANGE",
    "In Keras 3 on TensorFlow and on PyTorch, `make_train_function(force=True)` "
    "instead of a new `compile()` also makes the next `fit()` follow the new "
    "`trainable` flags.",
    observed=took_effect["compile, fit, freeze, make_train_function(force=True), fit"],
    expected=True,
)
claim(
    "TRAINABLE-NO-WARNING-KERAS3",
    "Keras 3 on TensorFlow raises no warning and logs nothing when `fit()` runs with "
    "`trainable` "
    "flags that differ from those the model was compiled or first fitted with.",
    observed=int(keras3_scenarios["warnings and logs"].map(len).sum()),
    expected=0,
)

# %% compile-scenarios-keras2
keras2_scenarios = scenario_table(tf_keras)
display(keras2_scenarios)
keras2_took_effect = keras2_scenarios["change took effect"].to_dict()
claim(
    "TRAINABLE-KERAS2-COMPILE-STATE-RULES",
    "In Keras 2 (tf-keras), `fit()` follows the `trainable` flags as they were at "
    "`compile()`: a change made after compiling, even before the first `fit()`, takes "
    "effect only after you recompile.",
    observed=keras2_took_effect,
    expected={
        "compile, freeze, fit": False,
        "compile, fit, freeze, fit": False,
        "compile, fit, freeze, compile, fit": True,
        "compile, fit, freeze, make_train_function(force=True), fit": False,
        "freeze, compile, fit, unfreeze, fit": False,
    },
)
claim(
    "TRAINABLE-NO-WARNING-KERAS2",
    "Keras 2 (tf-keras) in TensorFlow 2 raises no warning and logs nothing either, in "
    "any of the scenarios.",
    observed=int(keras2_scenarios["warnings and logs"].map(len).sum()),
    expected=0,
)

# %% why-no-warning-keras2
from tf_keras.src.engine import training_v1

keras2_warning_files = files_containing(tf_keras, "Discrepancy between trainable")
print("tf-keras files with the Discrepancy warning:", keras2_warning_files)
runs_v1_loop = isinstance(build_model(tf_keras), training_v1.Model)
print("tf-keras model is a TensorFlow 1 training_v1.Model:", runs_v1_loop)
claim(
    "TRAINABLE-KERAS2-DISCREPANCY-WARNING-V1-ONLY",
    'The tf-keras warning "Discrepancy between trainable weights and collected '
    'trainable weights" lives only in the TensorFlow 1 training loop '
    "(`training_v1.py`), which a TensorFlow 2 `fit()` does not run.",
    observed=(keras2_warning_files, runs_v1_loop),
    expected=(["src/engine/training_v1.py"], False),
)


# %% why-no-warning-keras3
def trainer_module():
    """Keras 3's module of `fit()` and `compile()`, or None where there is none."""
    try:
        return importlib.import_module("keras.src.trainers.trainer")
    except ImportError:
        return None


def called_name(call):
    """The name of the function or method a call calls: `f` in `x.f()` or `f()`."""
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else None


def mentions_trainable(call):
    """Whether a call is `warnings.warn(...)` with a message that says `trainable`."""
    function = call.func
    if not (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and (function.value.id, function.attr) == ("warnings", "warn")
        and call.args
    ):
        return False
    return any(
        isinstance(part, ast.Constant)
        and isinstance(part.value, str)
        and "trainable" in part.value
        for part in ast.walk(call.args[0])
    )


def enclosing(node, kinds, parent):
    """The nearest node around `node` that is one of `kinds`, or None."""
    while node is not None and not isinstance(node, kinds):
        node = parent.get(node)
    return node


def statement_before(statement, parent):
    """The kind of the statement just before `statement` in its block, or None."""
    for value in vars(parent[statement]).values():
        if isinstance(value, list) and any(item is statement for item in value):
            index = next(i for i, item in enumerate(value) if item is statement)
            return type(value[index - 1]).__name__ if index else None


module = trainer_module()
require(
    module is not None,
    "this Keras has no module `keras.src.trainers.trainer`, where Keras 3.15.1 "
    "defines `compile()` and `fit()`",
)
glue("keras-version", keras.__version__)
trainer_source = Path(inspect.getsourcefile(module)).read_text(encoding="utf-8")
trainer_tree = ast.parse(trainer_source)
parent = {
    child: node
    for node in ast.walk(trainer_tree)
    for child in ast.iter_child_nodes(node)
}
calls = [node for node in ast.walk(trainer_tree) if isinstance(node, ast.Call)]
functions = (ast.FunctionDef, ast.AsyncFunctionDef)
warners = [
    enclosing(call, functions, parent) for call in calls if mentions_trainable(call)
]
warning_functions = sorted({warner.name for warner in warners if warner is not None})
print("functions that warn about `trainable`:", warning_functions)
warning_calls = [call for call in calls if called_name(call) in warning_functions]
before_calls = []
for call in warning_calls:
    statement = enclosing(call, ast.stmt, parent)
    before_calls.append(statement_before(statement, parent))
    caller = enclosing(statement, functions, parent) or statement
    print(textwrap.dedent(ast.get_source_segment(trainer_source, caller, padded=True)))
print("statement just before each call:", before_calls)
calling_files = sorted(
    {
        file
        for warner in warning_functions
        for file in files_containing(keras, f".{warner}(")
    }
)
print("files that call it:", calling_files)
claim(
    "TRAINABLE-KERAS3-WARNING-UNREACHABLE",
    "Keras 3.15 and the next Keras have a warning for a `trainable` change since "
    "`compile()`, but its only call comes right after a `raise`, so it never runs.",
    observed=(
        len(warning_functions),
        calling_files,
        before_calls,
    ),
    expected=(1, ["src/trainers/trainer.py"], ["Raise"]),
)

# %% summary
summary_model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(8, name="features"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dropout(0.5, name="dropout"),
        keras.layers.Dense(1, name="head"),
    ],
    name="summary_model",
)
summary_model.get_layer("features").trainable = False
summary = summary_text(
    summary_model, show_trainable=True, line_length=80, positions=[0.45, 0.75, 0.95]
)
print(summary)


# %% summary-claims
def expected_flag(layer):
    return "-" if not layer.weights else "Y" if layer.trainable else "N"


totals = summary_totals(summary)
for kind, count in totals.items():
    glue(f"summary-{kind.lower()}", count)
bn_layer = summary_model.get_layer("bn")
glue("features-params", summary_model.get_layer("features").count_params())
glue("bn-moving-params", parameter_count(bn_layer.non_trainable_weights))
glue("bn-gamma-beta-params", parameter_count(bn_layer.trainable_weights))
glue("head-params", summary_model.get_layer("head").count_params())
claim(
    "TRAINABLE-SUMMARY-COLUMN",
    "In Keras 3, the Trainable column of `summary(show_trainable=True)` shows each "
    "layer's own "
    "`trainable` flag: Y or N, and - for a layer with no weights; `BatchNormalization` "
    "shows Y though its moving statistics are non-trainable.",
    observed=trainable_column(summary),
    expected={layer.name: expected_flag(layer) for layer in summary_model.layers},
)
claim(
    "TRAINABLE-SUMMARY-TOTALS",
    "Before the optimizer is built, the summary's totals are the weight lists counted: "
    "Trainable params is the size of `trainable_weights`, Non-trainable params the "
    "size of `non_trainable_weights`, Total params the size of `weights`.",
    observed=totals,
    expected={
        "Total": parameter_count(summary_model.weights),
        "Trainable": parameter_count(summary_model.trainable_weights),
        "Non-trainable": parameter_count(summary_model.non_trainable_weights),
    },
)

# %% summary-nested
nested_summary = summary_text(
    nested_model,
    show_trainable=True,
    expand_nested=True,
    line_length=80,
    positions=[0.45, 0.75, 0.95],
)
print(nested_summary)
nested_totals = summary_totals(nested_summary)
nested_column = trainable_column(nested_summary)
for kind, count in nested_totals.items():
    glue(f"nested-{kind.lower()}", count)
nested_inner = nested_model.get_layer("inner")
glue("nested-dense-params", nested_inner.get_layer("dense").count_params())
claim(
    "TRAINABLE-SUMMARY-NESTED",
    "With `expand_nested=True`, the summary marks a frozen nested model N and a layer "
    "unfrozen inside it Y, and its Trainable params counts that layer: the count "
    "follows the outer model's `trainable_weights`.",
    observed=(
        nested_column["inner"],
        nested_column["dense"],
        nested_totals["Trainable"],
    ),
    expected=("N", "Y", parameter_count(nested_model.trainable_weights)),
)
claim(
    "TRAINABLE-SUMMARY-OPTIMIZER",
    "In Keras 3, once the optimizer is built, the summary adds an Optimizer params "
    "line, and Total "
    "params is Trainable plus Non-trainable plus Optimizer params.",
    observed=(
        nested_totals.get("Optimizer"),
        nested_totals["Total"]
        - nested_totals["Trainable"]
        - nested_totals["Non-trainable"],
    ),
    expected=(parameter_count(nested_model.optimizer.variables),) * 2,
)


# %% other-layers
def weight_kinds(layer):
    """A layer's trainable weights, non-trainable weights, and other variables."""
    weight_ids = set(map(id, layer.weights))
    return {
        "trainable_weights": weight_names(layer.trainable_weights),
        "non_trainable_weights": weight_names(layer.non_trainable_weights),
        "other variables": [
            weight_name(v) for v in layer.variables if id(v) not in weight_ids
        ],
    }


normalization = keras.layers.Normalization()
normalization.adapt(x)
layers = {
    "BatchNormalization": keras.layers.BatchNormalization(),
    "Normalization (adapted)": normalization,
    "SpectralNormalization(Dense)": keras.layers.SpectralNormalization(
        keras.layers.Dense(3)
    ),
    "Embedding": keras.layers.Embedding(10, 2),
    "Dropout(seed=1)": keras.layers.Dropout(0.5, seed=1),
}
for layer in layers.values():
    if not layer.built:
        layer.build((None, 4))
weight_kinds_table = pd.DataFrame(
    {name: weight_kinds(layer) for name, layer in layers.items()}
).T
display(weight_kinds_table)
glue(
    "normalization-weight-count",
    len(weight_kinds_table.loc["Normalization (adapted)", "non_trainable_weights"]),
)

# %% other-layers-claims
kinds = weight_kinds_table.to_dict(orient="index")
claim(
    "TRAINABLE-NORMALIZATION-STATE",
    "An adapted `Normalization` layer has three weights, `mean`, `variance` and "
    "`count`, and all three are non-trainable.",
    observed=kinds["Normalization (adapted)"],
    expected={
        "trainable_weights": [],
        "non_trainable_weights": ["mean", "variance", "count"],
        "other variables": [],
    },
)
claim(
    "TRAINABLE-SPECTRAL-NORMALIZATION-STATE",
    "`SpectralNormalization` adds a non-trainable weight, `vector_u`, next to the "
    "trainable `kernel` and `bias` of the layer it wraps.",
    observed=kinds["SpectralNormalization(Dense)"],
    expected={
        "trainable_weights": ["kernel", "bias"],
        "non_trainable_weights": ["vector_u"],
        "other variables": [],
    },
)
no_state = {"trainable_weights": [], "non_trainable_weights": [], "other variables": []}
claim(
    "TRAINABLE-SEED-STATE-NOT-A-WEIGHT",
    "In Keras 3, a seeded `Dropout` has no weights, but its `variables` hold one "
    "non-trainable "
    "variable, `seed_generator_state`.",
    observed=(
        kinds["Dropout(seed=1)"],
        [v.trainable for v in layers["Dropout(seed=1)"].variables],
    ),
    expected=({**no_state, "other variables": ["seed_generator_state"]}, [False]),
)

# %% lookup-layers
lookups = {
    "StringLookup": keras.layers.StringLookup(vocabulary=["cat", "dog"]),
    "IntegerLookup": keras.layers.IntegerLookup(vocabulary=[3, 5]),
}
lookups["StringLookup"]([["cat", "dog"]])  # a first call builds a layer
lookups["IntegerLookup"]([[3, 5]])
lookup_kinds = {name: weight_kinds(layer) for name, layer in lookups.items()}
display(pd.DataFrame(lookup_kinds).T)
claim(
    "TRAINABLE-LOOKUPS-NO-WEIGHTS",
    "`StringLookup` and `IntegerLookup` have no weights and no variables at all: their "
    "vocabulary is not a weight. `Embedding` has one weight, `embeddings`, and it is "
    "trainable.",
    observed=(
        lookup_kinds["StringLookup"],
        lookup_kinds["IntegerLookup"],
        kinds["Embedding"],
    ),
    expected=(no_state, no_state, {**no_state, "trainable_weights": ["embeddings"]}),
)

# %% fit-and-state
stateful_model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Normalization(name="normalization"),
        keras.layers.Dense(4, name="dense"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dense(1, name="head"),
    ],
    name="stateful_model",
)
stateful_model.get_layer("normalization").adapt(x)
stateful_model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
changed, _ = fit_and_watch(stateful_model, x, y)
fit_table = weight_lists(stateful_model, by_path=True)[["trainable_weights"]]
fit_table["changed by fit"] = list(changed.values())
display(fit_table)
non_trainable = ~fit_table["trainable_weights"]
claim(
    "TRAINABLE-FIT-LEAVES-NORMALIZATION-STATE",
    "In Keras 3, `fit()` leaves the `mean`, `variance` and `count` of `Normalization` "
    "unchanged, "
    "while in the same epoch it moves the moving statistics of `BatchNormalization`: "
    "non-trainable does not mean constant.",
    observed=fit_table.loc[non_trainable, "changed by fit"].to_dict(),
    expected={
        "stateful_model/normalization/mean": False,
        "stateful_model/normalization/variance": False,
        "stateful_model/normalization/count": False,
        "stateful_model/bn/moving_mean": True,
        "stateful_model/bn/moving_variance": True,
    },
)

# %% metric-state
require(
    hasattr(stateful_model, "metrics_variables"),
    "Keras 2 (tf-keras) models have no `metrics_variables`",
)
for name in ("metrics_variables", "non_trainable_variables", "non_trainable_weights"):
    print(f"{name}:", [weight_path(v) for v in getattr(stateful_model, name)])
metric_ids = set(map(id, stateful_model.metrics_variables))
state_totals = summary_totals(summary_text(stateful_model))
claim(
    "TRAINABLE-METRIC-STATE-OUTSIDE-WEIGHTS",
    "The state of a compiled model's metrics is in `metrics_variables`; it is not in "
    "`weights`, `non_trainable_weights` or `non_trainable_variables`, so the summary's "
    "totals do not count it.",
    observed={
        "metric variables": len(metric_ids),
        "in weights": [w for w in stateful_model.weights if id(w) in metric_ids],
        "in non_trainable_variables": [
            v for v in stateful_model.non_trainable_variables if id(v) in metric_ids
        ],
        "summary Total": state_totals["Total"],
    },
    expected={
        "metric variables": 4,
        "in weights": [],
        "in non_trainable_variables": [],
        "summary Total": parameter_count(stateful_model.weights)
        + parameter_count(stateful_model.optimizer.variables),
    },
)

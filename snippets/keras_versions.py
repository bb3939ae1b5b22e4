"""The code of the page "Keras 2, Keras 3 and the next Keras" (docs/keras_versions.md).

The page reads the claim matrix that ``nox -s matrix`` records in
snippets/keras_guide/results/; the tests fail when that record is stale.
Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json keras_versions``.
"""

# %% setup
import ast

import pandas as pd
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.matrix import (
    SYMBOLS,
    details,
    load_results,
    outcome_detail,
    outcomes,
    status_table,
    statuses,
)
from keras_guide.page import glue, start_page
from keras_guide.stacks import MATRIX, SITE_STACK

start_page()
results = load_results()
# The matrix's stacks, from the stack table: a claim below expects an outcome on each.
STACKS = [stack.id for stack in MATRIX]
NO_TF = ["keras3-jax", "keras3-torch"]


def expect(**exceptions):
    """Every stack "holds", but those named: expect(differs=[...], error=[...])."""
    expected = {stack: "holds" for stack in STACKS}
    for status, stacks in exceptions.items():
        expected.update(dict.fromkeys(stacks, status.replace("_", " ")))
    return expected


def observed(results, claim_id):
    """What each stack observed for a claim, as Python values."""
    return {
        stack: ast.literal_eval(outcome["observed"])
        for stack, outcome in outcomes(results, claim_id).items()
    }


def show(claim_ids):
    """A few rows of the matrix, and what happened where a claim does not hold."""
    display(status_table(results, claim_ids))
    with pd.option_context("display.max_colwidth", 240):
        display(details(results, claim_ids))


# %% stacks
VERSION_ROWS = {
    "Python": ["python"],
    "TensorFlow": ["tensorflow"],
    "Keras": ["keras", "keras-nightly", "tf-keras"],
    "tf-keras": ["tf-keras"],
    "JAX": ["jax"],
    "PyTorch": ["torch"],
}


def column(result):
    versions = result["versions"]
    shown = {
        row: next((versions[name] for name in names if name in versions), "–")
        for row, names in VERSION_ROWS.items()
    }
    return {"stack": result["label"], **shown, "recorded on": result["recorded_on"]}


display(pd.DataFrame({stack: column(result) for stack, result in results.items()}))

# %% coverage
glue("keras-site", results[SITE_STACK]["versions"]["keras"])
glue("keras-next", results["keras-next-tf"]["versions"]["keras-nightly"])
glue("claims-run", len(results[SITE_STACK]["claims"]))
glue("stack-count", len(results))
recorded = {result["recorded_on"] for result in results.values()}
glue("recorded-on", ", ".join(sorted(recorded)))


# %% counts
matrix = status_table(results)
counts = (
    matrix.apply(pd.Series.value_counts).reindex(SYMBOLS.values()).fillna(0).astype(int)
)
counts.index.name = "status"
display(counts)
for stack in results:
    glue(f"holds-{stack}", int((matrix[stack] == "✔ holds").sum()))

# %% matrix
with pd.option_context("display.max_rows", None):
    display(matrix)

# %% differences
rows = [
    {
        "stack": result["label"],
        "claim": claim_id,
        "status": SYMBOLS[outcome["status"]],
        "detail": outcome_detail(outcome),
    }
    for result in results.values()
    for claim_id, outcome in result["claims"].items()
    if outcome["status"] != "holds"
]
differences = pd.DataFrame(rows).set_index(["stack", "claim"])
labels = [result["label"] for result in results.values()]
not_holding = differences.groupby(level="stack").size().reindex(labels, fill_value=0)
display(not_holding.rename("claims that do not hold"))
with pd.option_context("display.max_rows", None, "display.max_colwidth", None):
    display(differences)

# %% graph-time-false
GRAPH_TIME = [
    "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
    "SOURCE-CALL-TRUE-OVERRIDES-GRAPH-TIME-FALSE",
    "FINETUNE-CLASSIC-KERAS3-MOVES-STATS",
    "SOURCE-CALL-TIME-FALSE-HOLDS-IN-FIT",
    "KNOBS-FROZEN-BN-INFERENCE",
]
show(GRAPH_TIME)
claim(
    "VERSIONS-GRAPH-TIME-FALSE",
    "`fit()` overrides a `training=False` written into a functional model on the Keras "
    "3 release this site pins, with any backend, but not on Keras 2 and not on the "
    "next Keras.",
    observed=statuses(results, "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE"),
    expected=expect(differs=["keras2-tf", "keras-next-tf"]),
)
claim(
    "VERSIONS-FREEZING-WORKS-EVERYWHERE",
    "Two settings keep a `BatchNormalization` in inference mode during `fit()` on "
    "every stack of the matrix: `training=False` passed where a custom layer's "
    "`call()` calls it "
    "(not written into a functional model), and `trainable = False` on the layer.",
    observed=[
        statuses(results, claim_id)
        for claim_id in (
            "SOURCE-CALL-TIME-FALSE-HOLDS-IN-FIT",
            "KNOBS-FROZEN-BN-INFERENCE",
        )
    ],
    expected=[expect(), expect()],
)

# %% false-reaches-the-head
AFTER_THE_BASE = [
    "CHECK-KERASIO-HEAD-FOOTPRINT",
    "CHECK-RECIPE-FOOTPRINT",
    "CHECK-WRAPPER-FOOTPRINT",
]
head_dropout = {
    claim_id: {stack: rows["head_dropout"][0] for stack, rows in seen.items()}
    for claim_id in AFTER_THE_BASE
    if (seen := observed(results, claim_id))
}
display(pd.DataFrame(head_dropout).rename_axis("training the head's Dropout got"))
claim(
    "VERSIONS-FALSE-REACHES-THE-HEAD",
    "Only on the next Keras does a `training=False` passed to the base reach the "
    "layers after it during `fit()`: the head's `Dropout` receives `False` in "
    "keras.io's recipe, in this guide's recipe with a `Dropout` in the head, and "
    "behind a wrapper layer.",
    observed=head_dropout,
    expected=dict.fromkeys(
        AFTER_THE_BASE, {**dict.fromkeys(STACKS, "True"), "keras-next-tf": "False"}
    ),
)

# %% default-passed-on
DEFAULTS = [
    "SOURCE-DEFAULT-PASSED-ON",
    "SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING",
    "SOURCE-EXPLICIT-FALSE-KEEPS-BN-IN-INFERENCE",
]
show(DEFAULTS)
claim(
    "VERSIONS-DEFAULT-PASSED-ON",
    "A layer's own `training=True` default is passed on to the layers it calls, and to "
    "the `BatchNormalization` after a preprocessing layer, on the Keras 3 release this "
    "site pins only; an explicit `training=False` works on every stack of the "
    "matrix.",
    observed=[statuses(results, claim_id) for claim_id in DEFAULTS],
    expected=[
        expect(differs=["keras2-tf", "keras-next-tf"]),
        expect(differs=["keras2-tf", "keras-next-tf"]),
        expect(),
    ],
)

# %% compile-state
COMPILE_STATE = [
    "TRAINABLE-CHANGE-BEFORE-FIRST-FIT",
    "TRAINABLE-CHANGE-AFTER-FIT-IGNORED",
    "TRAINABLE-RECOMPILE-APPLIES-CHANGE",
    "TRAINABLE-FORCED-TRAIN-FUNCTION-APPLIES-CHANGE",
]
show(COMPILE_STATE)
after_fit = observed(results, "TRAINABLE-CHANGE-AFTER-FIT-IGNORED")
print("freeze after fit, unfreeze after fit: did the change apply?")
display(pd.Series(after_fit, name="observed"))
claim(
    "VERSIONS-COMPILE-STATE",
    "After `fit()`, a change of `trainable` is ignored on Keras 2 and on Keras 3 with "
    "TensorFlow; on JAX the next `fit()` raises `ValueError`; on PyTorch freezing "
    "applies and unfreezing raises. Keras 2 also ignores a change between `compile()` "
    "and the first `fit()`. Recompiling applies the change on every stack of the "
    "matrix.",
    observed=(
        statuses(results, "TRAINABLE-CHANGE-BEFORE-FIRST-FIT"),
        after_fit,
        statuses(results, "TRAINABLE-RECOMPILE-APPLIES-CHANGE"),
    ),
    expected=(
        expect(differs=["keras2-tf"]),
        {
            "keras2-tf": (False, False),
            "keras3-tf": (False, False),
            "keras3-jax": ("fit raised ValueError", "fit raised ValueError"),
            "keras3-torch": (True, "fit raised ValueError"),
            "keras-next-tf": (False, False),
        },
        expect(),
    ),
)

# %% nested-and-warnings
NESTED_AND_WARNINGS = [
    "TRAINABLE-NESTED-UNFROZEN-FIT",
    "TRAINABLE-FROZEN-MODEL-FIT-WARNS",
    "TRAINABLE-LOOKUPS-NO-WEIGHTS",
]
show(NESTED_AND_WARNINGS)
claim(
    "VERSIONS-NESTED-UNFROZEN",
    "A layer set back to trainable inside a frozen nested model is trained by `fit()` "
    "on every Keras 3 stack, and not on Keras 2.",
    observed=statuses(results, "TRAINABLE-NESTED-UNFROZEN-FIT"),
    expected=expect(differs=["keras2-tf"]),
)
no_weights = "warning: The model does not have any trainable weights."
warned = {
    stack: messages.count(no_weights)
    for stack, messages in observed(results, "TRAINABLE-FROZEN-MODEL-FIT-WARNS").items()
}
print("times fit() warned:", warned)
claim(
    "VERSIONS-NO-TRAINABLE-WEIGHTS-WARNING",
    "`fit()` on a model with no trainable weights warns once on Keras 3 with "
    "TensorFlow, more than once on PyTorch, and never on Keras 2 or on JAX.",
    observed={
        stack: {0: "never", 1: "once"}.get(n, "more") for stack, n in warned.items()
    },
    expected={
        "keras2-tf": "never",
        "keras3-tf": "once",
        "keras3-jax": "never",
        "keras3-torch": "more",
        "keras-next-tf": "once",
    },
)
claim(
    "VERSIONS-LOOKUPS-NEED-TENSORFLOW",
    "Keras 3's `StringLookup` needs TensorFlow: on JAX and PyTorch without TensorFlow "
    "it raises `ImportError`.",
    observed={
        stack: outcome["status"] == "not applicable"
        and "requires TensorFlow" in outcome["reason"]
        for stack, outcome in outcomes(results, "TRAINABLE-LOOKUPS-NO-WEIGHTS").items()
    },
    expected={stack: stack in NO_TF for stack in STACKS},
)

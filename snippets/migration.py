"""The code of the page "Moving from Keras 2 to Keras 3: a checklist".

The page is docs/migration.md. Its rows link to claims that other pages prove and
that the claim matrix runs on every stack; this code checks, in the committed
matrix (snippets/keras_guide/results/), that each row is still a difference.
Each ``# %% name`` section is one cell of the page.
Run it outside Jupyter: ``python -m guide_build.run keras3-tf run.json migration``.
"""

# %% rows
from IPython.display import display

from keras_guide.claims import claim
from keras_guide.matrix import load_results, status_table, statuses
from keras_guide.page import glue, start_page

start_page()
results = load_results()
glue("keras-3", results["keras3-tf"]["versions"]["keras"])
glue("keras-2", results["keras2-tf"]["versions"]["tf-keras"])

# Each row of the checklist: the claim that proves what Keras 2 did (None: the
# Keras 3.15 claim's observation on Keras 2 shows it), and the one that proves
# what Keras 3.15 does instead.
ROWS = {
    "training=False in a functional model": (
        "SOURCE-KERAS2-GRAPH-TIME-FALSE-HOLDS",
        "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
    ),
    "the classic fine-tuning recipe": (
        "FINETUNE-CLASSIC-KERAS2-KEEPS-STATS",
        "FINETUNE-CLASSIC-KERAS3-MOVES-STATS",
    ),
    "trainable changed after compile()": (
        "TRAINABLE-KERAS2-COMPILE-STATE-RULES",
        "TRAINABLE-CHANGE-BEFORE-FIRST-FIT",
    ),
    "unfrozen layer in a frozen nested model": (
        "TRAINABLE-NESTED-UNFROZEN-KERAS2",
        "TRAINABLE-NESTED-UNFROZEN-FIT",
    ),
    "a loaded model unfrozen without compile()": (
        None,
        "SAVING-LOADED-UNFREEZE-WITHOUT-COMPILE-RAISES",
    ),
    "the classic GAN recipe": (
        "SHARED-KERAS2-CLASSIC-AS-INTENDED",
        "SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",
    ),
    "a layer with a training=True default": (
        None,
        "SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING",
    ),
}
glue("row-count", len(ROWS))
claim_ids = [claim_id for row in ROWS.values() for claim_id in row if claim_id]
display(status_table(results, claim_ids))
recorded = {
    row: (
        keras_2 and statuses(results, keras_2)["keras2-tf"],
        statuses(results, keras_3)["keras3-tf"],
        statuses(results, keras_3)["keras2-tf"],
    )
    for row, (keras_2, keras_3) in ROWS.items()
}
claim(
    "MIGRATION-EVERY-ROW-IS-A-DIFFERENCE",
    "In the committed claim matrix, each row of the checklist is a difference: its "
    "Keras 3.15 claim holds on Keras 3.15 with TensorFlow and differs on Keras 2, "
    "and its Keras 2 claim, where it has one, holds on Keras 2.",
    observed=recorded,
    expected={
        row: ("holds" if keras_2 else None, "holds", "differs")
        for row, (keras_2, _) in ROWS.items()
    },
)

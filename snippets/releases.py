"""The code of the page "What changed in which Keras release" (docs/releases.md).

The page reads the release sweep (``nox -s sweep``) and the claim matrix
(``nox -s matrix``) that snippets/keras_guide/results/ records; the tests fail when that
record was made with other code than today's.
Each ``# %% name`` section is one cell of the page.
"""

# %% setup
import pandas as pd
from IPython.display import Markdown, display

from keras_guide.claims import claim
from keras_guide.matrix import (
    SYMBOLS,
    keras_release,
    load_results,
    release_key,
    releases_in_words,
)
from keras_guide.page import glue, start_page
from keras_guide.stacks import SITE_STACK, STACKS

start_page()
results = load_results(group=None)


# Keras 3 on the site's TensorFlow, one stack per minor release, oldest first.
series = sorted(
    (
        name
        for name, stack in STACKS.items()
        if stack.keras == "keras"
        and stack.extras is None
        and stack.backend == "tensorflow"
    ),
    key=lambda name: release_key(keras_release(results[name])),
)
releases = [keras_release(results[name]) for name in series]
colab_versions = results["colab-2025-tf"]["versions"]
glue("colab-tensorflow", colab_versions["tensorflow"])
glue("colab-keras", colab_versions["keras"])
glue("colab-tf-keras", colab_versions["tf-keras"])
glue("release-count", len(releases))
glue("first-release", releases[0])
glue("last-release", releases[-1])

# %% releases
display(
    pd.DataFrame(
        {
            STACKS[name].label: {
                "Keras": results[name]["versions"]["keras"],
                "TensorFlow": results[name]["versions"]["tensorflow"],
                "recorded on": results[name]["recorded_on"],
            }
            for name in [*series, "colab-2025-tf"]
        }
    ).T
)


# %% changes
def outcomes_by_release(claim_id):
    return [results[name]["claims"][claim_id]["status"] for name in series]


rows = []
for claim_id in results[SITE_STACK]["claims"]:
    statuses = outcomes_by_release(claim_id)
    if len(set(statuses)) == 1:
        continue
    changed_in = [r for r, s, p in zip(releases[1:], statuses[1:], statuses) if s != p]
    rows.append(
        {
            "claim": claim_id,
            "changes in": ", ".join(f"Keras {r}" for r in changed_in),
            "the next Keras": SYMBOLS[
                results["keras-next-tf"]["claims"][claim_id]["status"]
            ],
            **{
                SYMBOLS[status]: releases_in_words(
                    releases, {r for r, s in zip(releases, statuses) if s == status}
                )
                for status in SYMBOLS
                if status in statuses
            },
        }
    )
changes = pd.DataFrame(rows).set_index("claim").fillna("")
glue("claims-run", len(results[SITE_STACK]["claims"]))
glue("changing-count", len(changes))
with pd.option_context("display.max_rows", None, "display.max_colwidth", None):
    display(changes)

# %% history
# Where Keras's history shows a change: the pull request (or commit) whose diff
# makes it, found with `git log vA..vB` on the files involved, by release.
KERAS = "https://github.com/keras-team/keras"
SHARED_GAN = [
    "SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",
    "SHARED-KERAS3-CLASSIC-WARNINGS",
    "SHARED-TOGGLE-AS-INTENDED",
]
SYNC_BN = [
    "SYNC-BN-DEFAULT-ON-TWO-DEVICES",
    "SYNC-BN-TF-READ-BACK",
    "SYNC-BN-TF-REPLICA-COPIES",
]
HISTORY = [
    ("3.2", ["MIXED-BN-STATISTICS-IN-FLOAT32"], "pull/19391",
     "Reintroduce the option for autocasting to individual weights"),
    ("3.2", ["SAVING-ROUND-TRIP-COMPILED", "SAVING-LOADED-UNFREEZE-COMPILE-TRAINS",
             "SAVING-LOADED-UNFREEZE-WITHOUT-COMPILE-RAISES"],
     "commit/471edf24d9", "Fix trainable constructor arg"),
    ("3.6", ["SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING"], "commit/20c67d6bc2",
     "Update image preprocessing layers (`Resizing` gets a `training=True` default)"),
    ("3.6", SHARED_GAN, "pull/20197", "Fix nested trainer metrics"),
    ("3.7", SYNC_BN, "pull/20541",
     "Propagate the `aggregation` property when creating a `tf.Variable`"),
    ("3.7", ["SAVING-LOADED-UNFREEZE-WITHOUT-COMPILE-RAISES"], "pull/20544",
     "Improve `keras.Variable` by exposing docstrings and ensuring consistency in "
     "the codebase"),
    ("3.8", SHARED_GAN, "pull/20602",
     "Fix the issue when using `Model.compile` multiple times."),
    ("3.8", SYNC_BN, "pull/20703", "Fix the aggregation in the codebase"),
    ("3.10", ["SOURCE-FORGETTING-TRAINING-IS-HARMLESS"], "pull/21204",
     "Adds Support For Custom Call-Context Arguments"),
    ("3.13", ["SAVING-LOADED-UNFREEZE-WITHOUT-COMPILE-RAISES"], "pull/21788",
     "Don't fail `Variable.__repr__` if the value cannot be retrieved."),
    ("3.14", ["SOURCE-PREPROCESSING-TRAINING-DEFAULTS"], "pull/21953",
     "Add `CLAHE` preprocessing layer"),
    ("3.15", ["TRAINABLE-KERAS3-WARNING-UNREACHABLE"], "pull/22787",
     "Respect compiled trainable state in TensorFlowTrainer"),
]  # fmt: skip
# Each change named here is one the sweep found, in the release named.
for release, claim_ids, _, _ in HISTORY:
    for claim_id in claim_ids:
        assert f"Keras {release}" in changes.loc[claim_id, "changes in"], claim_id
rows = [
    f"| Keras {release} | [{title}]({KERAS}/{path}) | "
    + ", ".join(f"`{claim_id}`" for claim_id in claim_ids)
    + " |"
    for release, claim_ids, path, title in HISTORY
]
display(
    Markdown(
        "\n".join(
            ["| Release | Change in Keras | Claims |", "| --- | --- | --- |"] + rows
        )
    )
)

# %% colab
# Colab's set-up of 2025 against the same Keras release on the site's TensorFlow.
COLAB, SAME_KERAS = "colab-2025-tf", "keras3.10-tf"
ran_on_colab = [
    claim_id
    for claim_id, outcome in results[COLAB]["claims"].items()
    if outcome["status"] != "not applicable"
]
unlike = {
    claim_id: (
        results[COLAB]["claims"][claim_id]["status"],
        results[SAME_KERAS]["claims"][claim_id]["status"],
    )
    for claim_id in ran_on_colab
    if results[COLAB]["claims"][claim_id] != results[SAME_KERAS]["claims"][claim_id]
}
glue("colab-ran", len(ran_on_colab))
glue("colab-not-applicable", len(results[COLAB]["claims"]) - len(ran_on_colab))
print("claims run on Colab's set-up:", len(ran_on_colab))
print("of them with another outcome than on Keras 3.10 with TensorFlow 2.21:", unlike)
claim(
    "RELEASES-COLAB-AS-KERAS-3-10",
    "On Colab's set-up of 2025 (TensorFlow 2.19, NumPy 2.0), every claim that runs "
    "there has the outcome it has with Keras 3.10 on TensorFlow 2.21.",
    observed=unlike,
    expected={},
)

# %% colab-2026
# Colab's Python since August 2026 against the site's own Python, with the same
# TensorFlow and Keras.
COLAB_2026 = "colab-2026-tf"
versions = results[COLAB_2026]["versions"]
display(
    pd.DataFrame(
        {
            STACKS[name].label: results[name]["versions"]
            for name in (COLAB_2026, SITE_STACK)
        }
    ).T[["python", "tensorflow", "keras"]]
)
ran_on_colab_2026 = {
    claim_id: outcome
    for claim_id, outcome in results[COLAB_2026]["claims"].items()
    if outcome["status"] != "not applicable"
}
unlike_2026 = {
    claim_id: (outcome["status"], results[SITE_STACK]["claims"][claim_id]["status"])
    for claim_id, outcome in ran_on_colab_2026.items()
    if outcome != results[SITE_STACK]["claims"][claim_id]
}
glue("colab-2026-python", versions["python"].rsplit(".", 1)[0])
glue("colab-2026-ran", len(ran_on_colab_2026))
print("of them with another outcome than on the site's own Python:", unlike_2026)
claim(
    "RELEASES-COLAB-2026-AS-SITE",
    "On Python 3.13, Colab's Python since August 2026, with the site's TensorFlow "
    "and Keras, every claim that runs there has the outcome it has on the site's "
    "own Python.",
    observed=(versions["python"].startswith("3.13."), unlike_2026),
    expected=(True, {}),
)

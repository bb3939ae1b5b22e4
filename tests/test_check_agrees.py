"""The check of a reader's model finds what the guide's pages measured.

Each case of docs/check_your_model.md comes from a page that teaches its
behaviour. On every stack that the matrix and the release sweep ran, the
check's claim holds exactly when that page measured the behaviour there.
"""

from __future__ import annotations

import ast

import pytest

from guide_build.pages import DOCS
from keras_guide.matrix import load_results


def holds(outcome: dict) -> bool:
    return outcome["status"] == "holds"


def moved_after_random_flip(outcome: dict) -> bool:
    """The teaching claim measures five preprocessing layers; the check's case
    is the first of them, RandomFlip."""
    return ast.literal_eval(outcome["observed"])["RandomFlip"]["BN moving mean changed"]


# The check's claim -> the claim of the page that teaches it, and how to read
# whether that page measured the behaviour the check must report.
AGREES_WITH = {
    "CHECK-CLASSIC-RECIPE": ("FINETUNE-CLASSIC-KERAS3-MOVES-STATS", holds),
    "CHECK-RECIPE-CLEAN": ("FINETUNE-RECIPE-KEEPS-BN-WEIGHTS", holds),
    "CHECK-NESTED-UNFROZEN": ("TRAINABLE-NESTED-UNFROZEN-FIT", holds),
    "CHECK-STALE-AFTER-FIT": ("TRAINABLE-CHANGE-AFTER-FIT-IGNORED", holds),
    "CHECK-PREPROCESSING-PLAIN-CALL": (
        "SOURCE-DEFAULT-TRUE-PUTS-LATER-BN-IN-TRAINING",
        moved_after_random_flip,
    ),
    "CHECK-GAN-DISCRIMINATOR": (
        "SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",
        holds,
    ),
    "CHECK-APPLICATIONS-DROPOUT": ("APPS-FIT-DROPOUT-GETS-TRUE", holds),
}
RESULTS = load_results(group=None)


@pytest.mark.parametrize("stack", sorted(RESULTS))
@pytest.mark.parametrize("check_id", sorted(AGREES_WITH))
def test_the_check_finds_what_the_teaching_page_measured(check_id, stack):
    teaching_id, measured = AGREES_WITH[check_id]
    outcomes = RESULTS[stack]["claims"]
    check, teaching = outcomes[check_id], outcomes[teaching_id]
    assert {check["status"], teaching["status"]} <= {"holds", "differs"}
    assert holds(check) == measured(teaching), (check, teaching)


def test_every_case_of_the_page_is_paired():
    page = (DOCS / "check_your_model.md").read_text(encoding="utf-8")
    for check_id, (teaching_id, _) in AGREES_WITH.items():
        assert f"{{claim}}`{check_id}`, as " in page
        assert f"measured {{claim}}`{teaching_id}`" in page
    assert len(AGREES_WITH) >= 7

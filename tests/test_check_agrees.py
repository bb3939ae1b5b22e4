"""The footprint of a step finds what the guide's teaching pages measured.

Several recipes of docs/check_your_model.md are proved again, layer by layer,
on a page that teaches one part of them. On every stack that the matrix and the
release sweep ran, the footprint's claim holds exactly where that page's claim
holds: two instruments, one behaviour.
"""

from __future__ import annotations

import pytest

from keras_guide.matrix import load_results

# The footprint's claim -> the claim of the page that teaches the behaviour.
AGREES_WITH = {
    "CHECK-KERASIO-HEAD-FOOTPRINT": "SOURCE-FIT-OVERRIDES-GRAPH-TIME-FALSE",
    "CHECK-CLASSIC-RECIPE-FOOTPRINT": "FINETUNE-CLASSIC-KERAS3-MOVES-STATS",
    "CHECK-NESTED-UNFROZEN": "TRAINABLE-NESTED-UNFROZEN-FIT",
    "CHECK-GAN-FOOTPRINT": "SHARED-KERAS3-DISCRIMINATOR-STEP-TRAINS-NOTHING",
    "CHECK-APPLICATIONS-FOOTPRINT": "APPS-FIT-DROPOUT-GETS-TRUE",
}
RESULTS = load_results(group=None)


@pytest.mark.parametrize("stack", sorted(RESULTS))
@pytest.mark.parametrize("check_id", sorted(AGREES_WITH))
def test_the_footprint_finds_what_the_teaching_page_measured(check_id, stack):
    outcomes = RESULTS[stack]["claims"]
    check, teaching = outcomes[check_id], outcomes[AGREES_WITH[check_id]]
    assert {check["status"], teaching["status"]} <= {"holds", "differs"}
    assert check["status"] == teaching["status"], (check, teaching)

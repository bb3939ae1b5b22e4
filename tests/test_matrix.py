"""The claim matrix's committed results cover today's claims, and its runner
gives every claim one of four outcomes.

Whether the committed results are what the code does today is checked by
``nox -s matrix``, which runs every stack (CI runs it).
"""

from __future__ import annotations

import pytest

from guide_build.run import run_page
from guide_build.stacks import MAY_BE_MISSING
from keras_guide.matrix import PAGES_READING_MATRIX, SITE_STACK, load_results
from keras_guide.registry import all_claims

STATUSES = {"holds", "differs", "not applicable", "error"}


def test_every_stack_has_a_result_for_every_claim_the_pages_run():
    run_by_pages = {
        claim_id
        for claim_id, claim in all_claims().items()
        if claim.page not in PAGES_READING_MATRIX
    }
    for stack, result in load_results().items():
        assert set(result["claims"]) == run_by_pages, stack
        assert {outcome["status"] for outcome in result["claims"].values()} <= STATUSES
        assert result["versions"]["python"] and result["recorded_on"]


def test_every_claim_holds_on_the_stack_the_site_is_built_on():
    outcomes = load_results()[SITE_STACK]["claims"]
    assert {
        claim_id for claim_id, o in outcomes.items() if o["status"] != "holds"
    } == set()


SYNTHETIC_PAGE = """
claim("DEMO-ORPHAN", "Before any section.", observed=1, expected=1)

# %% setup
import no_such_module
from keras_guide.claims import claim, require

# %% holds
claim("DEMO-HOLDS", "One is one.", observed=1, expected=1)
claim("DEMO-DIFFERS", "Two is one.", observed=2, expected=1)

# %% missing-module
claim(
    "DEMO-NOT-APPLICABLE", "Needs a module.", observed=no_such_module.value, expected=1
)

# %% lacks-the-api
require(False, "this stack has no such API")
claim("DEMO-REQUIRES", "Needs an API.", observed=1, expected=1)

# %% keras-says-missing
raise ImportError("Layer X requires TensorFlow.")
claim("DEMO-IMPORT-ERROR", "Needs TensorFlow.", observed=1, expected=1)

# %% fails
half = 1 / 0
claim("DEMO-ERROR", "Never checked.", observed=half, expected=1)

# %% needs-what-failed
claim("DEMO-AFTER-ERROR", "Needs what failed.", observed=half, expected=1)

# %% skips
if False:
    claim("DEMO-NEVER-REACHED", "Skipped.", observed=1, expected=1)
"""


def test_the_runner_gives_every_claim_one_of_four_outcomes(tmp_path, monkeypatch):
    (tmp_path / "demo.py").write_text(SYNTHETIC_PAGE)
    monkeypatch.setitem(MAY_BE_MISSING, "no_such_module", "needs no_such_module")

    record = run_page("demo", tmp_path)["claims"]

    assert {claim_id: outcome["status"] for claim_id, outcome in record.items()} == {
        "DEMO-HOLDS": "holds",
        "DEMO-DIFFERS": "differs",
        "DEMO-NOT-APPLICABLE": "not applicable",
        "DEMO-REQUIRES": "not applicable",
        "DEMO-IMPORT-ERROR": "not applicable",
        "DEMO-ERROR": "error",
        "DEMO-AFTER-ERROR": "error",
        "DEMO-NEVER-REACHED": "error",
        "DEMO-ORPHAN": "error",
    }
    assert record["DEMO-DIFFERS"]["observed"] == "2"
    assert (
        record["DEMO-NOT-APPLICABLE"]["reason"]
        == "needs no_such_module (in missing-module)"
    )
    assert (
        record["DEMO-REQUIRES"]["reason"]
        == "this stack has no such API (in lacks-the-api)"
    )
    assert record["DEMO-IMPORT-ERROR"]["reason"] == (
        "ImportError: Layer X requires TensorFlow. (in keras-says-missing)"
    )
    assert (
        record["DEMO-ERROR"]["message"]
        == "in fails: ZeroDivisionError: division by zero"
    )
    assert record["DEMO-AFTER-ERROR"] == record["DEMO-ERROR"]
    assert record["DEMO-NEVER-REACHED"]["message"] == "never reached in section skips"
    assert record["DEMO-ORPHAN"]["message"] == "in no section of the page"


@pytest.mark.parametrize(
    ("committed", "fresh", "same"),
    [
        (
            {"recorded_on": "2026-01-01", "claims": {"A": 1}},
            {"recorded_on": "2026-11-29", "claims": {"A": 1}},
            True,
        ),
        (
            {"recorded_on": "2026-01-01", "claims": {"A": 1}},
            {"recorded_on": "2026-01-01", "claims": {"A": 2}},
            False,
        ),
    ],
)
def test_results_recorded_on_another_day_are_the_same(committed, fresh, same):
    from guide_build.matrix import same_results

    assert same_results(committed, fresh) is same

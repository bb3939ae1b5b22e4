"""The claim matrix: the committed results are what the code does today.

``nox -s tests`` runs ``nox -s matrix`` first, which writes a fresh run of every
stack to docs/_build/matrix/ (and refreshes docs/_data/matrix/ for the author
to commit). These tests compare the fresh run with what git has committed.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import BUILD, ROOT
from keras_guide.claims import registered_claims
from keras_guide.matrix import MATRIX_PAGE, RESULTS, load_results, same_results
from keras_guide.stacks import SITE_STACK, STACKS

STATUSES = {"holds", "differs", "not applicable", "error"}


def committed(path) -> dict:
    relative = path.relative_to(ROOT).as_posix()
    shown = subprocess.run(
        ["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, text=True
    )
    assert shown.returncode == 0, f"{relative} is not committed: run nox -s matrix, commit it"
    return json.loads(shown.stdout)


@pytest.mark.parametrize("stack", list(STACKS))
def test_committed_results_are_current(stack):
    fresh_path = BUILD / "matrix" / f"{stack}.json"
    assert fresh_path.is_file(), f"{fresh_path} is missing: run nox -s matrix"
    fresh = json.loads(fresh_path.read_text(encoding="utf-8"))
    stale = committed(RESULTS / f"{stack}.json")
    changed = {
        claim_id: (stale["claims"].get(claim_id), outcome)
        for claim_id, outcome in fresh["claims"].items()
        if stale["claims"].get(claim_id) != outcome
    }
    assert same_results(stale, fresh), (
        f"the committed matrix for {stack} is stale (nox -s matrix has refreshed it: "
        f"commit docs/_data/matrix/{stack}.json); versions then and now: "
        f"{stale['versions']} {fresh['versions']}; claims (then, now): {changed}"
    )


def test_every_stack_has_a_result_for_every_claim_the_pages_run():
    run_by_pages = {
        claim_id for claim_id, entry in registered_claims().items() if entry.page != MATRIX_PAGE
    }
    for stack, result in load_results().items():
        assert set(result["claims"]) == run_by_pages, stack
        assert {outcome["status"] for outcome in result["claims"].values()} <= STATUSES
        assert result["versions"]["python"] and result["recorded_on"]


def test_every_claim_holds_on_the_stack_the_site_is_built_on():
    outcomes = load_results()[SITE_STACK]["claims"]
    assert {claim_id for claim_id, o in outcomes.items() if o["status"] != "holds"} == set()

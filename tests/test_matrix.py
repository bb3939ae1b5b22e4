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


SYNTHETIC_PAGE = '''
# %% setup
import no_such_module
from keras_guide.claims import claim

# %% holds
claim("DEMO-HOLDS", observed=1, expected=1)
claim("DEMO-DIFFERS", observed=2, expected=1)

# %% missing-module
claim("DEMO-NOT-APPLICABLE", observed=no_such_module.value, expected=1)

# %% fails
half = 1 / 0
claim("DEMO-ERROR", observed=half, expected=1)

# %% needs-what-failed
claim("DEMO-AFTER-ERROR", observed=half, expected=1)

# %% skips
if False:
    claim("DEMO-NEVER-REACHED", observed=1, expected=1)
'''


def test_the_runner_gives_every_claim_one_of_four_results(tmp_path, monkeypatch):
    import keras_guide.claims as claims
    import keras_guide.sections as sections
    import keras_guide.stacks as stacks
    from keras_guide.matrix import run_page

    (tmp_path / "demo.py").write_text(SYNTHETIC_PAGE)
    monkeypatch.setattr(sections, "SNIPPETS", tmp_path)
    ids = ["HOLDS", "DIFFERS", "NOT-APPLICABLE", "ERROR", "AFTER-ERROR", "NEVER-REACHED", "ORPHAN"]
    registry = {f"DEMO-{name}": claims.RegisteredClaim("a statement", "demo") for name in ids}
    monkeypatch.setattr(claims, "registered_claims", lambda: registry)
    monkeypatch.setitem(stacks.MAY_BE_MISSING, "no_such_module", "needs no_such_module")

    with claims.recording_claims() as record:
        run_page("demo", record)

    assert {claim_id: outcome["status"] for claim_id, outcome in record.items()} == {
        "DEMO-HOLDS": "holds",
        "DEMO-DIFFERS": "differs",
        "DEMO-NOT-APPLICABLE": "not applicable",
        "DEMO-ERROR": "error",
        "DEMO-AFTER-ERROR": "error",
        "DEMO-NEVER-REACHED": "error",
        "DEMO-ORPHAN": "error",
    }
    assert record["DEMO-DIFFERS"]["observed"] == "2"
    assert record["DEMO-NOT-APPLICABLE"]["reason"] == "needs no_such_module (in missing-module)"
    assert record["DEMO-ERROR"]["message"] == "in fails: ZeroDivisionError: division by zero"
    assert record["DEMO-AFTER-ERROR"] == record["DEMO-ERROR"]
    assert record["DEMO-NEVER-REACHED"]["message"] == "never reached in section skips"
    assert record["DEMO-ORPHAN"]["message"] == "in no section of the page"

"""The claim matrix's committed results cover today's claims, its runner gives
every claim one of four outcomes, and a page runs again only when what it
executes changed.

Whether the committed results are what the code does today is checked by
site/test_matrix_current.py (``nox -s tests``) and ``nox -s matrix``.
"""

from __future__ import annotations

import time

import pytest

from guide_build import matrix
from guide_build.execute import run_page
from guide_build.matrix import read_result, stale_pages
from guide_build.pages import PAGES, snippet_path
from guide_build.prepare_stack import MAY_BE_MISSING
from guide_build.run import RUNNER, page_digest
from keras_guide.matrix import load_results
from keras_guide.registry import all_claims, claims_in
from keras_guide.stacks import SITE_STACK, STACKS

STATUSES = {"holds", "differs", "not applicable", "error"}


def test_every_stack_has_a_result_for_every_claim_the_pages_run():
    run_by_pages = {
        claim_id
        for claim_id, claim in all_claims().items()
        if not PAGES[claim.page].reads_matrix
    }
    for stack, result in load_results(group=None).items():
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


def test_a_stack_result_records_the_digest_of_each_page_it_ran():
    for stack, result in load_results(group=None).items():
        assert set(result["digests"]) == {
            claim.page
            for claim in all_claims().values()
            if not PAGES[claim.page].reads_matrix
        }, stack


@pytest.mark.parametrize("stack", [*STACKS])
def test_every_stack_was_recorded_with_the_code_of_today(stack):
    """A stack's outcomes were recorded (``nox -s matrix -- --update``) with the
    digest of what each page ran there; while the digests are today's, no page
    needs to run there again, so a push that changes no page's code runs none."""
    stale = stale_pages(stack, read_result(stack))
    assert stale == [], f"run `nox -s matrix -- --update` for {stale}; commit it"


# A page and its helpers, in a sandbox snippets folder.
TREE = {
    "demo.py": "from keras_guide.helper import X\n# %% one\nprint(X)\n",
    "other.py": "# %% one\nprint(2)\n",
    "keras_guide/helper.py": "X = 1\n",
}


@pytest.fixture
def snippets(tmp_path):
    for name, text in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("edited", "changes"),
    [
        ("demo.py", True),
        ("keras_guide/helper.py", True),
        ("other.py", False),
    ],
)
def test_a_page_digest_changes_with_what_the_page_executes(snippets, edited, changes):
    before = page_digest("demo", SITE_STACK, snippets)
    with (snippets / edited).open("a") as stream:
        stream.write("# an edit\n")
    assert (page_digest("demo", SITE_STACK, snippets) != before) is changes


def test_a_page_digest_depends_on_the_stack_and_not_on_the_prose_tooling(snippets):
    assert page_digest("demo", "keras3-tf", snippets) == page_digest(
        "demo", "keras3-torch", snippets
    ), "two stacks of the site's environment run the same pins"
    assert page_digest("demo", "keras3-tf", snippets) != page_digest(
        "demo", "keras3-jax", snippets
    )
    names = {path.name for path in RUNNER}
    assert "execute.py" in names
    assert names.isdisjoint({"run.py", "words.py", "upstream.py", "matrix.py"})


def test_a_recording_is_the_same_whichever_way_it_ran(tmp_path, monkeypatch):
    """Stacks run in parallel, in any order, alone or together (one job per stack
    in GitHub's workflow): each stack's result depends on its own runs alone."""
    stacks = ["keras2-tf", "keras3-jax", "keras3.4-tf"]

    def run_on_stack(stack_name, output, pages):
        time.sleep(0.01 * stacks[::-1].index(stack_name))  # finish out of order
        claims = {
            claim.claim_id: {"status": "holds", "observed": stack_name}
            for page in pages
            for claim in claims_in(snippet_path(page))
        }
        return {
            "versions": {"keras": stack_name},
            "pages": {page: {"claims": claims} for page in pages},
        }

    monkeypatch.setattr(matrix, "run_on_stack", run_on_stack)
    monkeypatch.setattr(matrix, "read_result", lambda stack_name: None)
    monkeypatch.setattr(matrix, "matrix_pages", lambda: ["faq", "saving"])
    results = {}
    for way, runs in {
        "one at a time": [["--jobs", "1", *stacks]],
        "in parallel": [["--jobs", "3", *stacks]],
        "one job each": [[stack] for stack in stacks],
    }.items():
        monkeypatch.setattr(matrix, "FRESH", tmp_path / way)
        for arguments in runs:
            matrix.main(arguments)
        results[way] = {
            path.name: path.read_bytes() for path in (tmp_path / way).glob("*.json")
        }
    assert sorted(results["one at a time"]) == [f"{s}.json" for s in sorted(stacks)]
    assert results["one at a time"] == results["in parallel"] == results["one job each"]

"""The net catches a lie, and every reader's notebook runs where readers run it.

Both are runs of whole pages, kept in tests/records/ on the digest of what they
ran (``guide_build.records``): these tests read the record, run nothing, and fail
when an entry was made with other code than today's. ``nox -s record`` runs the
stale entries and rewrites the record.

* A planted change of Keras's behaviour (``guide_build.planted``) makes the
  claims it names differ.
* Each page's notebook (``notebooks/``) runs with nbclient in an environment of
  public packages, its first cell installing the helpers' wheel from ``dist/``
  with no network, and every claim holds there; with a change planted, its
  closing table names the claim.
* Every block of code the prose gives whole (the landing page's recipe) runs
  alone in a new Python, as a reader pastes it, with nothing of this project.
"""

from __future__ import annotations

import functools

import pytest

from guide_build import records
from guide_build.copyable import joined_sections, snippet_blocks
from guide_build.notebooks import notebook_pages
from guide_build.planted import PLANTED

STALE = "made with other code: run `nox -s record` and commit tests/records/"


@functools.cache
def digests(kind: str) -> dict[str, str]:
    """Today's digest of each entry of a kind."""
    return {entry.key: entry.digest for entry in records.entries(kind)}


def recorded(kind: str, key: str) -> dict:
    entry = records.read_record(kind).get(key)
    assert entry is not None, f"{kind} {key}: not recorded; {STALE}"
    assert entry["digest"] == digests(kind)[key], f"{kind} {key}: {STALE}"
    return entry["outcome"]


@pytest.mark.parametrize("planted", PLANTED, ids=[p.name for p in PLANTED])
def test_a_planted_behaviour_change_fails_the_claims_it_names(planted):
    outcomes = recorded("planted", planted.name)
    for claim_id in planted.claims:
        outcome = outcomes[claim_id]
        assert outcome["status"] == "differs", (claim_id, outcome)
        assert outcome["observed"] != outcome["expected"]


def test_the_net_spans_pages_and_behaviours():
    assert len(PLANTED) >= 12
    assert len({planted.page for planted in PLANTED}) >= 6
    assert len({planted.name for planted in PLANTED}) == len(PLANTED)


@pytest.mark.parametrize("page", notebook_pages())
def test_the_notebook_runs_with_public_packages_and_every_claim_holds(page):
    outcome = recorded("notebooks", page)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["claims"] > 0
    assert outcome["hold"] == outcome["claims"], outcome


def test_a_change_planted_in_a_notebook_is_reported_by_name():
    page, _ = records.PLANTED_NOTEBOOK
    outcome = recorded("notebooks", f"{page} (planted)")
    assert "error" not in outcome, outcome.get("error")
    assert "KNOBS-DROPOUT-TRAINING" in outcome["differ"]
    assert outcome["differ"] and outcome["hold"] < outcome["claims"]


def test_the_landing_page_has_a_recipe_block():
    blocks = {(doc, page) for doc, page, _ in snippet_blocks()}
    assert ("index", "fine_tuning") in blocks


@pytest.mark.parametrize(
    ("doc", "page", "names"),
    snippet_blocks(),
    ids=[f"{doc}-{page}" for doc, page, _ in snippet_blocks()],
)
def test_the_block_runs_alone(doc, page, names):
    code = joined_sections(page, names)
    assert "keras_guide" not in code, f"{doc}: the block uses this project's helpers"
    outcome = recorded("blocks", f"{doc}: {page} {' '.join(names)}")
    assert outcome["returncode"] == 0, outcome["stderr"]


def test_the_record_has_no_entry_that_nothing_runs():
    for kind in records.KINDS:
        assert set(records.read_record(kind)) == set(digests(kind)), kind


def test_a_planted_record_goes_stale_when_its_pages_code_changes(monkeypatch):
    def digests(edited_page: str) -> dict[str, str]:
        monkeypatch.setattr(
            records,
            "page_digest",
            lambda page, stack: "edited" if page == edited_page else "same",
        )
        return {e.key: e.digest for e in records.entries("planted")}

    before, after = digests("none"), digests("faq")
    stale = {key for key in before if before[key] != after[key]}
    assert stale == {p.name for p in PLANTED if p.page == "faq"}


def test_a_notebook_record_goes_stale_when_the_wheels_code_changes(monkeypatch):
    before = {e.key: e.digest for e in records.entries("notebooks")}
    monkeypatch.setattr(records, "wheel_code", lambda: b"edited")
    after = {e.key: e.digest for e in records.entries("notebooks")}
    assert all(before[key] != after[key] for key in before)


def test_a_notebook_record_outlives_a_prose_edit_but_not_a_code_edit(monkeypatch):
    notebook = records.published("faq")
    prose = next(cell for cell in notebook.cells if cell.cell_type == "markdown")
    code = next(cell for cell in notebook.cells[1:] if cell.cell_type == "code")

    def faq_digest() -> str:
        return next(e.digest for e in records.entries("notebooks") if e.key == "faq")

    before = faq_digest()
    monkeypatch.setattr(records, "published", lambda page: notebook)
    prose.source += " Edited."
    assert faq_digest() == before
    code.source += "\nprint('edited')"
    assert faq_digest() != before

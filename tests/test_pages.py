"""The page table (``guide_build.pages.PAGES``) is the one place a page is
declared: every page of docs/ has a row, the navigation, the budgets and the
matrix read it, and every claim's ID starts with its page's prefix."""

from __future__ import annotations

import re

from page_per_process import one_page_per_task

from guide_build.pages import (
    DOCS,
    KINDS,
    PAGES,
    PARTS,
    ROOT,
    SNIPPETS,
    executed_pages,
    matrix_pages,
)
from keras_guide.registry import all_claims


def test_every_page_of_docs_has_a_row_and_every_row_a_page():
    assert sorted(PAGES) == sorted(path.stem for path in DOCS.glob("*.md"))


def test_a_row_names_a_known_kind_and_part():
    for page in PAGES.values():
        assert page.kind in KINDS, page
        assert page.part in PARTS or (page.part is None and page.name == "index")


def test_a_page_executes_when_it_has_code():
    assert executed_pages() == sorted(path.stem for path in SNIPPETS.glob("*.py"))


def test_every_claim_id_starts_with_its_pages_prefix():
    wrong = {
        claim_id: claim.page
        for claim_id, claim in all_claims().items()
        if not claim_id.startswith(f"{PAGES[claim.page].prefix}-")
    }
    assert wrong == {}


def test_a_page_has_a_prefix_exactly_when_it_proves_claims():
    proving = {claim.page for claim in all_claims().values()}
    assert {name for name, page in PAGES.items() if page.prefix} == proving
    prefixes = [page.prefix for page in PAGES.values() if page.prefix]
    assert len(prefixes) == len(set(prefixes)), "two pages share a prefix"


def test_the_matrix_runs_the_pages_that_prove_claims_but_read_no_results():
    assert "two_knobs" in matrix_pages()
    assert {"keras_versions", "migration", "index", "status"}.isdisjoint(matrix_pages())


def test_the_navigation_is_made_from_the_table():
    """index.md writes one ``page-toctree`` per part, and no page by hand."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert re.findall(r"^```\{page-toctree\} (\w+)$", index, re.M) == [*PARTS]
    assert "{toctree}" not in "".join(p.read_text() for p in DOCS.glob("*.md"))


def test_contributing_lists_the_pages_in_the_order_of_the_table():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = text.split("## What is inside", 1)[1].split("\n\n", 2)[1]
    listed = [
        name
        for row in table.splitlines()[2:]
        for name in re.findall(r"`(\w+)`", row.split(" | ")[0])
    ]
    assert listed == [*PAGES]


def test_the_build_starts_the_long_pages_first_one_page_per_task():
    """Sphinx reads a task per process; MyST-NB executes a page while reading it."""
    long = [page for page in PAGES if PAGES[page].long]
    assert long == ["fine_tuning", "applications"]
    tasks = one_page_per_task(list(PAGES), nproc=2)
    assert tasks[: len(long)] == [[page] for page in long]
    assert sorted(task for (task,) in tasks) == sorted(PAGES)


def test_the_landing_page_answers_the_learners_words_before_any_release():
    """The question that started the site took `training=False` to mean "do not
    keep the batch statistics in memory": the first answer says what it changes,
    and that memory is not it, before it names a release."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    first = index.split(":::{container} learner-answer", 2)[1]
    assert "not what they keep in memory" in first
    assert first.index("memory") < first.index("Keras 3.0")

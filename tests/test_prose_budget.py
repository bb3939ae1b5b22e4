"""The guide teaches in few words: a prose budget, and pages that say what they teach.

A page's kind, in the page table (``guide_build.pages``), sets both rules.
``python -m guide_build.words`` prints the count per page.
"""

from __future__ import annotations

import pytest

from guide_build.pages import DOCS, KINDS, PAGES, pages_of
from guide_build.words import BUDGETS, counts, word_count


def test_the_lessons_share_a_budget_and_each_chapter_has_its_own():
    lessons = counts("lessons")
    assert {"index", "two_knobs", "glossary"} <= lessons.keys()
    assert sum(lessons.values()) <= BUDGETS["lessons"], lessons
    chapters = counts("chapter")
    assert "applications" in chapters
    assert max(chapters.values()) <= BUDGETS["chapter"], chapters


def test_the_pages_about_this_build_count_against_no_budget():
    counted = pages_of(budget="lessons") + pages_of(budget="chapter")
    assert {"claims", "status", "keras_versions", "releases"}.isdisjoint(counted)
    assert {"index", "faq", "glossary", "pytorch", "saving"} <= set(counted)


def test_a_word_count_leaves_out_code_tables_and_claim_marks():
    page = (
        "---\nfile_format: mystnb\n---\n# Two words\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n| a | table |\n\n"
        "It holds {claim}`DEMO-ONE`.\n"
    )
    assert word_count(page) == 4


@pytest.mark.parametrize(
    "page", [name for name, page in PAGES.items() if KINDS[page.kind].opening]
)
def test_a_page_opens_with_what_you_will_learn_and_need(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    assert "**You will learn**" in opening and "**You need**" in opening, page

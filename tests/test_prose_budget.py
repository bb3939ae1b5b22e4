"""The guide teaches in few words: a prose budget, and pages that say what they teach.

``python -m guide_build.words`` prints the count per page.
"""

from __future__ import annotations

import re

import pytest
from site_files import built_html

from guide_build.pages import DOCS
from guide_build.words import BUDGET, CHAPTER_BUDGET, LESSONS, content_pages, counts

# The landing page answers first; the glossary is a list of terms.
NOT_LESSONS = {"index", "glossary"}


def test_the_content_pages_keep_to_the_prose_budget():
    words = counts()
    assert set(LESSONS) <= set(words)
    assert sum(words[page] for page in LESSONS) <= BUDGET, words
    chapters = {page: n for page, n in words.items() if page not in LESSONS}
    assert all(n <= CHAPTER_BUDGET for n in chapters.values()), chapters


@pytest.mark.parametrize(
    "page", [page for page in content_pages() if page not in NOT_LESSONS]
)
def test_a_page_opens_with_what_you_will_learn_and_need(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    assert "**You will learn**" in opening and "**You need**" in opening, page


def rendered_words(page: str) -> int:
    """Words a reader meets on the built page: no code, outputs, tables or badges."""
    article = built_html(page).select_one("article")
    for node in article.select(
        "pre, div.cell_output, table, div.claim, script, style, a.headerlink"
    ):
        node.decompose()
    return len(re.findall(r"[\w'’-]+", article.get_text(" ")))


def test_the_built_pages_keep_to_the_budget_too():
    """What the build adds to the prose (a claim mark, a glued value) counts too."""
    assert sum(rendered_words(page) for page in LESSONS) <= BUDGET
    chapters = [page for page in content_pages() if page not in LESSONS]
    assert all(rendered_words(page) <= CHAPTER_BUDGET for page in chapters)

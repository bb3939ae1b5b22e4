"""The guide teaches in few words: a prose budget, and pages that say what they teach.

``python -m guide_build.words`` prints the count per page.
"""

from __future__ import annotations

import pytest

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

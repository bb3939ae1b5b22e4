"""The guide teaches in few words: a prose budget, and pages that say what they teach.

``python -m guide_build.words`` prints the count per page.
"""

from __future__ import annotations

import pytest

from guide_build.pages import DOCS
from guide_build.words import BUDGET, content_pages, counts

# The landing page answers first; the glossary is a list of terms.
NOT_LESSONS = {"index", "glossary"}


def test_the_content_pages_keep_to_the_prose_budget():
    words = counts()
    assert sum(words.values()) <= BUDGET, words


@pytest.mark.parametrize(
    "page", [page for page in content_pages() if page not in NOT_LESSONS]
)
def test_a_page_opens_with_what_you_will_learn_and_need(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    assert "**You will learn**" in opening and "**You need**" in opening, page

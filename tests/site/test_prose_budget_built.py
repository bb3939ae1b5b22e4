"""What the build adds to the prose (a claim mark, a glued value) counts against
the budget too."""

from __future__ import annotations

import copy
import re

from site_files import built_html

from guide_build.pages import pages_of
from guide_build.words import BUDGETS


def rendered_words(page: str) -> int:
    """Words a reader meets on the built page: no code, outputs, tables, badges, or
    the toggles of folded cells."""
    # A copy: built_html() is cached, and other tests read the code and outputs.
    article = copy.copy(built_html(page).select_one("article"))
    for node in article.select(
        "pre, div.cell_output, table, div.claim, script, style, a.headerlink, summary"
    ):
        node.decompose()
    return len(re.findall(r"[\w'’-]+", article.get_text(" ")))


def test_the_built_pages_keep_to_the_budget_too():
    lessons = sum(rendered_words(page) for page in pages_of(budget="lessons"))
    assert lessons <= BUDGETS["lessons"]
    chapters = {page: rendered_words(page) for page in pages_of(budget="chapter")}
    assert max(chapters.values()) <= BUDGETS["chapter"], chapters

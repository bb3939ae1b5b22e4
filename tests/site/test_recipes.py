"""Every block of code the prose gives as a whole runs alone, as a reader pastes it.

A ``{snippet-block}`` (the landing page's recipe) joins sections of a page's
code into one block. Each runs in a new Python with only what it imports itself:
nothing of this project.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from guide_build.copyable import joined_sections
from guide_build.pages import DOCS

BLOCK = re.compile(
    r"^```\{snippet-block\} (?P<page>\w+)\n:sections: (?P<names>.+)$", re.M
)
BLOCKS = [
    (path.stem, match["page"], match["names"].split())
    for path in sorted(DOCS.glob("*.md"))
    for match in BLOCK.finditer(path.read_text(encoding="utf-8"))
]


def test_the_landing_page_has_a_recipe_block():
    assert ("index", "fine_tuning") in {(doc, page) for doc, page, _ in BLOCKS}


@pytest.mark.parametrize(("doc", "page", "names"), BLOCKS)
def test_the_block_runs_alone(doc, page, names, tmp_path):
    code = joined_sections(page, names)
    assert "keras_guide" not in code, f"{doc}: the block uses this project's helpers"
    done = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{doc}'s block of {page}:\n{done.stderr[-3000:]}"

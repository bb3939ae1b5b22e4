"""The ``# %% name`` sections of a page's snippet file: one section per cell."""

from __future__ import annotations

import re
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parents[1]
SECTION_MARK = re.compile(r"^# %% (?P<name>[a-z0-9-]+)\s*$", re.M)


def snippet_path(page: str) -> Path:
    return SNIPPETS / f"{page}.py"


def read_sections(path: Path) -> dict[str, str]:
    """The sections of a snippet file, by name, in file order.

    >>> list(read_sections(snippet_path("two_knobs")))[:2]
    ['setup', 'dense-weights']
    """
    text = path.read_text(encoding="utf-8")
    marks = list(SECTION_MARK.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    sections = {}
    for mark, end in zip(marks, ends):
        if mark["name"] in sections:
            raise ValueError(f"{path}: section {mark['name']!r} appears twice")
        sections[mark["name"]] = text[mark.end() : end].strip("\n") + "\n"
    return sections

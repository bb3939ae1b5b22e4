"""The code of a page: which pages execute, and the sections of their code.

Each ``# %% name`` section of ``snippets/<page>.py`` is one cell of the page.
The runner reads pages through this module, so it is part of every page's
digest (``guide_build.run``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
SECTION_MARK = re.compile(r"^# %% (?P<name>[a-z0-9-]+)\s*$", re.M)
NOTEBOOK_FRONT_MATTER = re.compile(
    r"\A---\n(?:.*\n)*?file_format: mystnb\n(?:.*\n)*?---\n"
)


def executed_pages(docs: Path = DOCS) -> list[str]:
    """The pages that are notebooks, executed at build time: their front matter
    says ``file_format: mystnb``."""
    return sorted(
        path.stem
        for path in docs.glob("*.md")
        if NOTEBOOK_FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    )


def snippet_path(page: str, snippets: Path = SNIPPETS) -> Path:
    return snippets / f"{page}.py"


@dataclass(frozen=True)
class Section:
    name: str
    code: str
    line: int  # the line of its ``# %%`` mark, counted from 1


def read_sections(path: Path) -> dict[str, Section]:
    """The sections of a page's code, by name, in file order.

    >>> import tempfile
    >>> code = Path(tempfile.mkdtemp()) / "demo.py"
    >>> _ = code.write_text(
    ...     'x = 0\\n\\n# %% setup\\nx = 1\\n\\n# %% show\\nprint(x)\\n'
    ... )
    >>> [(s.name, s.code, s.line) for s in read_sections(code).values()]
    [('setup', 'x = 1\\n', 3), ('show', 'print(x)\\n', 6)]
    """
    text = path.read_text(encoding="utf-8")
    marks = list(SECTION_MARK.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    sections = {}
    for mark, end in zip(marks, ends, strict=True):
        if mark["name"] in sections:
            raise ValueError(f"{path}: section {mark['name']!r} appears twice")
        code = text[mark.end() : end].strip("\n") + "\n"
        line = text.count("\n", 0, mark.start()) + 1
        sections[mark["name"]] = Section(mark["name"], code, line)
    return sections


def section_of(sections: dict[str, Section], line: int) -> str:
    """The name of the section that holds a line of the file."""
    return [name for name, section in sections.items() if section.line <= line][-1]

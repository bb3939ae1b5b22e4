"""A page's snippet file: its ``# %% name`` sections (one per cell), and the
other files that its execution reads."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parents[1]
HELPERS = SNIPPETS / "keras_guide"
SECTION_MARK = re.compile(r"^# %% (?P<name>[a-z0-9-]+)\s*$", re.M)
# Data that a helper module reads when a page runs, by module.
DATA_READ_BY = {"matrix": SNIPPETS.parent / "docs" / "_data" / "matrix"}


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


def _imported_helpers(path: Path) -> set[str]:
    """The keras_guide modules that a Python file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported = [node.module]
        elif isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        else:
            continue
        names |= {n.split(".")[1] for n in imported if n.startswith("keras_guide.")}
    return names


def execution_inputs(page: str) -> list[Path]:
    """Every file that executing a page reads, but for the page's own snippet:
    the helpers it imports (and theirs), its claims and the data they read.

    >>> [path.name for path in execution_inputs("two_knobs")]
    ['backends.py', 'batchnorm.py', 'claims.py', 'page.py', 'weights.py', 'two_knobs.toml']
    """
    modules: set[str] = set()
    todo = _imported_helpers(snippet_path(page))
    while todo:
        module = todo.pop()
        modules.add(module)
        todo |= _imported_helpers(HELPERS / f"{module}.py") - modules
    inputs = [HELPERS / f"{module}.py" for module in sorted(modules)]
    inputs += [path for path in [SNIPPETS / "claims" / f"{page}.toml"] if path.exists()]
    for module in sorted(modules & DATA_READ_BY.keys()):
        inputs += sorted(DATA_READ_BY[module].glob("*"))
    return inputs


def inputs_digest(page: str) -> str:
    """A short hash of the content of a page's execution inputs."""
    digest = hashlib.sha256()
    for path in execution_inputs(page):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

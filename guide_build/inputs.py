"""The files a page's execution reads, and their digest.

jupyter-cache re-executes a page when its cells' code or its kernelspec change.
The cells hold the page's own code; the other files its execution reads are
the ``keras_guide`` helpers it imports (and theirs) and the data they load.
Their digest goes into the page's kernelspec (``snippet_cells``), so editing
any of them re-executes exactly the pages that read it.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from guide_build.sections import SNIPPETS, snippet_path
from keras_guide.stacks import MATRIX_RESULTS

# Data that a helper module reads when a page runs, by module.
DATA_READ_BY = {"matrix": MATRIX_RESULTS}


def imported_helpers(path: Path) -> set[str]:
    """The ``keras_guide`` modules that a Python file imports.

    >>> import tempfile
    >>> code = Path(tempfile.mkdtemp()) / "demo.py"
    >>> _ = code.write_text("import keras\\nfrom keras_guide.page import glue\\n")
    >>> imported_helpers(code)
    {'page'}
    """
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


def execution_inputs(page: str, snippets: Path = SNIPPETS) -> list[Path]:
    """Every file that executing a page reads, but for the page's own code: the
    helpers it imports (and theirs) and the data they read."""
    helpers = snippets / "keras_guide"
    modules: set[str] = set()
    todo = imported_helpers(snippet_path(page, snippets))
    while todo:
        module = todo.pop()
        modules.add(module)
        todo |= imported_helpers(helpers / f"{module}.py") - modules
    inputs = [helpers / f"{module}.py" for module in sorted(modules)]
    for module in sorted(modules & DATA_READ_BY.keys()):
        inputs += sorted(DATA_READ_BY[module].iterdir())
    return inputs


def inputs_digest(page: str, snippets: Path = SNIPPETS) -> str:
    """A short hash of the content of a page's execution inputs."""
    digest = hashlib.sha256()
    for path in execution_inputs(page, snippets):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

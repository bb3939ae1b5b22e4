"""The migration checklist's table and the rows its code checks are the same."""

from __future__ import annotations

import ast
import re

from guide_build.pages import DOCS, SNIPPETS

CLAIM = re.compile(r"\{claim\}`([A-Z0-9-]+)`")
SCOPE = re.compile(r"\{claim-scope\}`([A-Z0-9-]+)`")


def checked_rows() -> set[tuple[str | None, str]]:
    tree = ast.parse((SNIPPETS / "migration.py").read_text(encoding="utf-8"))
    (rows,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "ROWS"
    ]
    return set(ast.literal_eval(rows).values())


def table_rows() -> set[tuple[str | None, str]]:
    rows = set()
    for line in (DOCS / "migration.md").read_text(encoding="utf-8").splitlines():
        if not SCOPE.search(line):
            continue
        keras_2, keras_3, _, scope = line.strip("|").split(" | ")
        (keras_3_claim,) = CLAIM.findall(keras_3)
        assert SCOPE.findall(scope) == [keras_3_claim], line
        rows.add((next(iter(CLAIM.findall(keras_2)), None), keras_3_claim))
    return rows


def test_the_checklist_shows_the_rows_its_code_checks():
    assert table_rows() == checked_rows()

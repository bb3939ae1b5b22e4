"""Every claim of the guide, read from the pages' code without running it.

A claim is proved where its page's code calls ``claim("ID", "statement", ...)``.
The ID and the statement must be string literals, so that the prose links, the
Claims page and the claim matrix know every claim before any page executes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parents[1]
CLAIM_ID = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")


class ClaimSyntaxError(ValueError):
    """A ``claim()`` call whose ID or statement cannot be read without running it."""


@dataclass(frozen=True)
class StaticClaim:
    claim_id: str
    statement: str
    page: str
    line: int


def claims_in(path: Path) -> list[StaticClaim]:
    """The claims a page's code proves, in file order.

    >>> import tempfile
    >>> page = Path(tempfile.mkdtemp()) / "demo.py"
    >>> _ = page.write_text('claim("DEMO-ONE", "One holds.", observed=1, expected=1)')
    >>> claims_in(page)
    [StaticClaim(claim_id='DEMO-ONE', statement='One holds.', page='demo', line=1)]
    >>> _ = page.write_text(
    ...     'name = "DEMO-ONE"\\nclaim(name, "One.", observed=1, expected=1)'
    ... )
    >>> claims_in(page)
    Traceback (most recent call last):
    ...
    keras_guide.registry.ClaimSyntaxError: .../demo.py:2: a claim's ID and statement ...
    """
    claims = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not (
            isinstance(node, ast.Call) and getattr(node.func, "id", None) == "claim"
        ):
            continue
        literals = [
            arg.value
            for arg in node.args[:2]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        ]
        if len(literals) != 2:
            raise ClaimSyntaxError(
                f"{path}:{node.lineno}: a claim's ID and statement must be its first "
                "two arguments, as string literals: "
                'claim("PAGE-WHAT-HOLDS", "Statement.", ...)'
            )
        claim_id, statement = literals
        if not CLAIM_ID.fullmatch(claim_id):
            raise ClaimSyntaxError(
                f"{path}:{node.lineno}: claim IDs look like PAGE-WHAT-HOLDS, "
                f"got {claim_id!r}"
            )
        claims.append(StaticClaim(claim_id, statement, path.stem, node.lineno))
    return sorted(claims, key=lambda claim: claim.line)


def all_claims(snippets: Path = SNIPPETS) -> dict[str, StaticClaim]:
    """Every claim of every page, by ID; an ID proved in two places is an error."""
    found: dict[str, StaticClaim] = {}
    for path in sorted(snippets.glob("*.py")):
        for claim in claims_in(path):
            if claim.claim_id in found:
                first = found[claim.claim_id]
                raise ClaimSyntaxError(
                    f"{path}:{claim.line}: claim {claim.claim_id} is already proved in "
                    f"{first.page}.py:{first.line}"
                )
            found[claim.claim_id] = claim
    return found

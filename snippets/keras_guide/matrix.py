"""The claim matrix's committed results, as the page about versions shows them.

``nox -s matrix`` runs every claim of the other pages on each stack (see
``guide_build.matrix``) and keeps the results in ``docs/_data/matrix/``, one
JSON file per stack. Each claim there holds, differs (the observed value is
kept), is not applicable (the reason is kept) or errors (the message is kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from keras_guide.stacks import BACKENDS, MATRIX_RESULTS, STACKS

if TYPE_CHECKING:
    import pandas as pd

SYMBOLS = {
    "holds": "✔ holds",
    "differs": "✘ differs",
    "not applicable": "– not applicable",
    "error": "⚠ error",
}


def load_results(folder: Path = MATRIX_RESULTS) -> dict[str, dict]:
    """The committed results of every stack, in the order of the stack table."""
    return {
        stack: json.loads((folder / f"{stack}.json").read_text(encoding="utf-8"))
        for stack in STACKS
    }


def outcome_detail(outcome: dict[str, str]) -> str:
    """What a reader needs beyond the status: observed value, reason or error."""
    if outcome["status"] == "differs":
        return f"observed {outcome['observed']}, the page expects {outcome['expected']}"
    return outcome.get("reason") or outcome.get("message") or ""


def status_table(results: dict[str, dict], claim_ids=None) -> pd.DataFrame:
    """Claims by stack, each cell a symbol and a word (readable without colour)."""
    import pandas as pd

    claim_ids = claim_ids or sorted(next(iter(results.values()))["claims"])
    return pd.DataFrame(
        {
            stack: [
                SYMBOLS[result["claims"][claim_id]["status"]] for claim_id in claim_ids
            ]
            for stack, result in results.items()
        },
        index=pd.Index(claim_ids, name="claim"),
    )


def details(results: dict[str, dict], claim_ids) -> pd.DataFrame:
    """What happened where a claim does not hold: observed value, reason or error."""
    import pandas as pd

    rows = [
        {
            "claim": claim_id,
            "stack": stack,
            "status": SYMBOLS[outcome["status"]],
            "detail": outcome_detail(outcome),
        }
        for claim_id in claim_ids
        for stack, result in results.items()
        if (outcome := result["claims"][claim_id])["status"] != "holds"
    ]
    return pd.DataFrame(rows, columns=["claim", "stack", "status", "detail"]).set_index(
        ["claim", "stack"]
    )


def outcomes(results: dict[str, dict], claim_id: str) -> dict[str, dict[str, str]]:
    """One claim's outcome on each stack."""
    return {stack: result["claims"][claim_id] for stack, result in results.items()}


def statuses(results: dict[str, dict], claim_id: str) -> dict[str, str]:
    """One claim's status on each stack."""
    return {
        stack: outcome["status"]
        for stack, outcome in outcomes(results, claim_id).items()
    }


def keras_name(result: dict) -> str:
    """The Keras a stack ran, as prose names it: Keras 2, Keras 3.15, the next Keras."""
    versions = result["versions"]
    if "keras-nightly" in versions:
        return "the next Keras"
    if "keras" not in versions:  # tf-keras
        return "Keras 2"
    major, minor, *_ = versions["keras"].split(".")
    return f"Keras {major}.{minor}"


def where(results: dict[str, dict], stacks) -> str:
    """Stacks in words, grouped by Keras: "Keras 3.15 on TF, JAX; Keras 2 on TF".

    >>> results = {
    ...     "keras2-tf": {"versions": {"tf-keras": "2.21.0"}},
    ...     "keras3-tf": {"versions": {"keras": "3.15.1"}},
    ...     "keras3-jax": {"versions": {"keras": "3.15.1"}},
    ... }
    >>> where(results, ["keras3-tf", "keras3-jax", "keras2-tf"])
    'Keras 3.15 on TF, JAX; Keras 2 on TF'
    """
    groups: dict[str, list[str]] = {}
    for stack in stacks:
        backend = BACKENDS[STACKS[stack].backend].short
        groups.setdefault(keras_name(results[stack]), []).append(backend)
    return "; ".join(f"{name} on {', '.join(on)}" for name, on in groups.items())


def scope(results: dict[str, dict], claim_id: str) -> str | None:
    """Where a claim holds and where it does not, or None if it holds everywhere.

    >>> results = {
    ...     "keras2-tf": {"versions": {"tf-keras": "2.21.0"},
    ...                   "claims": {"X": {"status": "differs"}}},
    ...     "keras3-tf": {"versions": {"keras": "3.15.1"},
    ...                   "claims": {"X": {"status": "holds"}}},
    ...     "keras3-jax": {"versions": {"keras": "3.15.1"},
    ...                    "claims": {"X": {"status": "not applicable"}}},
    ... }
    >>> scope(results, "X")
    'holds: Keras 3.15 on TF · differs: Keras 2 on TF · not applicable: Keras...'
    """
    by_status: dict[str, list[str]] = {status: [] for status in SYMBOLS}
    for stack, status in statuses(results, claim_id).items():
        by_status[status].append(stack)
    if len(by_status["holds"]) == len(results):
        return None
    return " · ".join(
        f"{status}: {where(results, stacks)}"
        for status, stacks in by_status.items()
        if stacks
    )

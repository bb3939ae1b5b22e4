"""The claim matrix's committed results, as the page about versions shows them.

``nox -s matrix`` runs every claim of the other pages on each stack (see
``guide_build.matrix``) and keeps the results in ``keras_guide/results/``, one
JSON file per stack. Each claim there holds, differs (the observed value is
kept), is not applicable (the reason is kept) or errors (the message is kept).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from keras_guide.stacks import BACKENDS, MATRIX_RESULTS, STACKS
from keras_guide.versions import COMPARES_WITH_KERAS_2

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd

SYMBOLS = {
    "holds": "✔ holds",
    "differs": "✘ differs",
    "not applicable": "– not applicable",
    "error": "⚠ error",
}


def load_results(
    folder: Traversable = MATRIX_RESULTS, group: str | None = "matrix"
) -> dict[str, dict]:
    """The committed results of every stack of a group (None: of every group),
    in the order of the stack table."""
    return {
        name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        for name, stack in STACKS.items()
        if group in (None, stack.group)
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


def keras_release(result: dict) -> str:
    """The Keras 3 minor release a stack ran: "3.15".

    >>> keras_release({"versions": {"keras": "3.15.1"}})
    '3.15'
    """
    return keras_name(result).removeprefix("Keras ")


def release_key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


def releases_in_words(run: list[str], chosen: set[str]) -> str:
    """Some of the Keras releases that were run, as ranges of them.

    >>> run = ["3.0", "3.1", "3.2", "3.3", "3.15"]
    >>> releases_in_words(run, {"3.15"})
    'Keras 3.15'
    >>> releases_in_words(run, {"3.1", "3.2", "3.3", "3.15"})
    'Keras 3.1 to 3.15'
    >>> releases_in_words(run, {"3.0", "3.1", "3.3", "3.15"})
    'Keras 3.0 to 3.15, except 3.2'
    >>> releases_in_words(run, {"3.0", "3.2", "3.15"})
    'Keras 3.0, 3.2, 3.15'
    """
    run = sorted(run, key=release_key)
    segments: list[list[str]] = []
    for index, release in enumerate(run):
        if release not in chosen:
            continue
        if segments and run[index - 1] == segments[-1][-1]:
            segments[-1].append(release)
        else:
            segments.append([release])
    first, last = segments[0][0], segments[-1][-1]
    span = run[run.index(first) : run.index(last) + 1]
    missing = [release for release in span if release not in chosen]
    if len(segments) == 1 or (len(missing) <= 2 and len(chosen) > 2 * len(missing)):
        words = first if first == last else f"{first} to {last}"
        return f"Keras {words}" + (f", except {', '.join(missing)}" if missing else "")
    return "Keras " + ", ".join(
        s[0] if len(s) == 1 else f"{s[0]} to {s[-1]}" for s in segments
    )


def where(results: dict[str, dict], stacks) -> str:
    """Stacks in words: the Keras 3 releases run on each backend as ranges, then
    Keras 2, the next Keras, and a reader's set-up with its backend's version.

    >>> results = {
    ...     "keras2-tf": {"versions": {"tf-keras": "2.21.0"}},
    ...     "keras3-tf": {"versions": {"keras": "3.15.1"}},
    ...     "keras3.14-tf": {"versions": {"keras": "3.14.1"}},
    ...     "keras3-jax": {"versions": {"keras": "3.15.1"}},
    ... }
    >>> where(results, ["keras3-tf", "keras3-jax", "keras2-tf"])
    'Keras 3.15 on TF, JAX; Keras 2 on TF'
    >>> where(results, ["keras3-tf", "keras3.14-tf"])
    'Keras 3.14 to 3.15 on TF'
    >>> colab = {"versions": {"keras": "3.10.0", "tensorflow": "2.19.0"}}
    >>> where({**results, "colab-2025-tf": colab}, ["colab-2025-tf"])
    'Keras 3.10 on TF 2.19'
    """
    released: dict[str, dict[str, list[str]]] = {}  # backend -> release -> stacks
    for name, result in results.items():
        stack = STACKS[name]
        if stack.keras == "keras" and stack.shared:
            release = keras_release(result)
            released.setdefault(stack.backend, {}).setdefault(release, []).append(name)
    groups: dict[str, list[str]] = {}  # words -> backends
    for backend, by_release in released.items():
        chosen = {r for r, names in by_release.items() if set(names) & set(stacks)}
        if chosen:
            words = releases_in_words([*by_release], chosen)
            groups.setdefault(words, []).append(BACKENDS[backend].short)
    for name in stacks:
        stack = STACKS[name]
        if not stack.shared:  # a reader's set-up, with a backend of its own
            backend = BACKENDS[stack.backend]
            version = results[name]["versions"][backend.distributions[0]]
            on = f"{backend.short} {'.'.join(version.split('.')[:2])}"
            groups.setdefault(f"{keras_name(results[name])} on {on}", [])
        elif stack.keras != "keras":
            words = keras_name(results[name])
            groups.setdefault(words, []).append(BACKENDS[stack.backend].short)
    return "; ".join(
        f"{words} on {', '.join(on)}" if on else words for words, on in groups.items()
    )


def scope(results: dict[str, dict], claim_id: str) -> str | None:
    """Where a claim holds and where it does not, or None if it holds everywhere.

    A claim that compares Keras 3 with tf-keras ran beside tf-keras on each Keras 3
    stack with TensorFlow; the Keras 2 stack, where it has no Keras 3 to compare,
    is not listed as not applicable.

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
    >>> results["keras2-tf"]["claims"]["X"] = {
    ...     "status": "not applicable", "reason": COMPARES_WITH_KERAS_2 + ", and ..."}
    >>> scope(results, "X")
    'holds: Keras 3.15 on TF, beside tf-keras · not applicable: Keras 3.15 on JAX'
    """
    by_status: dict[str, list[str]] = {status: [] for status in SYMBOLS}
    beside = ""
    for stack, outcome in outcomes(results, claim_id).items():
        if outcome.get("reason", "").startswith(COMPARES_WITH_KERAS_2):
            beside = ", beside tf-keras"
        else:
            by_status[outcome["status"]].append(stack)
    if len(by_status["holds"]) == len(results):
        return None
    return " · ".join(
        f"{status}: {where(results, stacks)}" + (beside if status == "holds" else "")
        for status, stacks in by_status.items()
        if stacks
    )

"""Claims: statements about Keras behaviour, each proved by an executed assertion.

A claim has a stable ID and a statement, registered in ``snippets/claims/<page>.toml``
for the page that proves it. A cell of that page proves it with
``claim(ID, observed=..., expected=...)``.
When it holds, the cell shows a badge with the ID, the
statement and the evidence; the Sphinx extension ``claim_index`` collects the
badges into the Claims page. When it does not hold, ``ClaimFailed`` stops the
build and names the claim, what was expected, what was observed and the
versions it ran on.
"""

from __future__ import annotations

import html
import importlib.metadata
import os
import platform
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from IPython.display import display

CLAIM_ID = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
REGISTRY = Path(__file__).resolve().parents[1] / "claims"


class ClaimFailed(AssertionError):
    """A claim about Keras behaviour did not hold on the installed versions."""


# (name shown, distribution, shown only when it is Keras's backend)
_STACK_DISTRIBUTIONS = (
    ("TensorFlow", "tensorflow", None),
    ("Keras", "keras", None),
    ("Keras", "keras-nightly", None),
    ("tf-keras", "tf-keras", None),
    ("JAX", "jax", "jax"),
    ("PyTorch", "torch", "torch"),
)


def stack_versions() -> str:
    """The versions a claim is checked on, in one line: what is installed of
    TensorFlow, Keras and tf-keras, and JAX or PyTorch when Keras runs on it.

    >>> stack_versions()
    'Python 3..., TensorFlow 2..., Keras 3..., tf-keras 2...'
    """
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    versions = [f"Python {platform.python_version()}"]
    for name, distribution, shown_for_backend in _STACK_DISTRIBUTIONS:
        if shown_for_backend not in (None, backend):
            continue
        try:
            versions.append(f"{name} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(versions)


@dataclass(frozen=True)
class RegisteredClaim:
    statement: str
    page: str


@cache
def registered_claims() -> dict[str, RegisteredClaim]:
    """Every claim of the guide, by ID: its statement and the page that proves it.

    >>> registered_claims()["KNOBS-FROZEN-BN-INFERENCE"]
    RegisteredClaim(statement='A `BatchNormalization` layer with ...', page='two_knobs')
    """
    claims: dict[str, RegisteredClaim] = {}
    for path in sorted(REGISTRY.glob("*.toml")):
        with path.open("rb") as stream:
            for claim_id, entry in tomllib.load(stream).items():
                if not CLAIM_ID.fullmatch(claim_id):
                    raise ValueError(f"{path.name}: claim IDs look like PAGE-WHAT-HOLDS, got {claim_id!r}")
                if claim_id in claims:
                    raise ValueError(f"{path.name}: claim {claim_id} is registered twice")
                claims[claim_id] = RegisteredClaim(entry["statement"], path.stem)
    return claims


def _inline_code_html(text: str) -> str:
    """Escape text for HTML and render `backticked` parts as code."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


@dataclass(frozen=True)
class ProvedClaim:
    """The evidence a passed claim leaves in its cell's output."""

    claim_id: str
    statement: str
    observed: Any

    def __str__(self) -> str:
        return f"✔ {self.claim_id} {self.statement} (observed: {self.observed!r})"

    def _repr_html_(self) -> str:
        return (
            f'<div class="claim claim-passed" id="claim-{self.claim_id}" '
            f'data-claim-id="{self.claim_id}" data-claim-status="passed" '
            f'data-claim-statement="{html.escape(self.statement)}">'
            f'<span class="claim-badge">✔ {self.claim_id}</span> '
            f'<span class="claim-statement">{_inline_code_html(self.statement)}</span> '
            f'<span class="claim-evidence">observed: <code>{html.escape(repr(self.observed))}</code></span>'
            "</div>"
        )


_record: dict[str, dict[str, str]] | None = None


@contextmanager
def recording_claims() -> Iterator[dict[str, dict[str, str]]]:
    """Record claims instead of asserting them: the claim matrix runs every claim
    on several stacks and reports, for each, whether it holds there.

    >>> with recording_claims() as results:
    ...     claim("KNOBS-BN-FOUR-WEIGHTS", observed=3, expected=4)
    >>> results
    {'KNOBS-BN-FOUR-WEIGHTS': {'status': 'differs', 'observed': '3', 'expected': '4'}}
    """
    global _record
    _record = {}
    try:
        yield _record
    finally:
        _record = None


def claim(claim_id: str, *, observed: Any, expected: Any) -> None:
    """Assert that Keras behaves as the registered statement says; show the evidence.

    ``observed`` is what the code measured, ``expected`` what the statement
    predicts; both are plain Python values compared with ``==``.

    >>> claim("KNOBS-BN-FOUR-WEIGHTS", observed=4, expected=4)
    ✔ KNOBS-BN-FOUR-WEIGHTS `BatchNormalization` has four weights: ... (observed: 4)
    >>> claim("KNOBS-BN-FOUR-WEIGHTS", observed=3, expected=4)
    Traceback (most recent call last):
    ...
    keras_guide.claims.ClaimFailed: claim KNOBS-BN-FOUR-WEIGHTS does not hold: `BatchNormalization` has four weights: ...
      expected: 4
      observed: 3
      on Python 3..., TensorFlow 2..., Keras 3..., tf-keras 2...
    >>> claim("KNOBS-NOT-REGISTERED", observed=1, expected=1)
    Traceback (most recent call last):
    ...
    KeyError: 'claim KNOBS-NOT-REGISTERED is not in snippets/claims/'
    """
    if claim_id not in registered_claims():
        raise KeyError(f"claim {claim_id} is not in snippets/claims/")
    statement = registered_claims()[claim_id].statement
    if _record is not None:
        _record[claim_id] = {
            "status": "holds" if observed == expected else "differs",
            "observed": repr(observed),
            "expected": repr(expected),
        }
        return
    if observed != expected:
        raise ClaimFailed(
            f"claim {claim_id} does not hold: {statement}\n"
            f"  expected: {expected!r}\n"
            f"  observed: {observed!r}\n"
            f"  on {stack_versions()}"
        )
    display(ProvedClaim(claim_id, statement, observed))

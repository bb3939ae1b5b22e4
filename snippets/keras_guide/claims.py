"""Claims: statements about Keras behaviour, each proved by an executed assertion.

A cell proves a claim with ``claim("PAGE-WHAT-HOLDS", "Statement.", observed=...,
expected=...)``. When it holds, the cell's output carries the claim as data
(the MIME type ``CLAIM_MIME``), which the build turns into a badge and collects
into the Claims page. When it does not hold, ``ClaimFailed`` stops the build and
names the claim, what was expected, what was observed and the versions it ran on.

A page's published notebook runs on the reader's versions, which may differ
from the site's: there ``report_claims()`` makes each claim show whether it
holds, and record it, instead of stopping at the first that does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from IPython.display import display

from keras_guide.versions import stack_versions

CLAIM_MIME = "application/vnd.keras-guide.claim+json"


class ClaimFailed(AssertionError):
    """A claim about Keras behaviour did not hold on the installed versions."""


class NotApplicable(Exception):
    """The claim's code needs something this stack does not have."""


def require(available: bool, reason: str) -> None:
    """Stop, as not applicable, on a stack that lacks what the code needs.

    >>> require(True, "never raised")
    >>> require(False, "Keras 2 has no setter for a variable's `trainable`")
    Traceback (most recent call last):
    ...
    keras_guide.claims.NotApplicable: Keras 2 has no setter for a variable's `trainable`
    """
    if not available:
        raise NotApplicable(reason)


@dataclass(frozen=True)
class ProvedClaim:
    """The evidence a passed claim leaves in its cell's output."""

    claim_id: str
    statement: str
    observed: str

    def __str__(self) -> str:
        return f"✔ {self.claim_id} {self.statement} (observed: {self.observed})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            CLAIM_MIME: {
                "id": self.claim_id,
                "statement": self.statement,
                "observed": self.observed,
            },
            "text/plain": str(self),
        }


@dataclass(frozen=True)
class DifferingClaim:
    """What a claim that does not hold shows in a reader's notebook."""

    claim_id: str
    statement: str
    observed: str
    expected: str

    def __str__(self) -> str:
        return (
            f"✘ {self.claim_id} differs on {stack_versions()}: {self.statement}\n"
            f"  expected: {self.expected}\n  observed: {self.observed}"
        )


_record: dict[str, dict[str, str]] | None = None
_shown = False  # whether a recorded claim also shows its outcome (report_claims)


@contextmanager
def recording_claims() -> Iterator[dict[str, dict[str, str]]]:
    """Record claims instead of asserting them: the claim matrix runs every claim
    on several stacks and reports, for each, whether it holds there.

    >>> with recording_claims() as results:
    ...     claim("DEMO-FOUR", "Four is four.", observed=3, expected=4)
    >>> results
    {'DEMO-FOUR': {'status': 'differs', 'observed': '3', 'expected': '4'}}
    """
    global _record
    _record = {}
    try:
        yield _record
    finally:
        _record = None


def report_claims() -> dict[str, dict[str, str]]:
    """From now on, show each claim as holding (✔) or differing (✘) and record
    it, without stopping: what a reader's notebook does on their versions.

    >>> results = report_claims()
    >>> claim("DEMO-FOUR", "Four is four.", observed=3, expected=4)
    ✘ DEMO-FOUR differs on Python 3...: Four is four.
      expected: 4
      observed: 3
    >>> results["DEMO-FOUR"]["status"]
    'differs'
    >>> stop_reporting_claims()
    """
    global _record, _shown
    _record, _shown = {}, True
    return _record


def stop_reporting_claims() -> None:
    global _record, _shown
    _record, _shown = None, False


def claim(claim_id: str, statement: str, *, observed: Any, expected: Any) -> None:
    """Assert that Keras behaves as ``statement`` says; show the evidence.

    ``observed`` is what the code measured, ``expected`` what the statement
    predicts; both are plain Python values compared with ``==``. The ID and the
    statement are string literals: the build reads them without running the code.

    >>> claim("DEMO-FOUR", "Four is four.", observed=4, expected=4)
    ✔ DEMO-FOUR Four is four. (observed: 4)
    >>> claim("DEMO-FOUR", "Four is four.", observed=3, expected=4)
    Traceback (most recent call last):
    ...
    keras_guide.claims.ClaimFailed: claim DEMO-FOUR does not hold: Four is four.
      expected: 4
      observed: 3
      on Python 3...
    """
    if _record is not None:
        _record[claim_id] = {
            "status": "holds" if observed == expected else "differs",
            "observed": repr(observed),
            "expected": repr(expected),
        }
        if _shown:
            outcome = (
                ProvedClaim(claim_id, statement, repr(observed))
                if observed == expected
                else DifferingClaim(claim_id, statement, repr(observed), repr(expected))
            )
            display(outcome)
        return
    if observed != expected:
        raise ClaimFailed(
            f"claim {claim_id} does not hold: {statement}\n"
            f"  expected: {expected!r}\n"
            f"  observed: {observed!r}\n"
            f"  on {stack_versions()}"
        )
    display(ProvedClaim(claim_id, statement, repr(observed)))

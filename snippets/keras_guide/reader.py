"""What a page's notebook tells a reader who runs it on their own versions.

The notebook's first cell calls ``start_reading()``: from then on each claim
shows whether it holds on the reader's versions, without stopping. Its last cell
shows ``claims_table()``: every claim of the page, its outcome here, and what the
site found on the stack it ran that is nearest to the reader's. The site's
results travel with the notebook, in ``site_results.json`` beside this module.
No page imports this module, so it re-executes none.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
from pathlib import Path

import pandas as pd
from IPython import get_ipython

from keras_guide.claims import DifferingClaim, report_claims
from keras_guide.versions import stack_versions

SITE_RESULTS = Path(__file__).with_name("site_results.json")
_outcomes: dict[str, dict[str, str]] = {}


def start_reading() -> None:
    """Report each claim, holding or not, instead of stopping at one that fails;
    the kernel shows one that differs as its text says (✘, expected, observed)."""
    global _outcomes
    _outcomes = report_claims()
    shell = get_ipython()
    if shell is not None:
        plain = shell.display_formatter.formatters["text/plain"]
        plain.for_type(DifferingClaim, lambda claim, text, _: text.text(str(claim)))


def release(version: str) -> tuple[int, int]:
    """A version's major and minor release.

    >>> release("3.16.0.dev2026102704")
    (3, 16)
    """
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def installed_keras() -> tuple[str, str]:
    """The version of the Keras that ``import keras`` runs here, and its backend.
    Keras 2 is tf-keras, or the Keras of TensorFlow 2.15 and earlier."""
    import keras

    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        return importlib.metadata.version("tf-keras"), "tensorflow"
    if release(keras.__version__)[0] < 3:
        return keras.__version__, "tensorflow"
    return keras.__version__, keras.backend.backend()


def nearest_stack(stacks: list[dict], version: str, backend: str) -> dict:
    """The stack the site ran that is nearest to a Keras version and backend: the
    same Keras major release and backend if it ran one, then the closest minor
    release (the newer of two as close).

    >>> stacks = [
    ...     {"label": "Keras 2", "keras": "2.21.0", "backend": "tensorflow"},
    ...     {"label": "Keras 3.10", "keras": "3.10.0", "backend": "tensorflow"},
    ...     {"label": "Keras 3.12", "keras": "3.12.4", "backend": "tensorflow"},
    ...     {"label": "JAX", "keras": "3.15.1", "backend": "jax"},
    ... ]
    >>> nearest_stack(stacks, "3.11.0", "tensorflow")["label"]
    'Keras 3.12'
    >>> nearest_stack(stacks, "3.9.2", "jax")["label"]
    'JAX'
    >>> nearest_stack(stacks, "2.15.0", "tensorflow")["label"]
    'Keras 2'
    """
    major, minor = release(version)

    def distance(stack):
        stack_major, stack_minor = release(stack["keras"])
        return (
            stack_major != major,
            stack["backend"] != backend,
            abs(stack_minor - minor),
            -stack_minor,
        )

    return min(stacks, key=distance)


def claims_table() -> pd.DataFrame:
    """Each claim of the page: its outcome on your versions, and the site's on
    the nearest stack it ran."""
    site = json.loads(SITE_RESULTS.read_text(encoding="utf-8"))
    nearest = nearest_stack(site["stacks"], *installed_keras())
    print(f"Your versions: {stack_versions()}")
    print(f"The nearest the site ran: {nearest['label']} ({nearest['versions']})")
    not_run = {"status": "not run"}
    rows = {}
    for claim_id in site["claims"]:
        here = _outcomes.get(claim_id, not_run)
        differs = here["status"] == "differs"
        rows[claim_id] = {
            "here": here["status"],
            "on the site": nearest["claims"].get(claim_id, not_run)["status"],
            "observed here": here["observed"] if differs else "",
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("claim")
    if not table["here"].eq("differs").any():
        table = table.drop(columns="observed here")
    counts = table["here"].value_counts()
    print(
        f"Of {len(table)} claims, {counts.get('holds', 0)} hold here, "
        f"{counts.get('differs', 0)} differ, {counts.get('not run', 0)} did not run."
    )
    return table

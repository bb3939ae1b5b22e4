"""What a page's notebook tells a reader who runs it on their own versions.

The notebook's first cell installs this package and calls ``start_reading()``:
from then on each claim shows whether it holds on the reader's versions, without
stopping. Its last cell shows ``claims_table(prefix)``: every claim of the page
(their IDs start with the prefix), its outcome here, and what the site found on
the stack it ran that is nearest to the reader's. The site's results are this
package's data (``keras_guide/results/``). No page imports this module, so it
re-executes none.
"""

from __future__ import annotations

import importlib.metadata
import os

import pandas as pd
from IPython import get_ipython

from keras_guide.claims import DifferingClaim, report_claims
from keras_guide.matrix import load_results
from keras_guide.stacks import SITE_STACK, STACKS
from keras_guide.versions import stack_versions

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


def stack_keras(versions: dict[str, str]) -> str:
    """The version of the Keras a stack ran: Keras 3, or tf-keras on Keras 2's."""
    for distribution in ("keras", "keras-nightly", "tf-keras"):
        if distribution in versions:
            return versions[distribution]
    raise ValueError(f"no Keras in {versions}")


def nearest_stack(results: dict[str, dict], version: str, backend: str) -> str:
    """The stack the site ran that is nearest to a Keras version and backend: the
    same Keras major release and backend if it ran one, then the closest minor
    release (the newer of two as close).

    >>> results = {
    ...     "keras2-tf": {"versions": {"tf-keras": "2.21.0"}},
    ...     "keras3.10-tf": {"versions": {"keras": "3.10.0"}},
    ...     "keras3.12-tf": {"versions": {"keras": "3.12.4"}},
    ...     "keras3-jax": {"versions": {"keras": "3.15.1"}},
    ... }
    >>> nearest_stack(results, "3.11.0", "tensorflow")
    'keras3.12-tf'
    >>> nearest_stack(results, "3.9.2", "jax")
    'keras3-jax'
    >>> nearest_stack(results, "2.15.0", "tensorflow")
    'keras2-tf'
    """
    major, minor = release(version)

    def distance(stack_id):
        stack_major, stack_minor = release(stack_keras(results[stack_id]["versions"]))
        return (
            stack_major != major,
            STACKS[stack_id].backend != backend,
            abs(stack_minor - minor),
            -stack_minor,
        )

    return min(results, key=distance)


def claims_table(prefix: str) -> pd.DataFrame:
    """Each claim of the page (its ID starts with ``prefix``): its outcome on
    your versions, and the site's on the nearest stack it ran."""
    results = load_results(group=None)
    stack_id = nearest_stack(results, *installed_keras())
    nearest = results[stack_id]
    versions = ", ".join(f"{name} {v}" for name, v in nearest["versions"].items())
    print(f"Your versions: {stack_versions()}")
    print(f"The nearest the site ran: {nearest['label']} ({versions})")
    recorded = [c for c in results[SITE_STACK]["claims"] if c.startswith(f"{prefix}-")]
    ran = [c for c in _outcomes if c.startswith(f"{prefix}-")]
    not_run = {"status": "not run"}
    rows = {}
    for claim_id in dict.fromkeys([*ran, *recorded]):
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

"""Run every claim of the guide on the stack of this environment.

    python -m keras_guide.matrix STACK RESULT.json

The pages' own code runs, section by section as in the build, with claims
recorded instead of asserted (``recording_claims``). Each registered claim
gets one result on this stack:

- ``holds``: observed what the page expects;
- ``differs``: observed something else (the observed value is kept);
- ``not applicable``: its code needs what the stack lacks (the reason is kept);
- ``error``: its section raised (the message is kept), or it was never reached.

``nox -s matrix`` runs this in one environment per stack of
``keras_guide.stacks.STACKS`` and keeps the results in ``docs/_data/matrix/``.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.metadata
import io
import json
import linecache
import os
import platform
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from keras_guide.stacks import STACKS, NotApplicable, page_builtins, prepare

if TYPE_CHECKING:
    import pandas as pd

# The page that shows the matrix proves its claims from the results, so it is not part of them.
MATRIX_PAGE = "keras_versions"
DISTRIBUTIONS = ("tensorflow", "keras", "keras-nightly", "tf-keras", "jax", "jaxlib", "torch")


def installed_versions(stack) -> dict[str, str]:
    """The versions the claims ran on; Keras 3, installed beside tf-keras but not
    used, is left out on the Keras 2 stack."""
    versions = {"python": platform.python_version()}
    for distribution in DISTRIBUTIONS:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[distribution] = importlib.metadata.version(distribution)
    if stack.keras_is_tf_keras:
        del versions["keras"]
    return versions


def first_line(error: BaseException) -> str:
    """The error's first line, without this environment's path, so that results
    recorded in another checkout compare equal."""
    message = str(error).strip().replace(sys.prefix, "<env>").splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}"[:300]


def run_page(page: str, record: dict[str, dict[str, str]]) -> None:
    """Execute a page's sections in one namespace, as its notebook does."""
    from keras_guide.claims import registered_claims
    from keras_guide.sections import read_sections, snippet_path

    page_claims = [claim_id for claim_id, entry in registered_claims().items() if entry.page == page]
    namespace = {"__name__": "__main__", "__builtins__": page_builtins()}
    earlier = None  # the outcome of the last section that raised
    for section, source in read_sections(snippet_path(page)).items():
        in_section = [claim_id for claim_id in page_claims if f'"{claim_id}"' in source]
        # Like a notebook cell, the section's source is findable by `inspect`.
        filename = f"<{page}#{section}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                exec(compile(source, filename, "exec"), namespace)
        except Exception as error:  # recorded: a claim that errors on a stack is a result
            if isinstance(error, NotApplicable):
                outcome = {"status": "not applicable", "reason": f"{error} (in {section})"}
            elif isinstance(error, NameError) and earlier:
                outcome = earlier  # it needs a name that the failed section did not define
            else:
                outcome = {"status": "error", "message": f"in {section}: {first_line(error)}"}
            earlier = outcome
        else:
            outcome = {"status": "error", "message": f"never reached in section {section}"}
        for claim_id in in_section:
            record.setdefault(claim_id, outcome)
    for claim_id in page_claims:
        record.setdefault(claim_id, {"status": "error", "message": "in no section of the page"})


def run_stack(stack_name: str) -> dict:
    stack = STACKS[stack_name]
    prepare(stack)
    import matplotlib

    matplotlib.use("Agg")
    from keras_guide.claims import recording_claims, registered_claims

    pages = sorted({entry.page for entry in registered_claims().values()} - {MATRIX_PAGE})
    with recording_claims() as record:
        for page in pages:
            run_page(page, record)
    claims = {claim_id: record[claim_id] for claim_id in sorted(record)}
    return {
        "stack": stack_name,
        "label": stack.label,
        "versions": installed_versions(stack),
        "recorded_on": datetime.date.today().isoformat(),
        "claims": claims,
    }


RESULTS = Path(__file__).resolve().parents[2] / "docs" / "_data" / "matrix"
SYMBOLS = {
    "holds": "✔ holds",
    "differs": "✘ differs",
    "not applicable": "– not applicable",
    "error": "⚠ error",
}


def load_results(folder: Path = RESULTS) -> dict[str, dict]:
    """The committed results of every stack, in the order of ``STACKS``."""
    return {
        stack: json.loads((folder / f"{stack}.json").read_text(encoding="utf-8"))
        for stack in STACKS
    }


def outcome_detail(outcome: dict[str, str]) -> str:
    """What a reader needs to know beyond the status: observed value, reason or error."""
    if outcome["status"] == "differs":
        return f"observed {outcome['observed']}, the page expects {outcome['expected']}"
    return outcome.get("reason") or outcome.get("message") or ""


def status_table(results: dict[str, dict], claim_ids=None) -> pd.DataFrame:
    """Claims by stack, each cell a symbol and a word (readable without colour)."""
    import pandas as pd

    claim_ids = claim_ids or sorted(next(iter(results.values()))["claims"])
    return pd.DataFrame(
        {
            stack: [SYMBOLS[result["claims"][claim_id]["status"]] for claim_id in claim_ids]
            for stack, result in results.items()
        },
        index=pd.Index(claim_ids, name="claim"),
    )


def details(results: dict[str, dict], claim_ids) -> pd.DataFrame:
    """What happened where a claim does not hold: observed value, reason or error."""
    import pandas as pd

    rows = [
        {"claim": claim_id, "stack": stack, "status": SYMBOLS[outcome["status"]],
         "detail": outcome_detail(outcome)}
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
    return {stack: outcome["status"] for stack, outcome in outcomes(results, claim_id).items()}


def same_results(one: dict, other: dict) -> bool:
    """Equal apart from the day they were recorded."""
    return {**one, "recorded_on": None} == {**other, "recorded_on": None}


def main(stack_name: str, output: str) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    result = run_stack(stack_name)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for outcome in result["claims"].values():
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    print(f"{stack_name}: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])

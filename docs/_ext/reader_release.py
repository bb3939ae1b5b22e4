"""The reader's Keras, on every page: pick the release and backend you run, and
every claim's mark says whether it holds there.

At the end of an HTML build, ``_static/outcomes.json`` gets each claim's outcome
on every stack of the committed matrix and release sweep (holds, differs with
what was observed, not applicable with the reason), and the stacks' labels.
``reader_release.js`` adds a labelled choice of stack to each page, keeps the
choice in the browser's storage for the next page, and marks each ✔ and each
badge with its claim's outcome on that stack. Nothing leaves the site's host.
Without JavaScript, the marks are those of the site's stack, as built.
"""

from __future__ import annotations

import json
from pathlib import Path

from keras_guide.matrix import load_results, outcome_detail
from keras_guide.stacks import SITE_STACK, STACKS

# What the script needs of each outcome: its status, and a short detail.
DETAIL_LENGTH = 160


def outcomes(results: dict[str, dict]) -> dict:
    """Each claim's outcome on each stack, as the script reads them: a claim of
    the matrix has an entry, in which a stack where it holds is left out."""
    claims: dict[str, dict[str, list[str]]] = {}
    for stack, result in results.items():
        for claim_id, outcome in result["claims"].items():
            claims.setdefault(claim_id, {})
            if outcome["status"] != "holds":
                detail = outcome_detail(outcome)[:DETAIL_LENGTH]
                claims[claim_id][stack] = [outcome["status"], detail]
    return {
        "site": SITE_STACK,
        "stacks": [{"id": stack, "label": STACKS[stack].label} for stack in results],
        "claims": claims,
    }


def write_outcomes(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    results = load_results(Path(app.config.claim_matrix), group=None)
    path = Path(app.outdir) / "_static" / "outcomes.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outcomes(results), separators=(",", ":")), "utf-8")


def setup(app):
    app.add_js_file("reader_release.js")
    app.connect("build-finished", write_outcomes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

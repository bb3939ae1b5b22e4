"""Execute a page's code outside Jupyter, as its notebook's cells run.

Each page's sections run in one namespace, in file order, with claims recorded
instead of asserted and glued values recorded instead of shown. A claim gets one
outcome:

- ``holds``: observed what the page expects;
- ``differs``: observed something else (the observed value is kept);
- ``not applicable``: its code needs what the stack lacks (the reason is kept);
- ``error``: its section raised (the message is kept), or it was never reached.

This module, with the stack's preparation and the reading of sections, is the
part of the runner in every page's digest (``guide_build.run``).
"""

from __future__ import annotations

import contextlib
import io
import linecache
import sys
import time
import warnings
from pathlib import Path

from guide_build.prepare_stack import NotApplicable, page_builtins
from guide_build.sections import SNIPPETS, read_sections, section_of, snippet_path


def first_line(error: BaseException) -> str:
    """The error's first line, without this environment's path, so that results
    recorded in another checkout compare equal."""
    message = str(error).strip().replace(sys.prefix, "<env>").splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}"[:300]


def run_page(page: str, snippets: Path = SNIPPETS) -> dict:
    """Execute a page's sections in one namespace; its claims' outcomes and glue."""
    from keras_guide.claims import recording_claims
    from keras_guide.page import recording_glue
    from keras_guide.registry import claims_in

    path = snippet_path(page, snippets)
    sections = read_sections(path)
    proved_in: dict[str, list[str]] = {name: [] for name in sections}
    unplaced = []
    for static in claims_in(path):
        if sections and static.line > min(s.line for s in sections.values()):
            proved_in[section_of(sections, static.line)].append(static.claim_id)
        else:
            unplaced.append(static.claim_id)

    namespace = {"__name__": "__main__", "__builtins__": page_builtins()}
    outcomes: dict[str, dict[str, str]] = {}
    raised: dict[str, str] = {}  # section -> error
    earlier = None  # the outcome of the last section that raised
    start = time.perf_counter()
    with recording_claims() as record, recording_glue() as glued:
        for name, section in sections.items():
            # Like a notebook cell, the section's source is findable by `inspect`.
            filename = f"<{page}#{name}>"
            lines = section.code.splitlines(True)
            linecache.cache[filename] = (len(section.code), None, lines, filename)
            try:
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                    warnings.catch_warnings(),
                ):
                    warnings.simplefilter("ignore")
                    exec(compile(section.code, filename, "exec"), namespace)
            except Exception as error:  # recorded: an error on a stack is a result
                raised[name] = first_line(error)
                if isinstance(error, NotApplicable | ImportError):
                    # An ImportError: Keras itself says this stack lacks the API.
                    why = first_line(error) if isinstance(error, ImportError) else error
                    reason = f"{why} (in {name})"
                    outcome = {"status": "not applicable", "reason": reason}
                elif isinstance(error, NameError) and earlier:
                    # It needs a name that the section that failed did not define.
                    outcome = earlier
                else:
                    message = f"in {name}: {first_line(error)}"
                    outcome = {"status": "error", "message": message}
                earlier = outcome
            else:
                outcome = {
                    "status": "error",
                    "message": f"never reached in section {name}",
                }
            for claim_id in proved_in[name]:
                outcomes[claim_id] = record.get(claim_id, outcome)
    for claim_id in unplaced:
        outcomes[claim_id] = {"status": "error", "message": "in no section of the page"}
    _forget_page_state()
    return {
        "claims": outcomes,
        "raised": raised,
        "glue": glued,
        "seconds": round(time.perf_counter() - start, 1),
    }


def _forget_page_state() -> None:
    """Start the next page as a fresh kernel would: no figures, fresh layer names."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    for name in ("keras", "tf_keras"):
        module = sys.modules.get(name)
        if module is not None:
            with contextlib.suppress(Exception):
                module.backend.clear_session()

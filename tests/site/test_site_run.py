"""Each page's code, run once more outside Jupyter, agrees with the build.

The run (``guide_build.run``) is made once per change of the code and reused:
``nox -s matrix`` takes the site's stack's column from it.
"""

from __future__ import annotations

from site_files import built_glue


def test_every_claim_holds_when_the_code_runs_outside_jupyter(site_run, page):
    assert site_run["pages"][page]["raised"] == {}
    outcomes = site_run["pages"][page]["claims"]
    failing = {
        claim_id: o for claim_id, o in outcomes.items() if o["status"] != "holds"
    }
    assert failing == {}


def test_a_second_execution_glues_the_values_the_build_glued(site_run, page):
    """Every glued number is reproducible: the pages are deterministic."""
    assert site_run["pages"][page]["glue"] == built_glue(page)

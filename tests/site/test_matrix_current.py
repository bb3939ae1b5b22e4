"""On the site's stack, the second run of every page gives the committed
outcomes of the claim matrix (tests/test_matrix.py checks that every stack's
record was made with today's code)."""

from __future__ import annotations

from guide_build.matrix import changes, read_result
from guide_build.pages import matrix_pages
from keras_guide.stacks import SITE_STACK

UPDATE = "run `nox -s matrix -- --update` and commit docs/_data/matrix/"


def test_the_site_stack_gives_its_committed_outcomes(site_run):
    committed = read_result(SITE_STACK)
    fresh = {}
    for page in matrix_pages():
        fresh.update(site_run["pages"][page]["claims"])
    ran = {**committed, "versions": site_run["versions"], "claims": fresh}
    assert changes(committed, ran) == [], UPDATE

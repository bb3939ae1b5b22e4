"""On the site's stack, the build proves the claims the claim matrix records for
it: the same claims, holding, with the same observations. The build is that
stack's run; nothing executes a page again (tests/test_matrix.py checks that
every stack's record was made with today's code)."""

from __future__ import annotations

from site_files import proved_claims

from guide_build.matrix import read_result
from guide_build.pages import matrix_pages
from keras_guide.stacks import SITE_STACK

UPDATE = "run `nox -s matrix -- --update` and commit snippets/keras_guide/results/"


def test_the_build_proves_the_site_stacks_committed_outcomes():
    committed = read_result(SITE_STACK)["claims"]
    built = {}
    for page in matrix_pages():
        built.update(proved_claims(page))
    assert sorted(built) == sorted(committed), UPDATE
    changed = {
        claim_id: (outcome, built[claim_id]["observed"])
        for claim_id, outcome in committed.items()
        if (outcome["status"], outcome["observed"])
        != ("holds", built[claim_id]["observed"])
    }
    assert changed == {}, UPDATE

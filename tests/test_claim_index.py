"""The claims on the site, from badge to Claims page, in a sandbox project.

The test writes a small Sphinx project in a temporary folder: two notebooks
whose cells were executed already (their outputs hold the claims they proved,
as ``keras_guide.claims.claim`` leaves them), a page of prose that links to the
claims, a Claims page, the code that proves the claims (``snippets/``) and a
committed matrix with one file per stack. It builds the project to HTML with
MyST-NB, the claim renderer of ``guide_build`` and ``claim_index``, execution
off, once for the whole module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import claim_index
import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences

import keras_guide.matrix
from keras_guide.stacks import SITE_STACK, Stack

CONF = """\
from pathlib import Path

extensions = ["myst_nb", "claim_index"]
nb_execution_mode = "off"
claim_snippets = str(Path(__file__).parents[1] / "snippets")
claim_matrix = str(Path(__file__).parents[1] / "matrix")
"""
INDEX = """\
# Sandbox

```{toctree}
beta
alpha
prose
claims
```
"""
PROSE = """\
# Prose

One holds {claim}`DEMO-ONE`, and two {claim}`DEMO-TWO`.

Two holds on {claim-scope}`DEMO-TWO`; one on {claim-scope}`DEMO-ONE`.

This claim is proved nowhere {claim}`DEMO-NOPE`.
"""
CLAIMS = """\
# Claims

```{claim-index}
```
"""
CODE = {
    "alpha.py": """\
from keras_guide.claims import claim

# %% setup
x = 1

# %% one
claim("DEMO-ONE", "Statement one.", observed=1, expected=1)
""",
    "beta.py": """\
from keras_guide.claims import claim

# %% two
claim("DEMO-TWO", "Statement `two` holds.", observed=2, expected=2)

# %% unproved
claim("DEMO-UNPROVED", "Statement three.", observed=3, expected=3)
""",
}
# The sandbox's own stacks, the site's among them, so that a stack added to the
# site changes nothing here.
STACKS = {
    stack.id: stack
    for stack in (
        Stack("keras2-tf", "Keras 2", "tf-keras", "tensorflow", None, (), "tf"),
        Stack("keras3-tf", "Keras 3 on TF", "keras", "tensorflow", None, (), "tf"),
        Stack("keras3-jax", "Keras 3 on JAX", "keras", "jax", ("jax",), (), "jax"),
    )
}
assert SITE_STACK in STACKS
SCOPE_OF_TWO = "holds: Keras 3.15 on TF, JAX · differs: Keras 2 on TF"


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(source: str, *outputs: dict) -> dict:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": list(outputs),
        "source": source,
    }


def claim_output(claim_id: str, statement: str, observed: str) -> dict:
    """A claim's output, as an executed cell holds it."""
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "application/vnd.keras-guide.claim+json": {
                "id": claim_id,
                "statement": statement,
                "observed": observed,
            },
            "text/plain": f"✔ {claim_id} {statement} (observed: {observed})",
        },
    }


def executed_notebook(*cells: dict) -> str:
    return json.dumps(
        {
            "cells": [{"id": f"cell-{i}", **cell} for i, cell in enumerate(cells)],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


ALPHA = executed_notebook(
    markdown("# Alpha"),
    code("x = 1"),
    code(
        'claim("DEMO-ONE", "Statement one.", observed=1, expected=1)',
        claim_output("DEMO-ONE", "Statement one.", "1"),
    ),
)
BETA = executed_notebook(
    markdown("# Beta"),
    code(
        'claim("DEMO-TWO", "Statement `two` holds.", observed=2, expected=2)',
        claim_output("DEMO-TWO", "Statement `two` holds.", "2"),
    ),
)


def matrix_result(stack: str) -> dict:
    """A stack's committed results: DEMO-ONE holds on every stack, DEMO-TWO
    differs on Keras 2."""
    keras = STACKS[stack].keras
    version = {"keras": "3.15.1", "tf-keras": "2.21.0"}
    return {
        "stack": stack,
        "label": STACKS[stack].label,
        "versions": {keras: version[keras]},
        "recorded_on": "2026-01-01",
        "digests": {},
        "claims": {
            "DEMO-ONE": {"status": "holds"},
            "DEMO-TWO": {"status": "differs" if keras == "tf-keras" else "holds"},
        },
    }


class Site(NamedTuple):
    html: Path
    warnings: list[str]  # one a line


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """The sandbox, built to HTML."""
    root = tmp_path_factory.mktemp("claims")
    files = {
        "docs/conf.py": CONF,
        "docs/index.md": INDEX,
        "docs/alpha.ipynb": ALPHA,
        "docs/beta.ipynb": BETA,
        "docs/prose.md": PROSE,
        "docs/claims.md": CLAIMS,
        **{f"snippets/{name}": text for name, text in CODE.items()},
        **{
            f"matrix/{stack}.json": json.dumps(matrix_result(stack)) for stack in STACKS
        },
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    app = SphinxTestApp("html", srcdir=root / "docs", builddir=root / "_build")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keras_guide.matrix, "STACKS", STACKS)
        patch.setattr(claim_index, "STACKS", STACKS)
        try:
            app.build()
        finally:
            app.cleanup()
    warnings = strip_escape_sequences(app.warning.getvalue()).splitlines()
    return Site(app.outdir, warnings)


def page(site: Site, name: str) -> BeautifulSoup:
    return BeautifulSoup((site.html / f"{name}.html").read_text("utf-8"), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text().split())


def test_a_claim_that_no_cell_proves_and_an_unknown_link_are_warnings(site):
    """The only warnings: DEMO-UNPROVED is in the code but in no cell's output,
    and the prose links to DEMO-NOPE, which nothing proves."""
    docs = site.html.parents[1] / "docs"
    assert site.warnings == [
        f"{docs}/claims.md:3: WARNING: claim DEMO-UNPROVED (beta.py, line 7) "
        "was proved by no executed cell",
        f"{docs}/prose.md:7: WARNING: unknown claim 'DEMO-NOPE': "
        "no executed cell proves it",
    ]


def test_a_cells_claim_output_is_its_badge(site):
    """The renderer turns the claim data into a badge that is its link target;
    a claim that does not hold everywhere says where it holds."""
    one = page(site, "alpha").find(id="claim-DEMO-ONE")
    assert text(one) == "✔ DEMO-ONE Statement one. observed: 1"
    two = page(site, "beta").find(id="claim-DEMO-TWO")
    assert text(two) == (
        f"✔ DEMO-TWO Statement two holds. observed: 2 Scope: {SCOPE_OF_TWO}"
    )
    assert text(two.find(class_="claim-scope")) == f"Scope: {SCOPE_OF_TWO}"


def test_a_claim_in_prose_is_a_mark_that_links_to_its_cell(site):
    """``{claim}`` is a ✔ whose label and tip are the statement, and its scope
    where the claim does not hold on every stack."""
    html = (site.html / "prose.html").read_text("utf-8")
    assert (
        '<a class="claim-link reference internal" href="alpha.html#claim-DEMO-ONE" '
        'aria-label="Proved: Statement one." data-tip="Statement one.">✔</a>'
    ) in html
    tip = f"Statement two holds. (Scope: {SCOPE_OF_TWO})"
    assert (
        '<a class="claim-link reference internal" href="beta.html#claim-DEMO-TWO" '
        f'aria-label="Proved: {tip}" data-tip="{tip}">✔</a>'
    ) in html


def test_claim_scope_says_where_a_claim_holds_in_words(site):
    """``{claim-scope}`` is the claim's scope, or "every stack" where it holds
    on each."""
    prose = text(page(site, "prose").find("div", class_="body"))
    assert f"Two holds on {SCOPE_OF_TWO}; one on every stack." in prose


def test_the_claims_page_lists_every_proved_claim_in_reading_order(site):
    """One row per claim that a cell proved, in the order of the pages in the
    toctree (beta before alpha), each linking to its cell."""
    table = page(site, "claims").find("table", class_="claim-index")
    assert [text(cell) for cell in table.thead.find_all("th")] == [
        "Claim",
        "Statement",
        "Where it holds",
        "Proved in",
    ]
    rows = table.tbody.find_all("tr")
    assert [[text(cell) for cell in row.find_all("td")] for row in rows] == [
        ["DEMO-TWO", "Statement two holds.", SCOPE_OF_TWO, "Beta, cell 1"],
        ["DEMO-ONE", "Statement one.", "every stack", "Alpha, cell 2"],
    ]
    assert [[link["href"] for link in row.find_all("a")] for row in rows] == [
        ["beta.html#claim-DEMO-TWO"] * 2,
        ["alpha.html#claim-DEMO-ONE"] * 2,
    ]
    assert rows[0].find("a")["title"] == f"Statement two holds. (Scope: {SCOPE_OF_TWO})"
    assert rows[1].find("a")["title"] == "Statement one."
    assert rows[0].find_all("td")[1].code.get_text() == "two"

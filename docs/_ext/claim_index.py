"""Sphinx side of the claims: collect what executed cells proved, link to it, list it.

* While a page is read, every claim its executed cells proved is recorded with
  its page and cell. MyST-NB renders each from the data the cell left in its
  output (``guide_build.claim_output``); nothing is read back from HTML.
* ``{claim}`ID``` in prose links to the cell that proves the claim; an unknown
  ID is a warning, so it fails the build.
* ``{claim-index}`` is replaced by the table of every claim in the pages' code
  (``keras_guide.registry``) on the Claims page; a claim that no executed cell
  proved is a warning too.
* Where a claim does not hold on every stack of the committed matrix and release
  sweep (``snippets/keras_guide/results``), its scope, with Keras releases as ranges, is
  shown in its badge, in the title of every link to it, and on the Claims page.

The pages' code and the committed matrix are read from the config values
``claim_snippets`` and ``claim_matrix`` (by default the repository's folders).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from guide_build.claim_output import inline_code
from keras_guide.matrix import load_results, scope
from keras_guide.registry import SNIPPETS, ClaimSyntaxError, all_claims
from keras_guide.stacks import MATRIX_RESULTS, SITE_STACK, STACKS

logger = logging.getLogger(__name__)


def _is_code_cell(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def _cell_of(node) -> nodes.Element | None:
    while node is not None:
        if _is_code_cell(node):
            return node
        node = node.parent
    return None


def _claims(env) -> dict[str, dict]:
    if not hasattr(env, "guide_claims"):
        env.guide_claims = {}
    return env.guide_claims


def _is_claim(node) -> bool:
    return isinstance(node, nodes.container) and "claim_id" in node.attributes


def _uses_claims(doctree) -> bool:
    return any(
        next(iter(doctree.findall(kind)), None) is not None
        for kind in (_is_claim, claim_reference, claim_index)
    )


def collect_claims(app, doctree) -> None:
    if _uses_claims(doctree):
        # Scopes come from the committed matrix: a new one rewrites the page.
        matrix = Path(app.config.claim_matrix)
        for stack in STACKS:
            app.env.note_dependency(str(matrix / f"{stack}.json"))
    claims = _claims(app.env)
    code_cells = list(doctree.findall(_is_code_cell))
    for badge in doctree.findall(_is_claim):
        claim_id = badge["claim_id"]
        if claim_id in claims:
            logger.warning(
                f"claim {claim_id} is proved twice: in {claims[claim_id]['docname']} "
                f"and in {app.env.docname}",
                location=badge,
            )
            continue
        cell = _cell_of(badge)
        claims[claim_id] = {
            "docname": app.env.docname,
            "statement": badge["statement"],
            # The number of the code cell, as a reader counts them on the page.
            "cell": code_cells.index(cell) + 1 if cell is not None else None,
        }


def purge_claims(app, env, docname) -> None:
    # Emitted for every page read or removed in this build: only then can the
    # Claims page's table change (see pages_with_index).
    app.guide_claims_changed = True
    claims = _claims(env)
    for claim_id in [
        key for key, claim in claims.items() if claim["docname"] == docname
    ]:
        del claims[claim_id]


def merge_claims(app, env, docnames, other) -> None:
    _claims(env).update(
        {k: v for k, v in _claims(other).items() if v["docname"] in docnames}
    )


class claim_reference(nodes.Inline, nodes.Element):
    """A link to a claim, resolved once every page has been read."""


class claim_index(nodes.General, nodes.Element):
    """Where the table of all claims goes."""


class claim_mark(nodes.Inline, nodes.Element):
    """A claim's mark in prose: a small ✔ that links to the cell that proves it.
    The statement and scope show on hover and focus, and name the link."""


def visit_claim_mark(self, node) -> None:
    # The statement is an attribute, not text: CSS shows it on hover and focus,
    # and the page's text (what readers, search and llms-full read) stays prose.
    tip = self.encode(node["title"])
    self.body.append(
        f'<a class="claim-link reference internal" href="{self.encode(node["uri"])}" '
        f'aria-label="Proved: {tip}" data-tip="{tip}">✔</a>'
    )
    raise nodes.SkipNode


def visit_claim_mark_text(self, node) -> None:
    self.add_text("✔")
    raise nodes.SkipNode


class ClaimRole(SphinxRole):
    """``{claim}`ID```: the claim's mark. ``{claim-scope}`ID```: where it holds,
    in words, from the committed matrix (a table's column of scopes)."""

    def __init__(self, scope_only: bool = False) -> None:
        self.scope_only = scope_only

    def run(self):
        node = claim_reference(claim_id=self.text.strip(), scope_only=self.scope_only)
        self.set_source_info(node)
        return [node], []


class ClaimIndexDirective(SphinxDirective):
    def run(self):
        self.env.metadata[self.env.docname]["claim_index"] = True
        return [claim_index()]


def toctree_order(env) -> list[str]:
    order: list[str] = []

    def visit(docname: str) -> None:
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order


def _link(
    builder, fromdocname: str, claim_id: str, claim: dict, *children, title=None
) -> nodes.reference:
    uri = builder.get_relative_uri(fromdocname, claim["docname"]) + f"#claim-{claim_id}"
    return nodes.reference(
        "",
        "",
        *children,
        refuri=uri,
        internal=True,
        classes=["claim-link"],
        **({"reftitle": title} if title else {}),
    )


def link_title(statement: str, where: str | None) -> str:
    """A link's title: the statement, and its scope where narrower than every stack."""
    title = statement.replace("`", "")
    return f"{title} (Scope: {where})" if where else title


def scope_text(scopes: dict[str, str | None], claim_id: str) -> str:
    if claim_id not in scopes:
        return "the site's stack; it reads the matrix"
    return scopes[claim_id] or "every stack"


def committed_scopes(app) -> dict[str, str | None]:
    """Each claim's scope in the committed matrix, read once per build process."""
    if not hasattr(app, "guide_scopes"):
        # Every group: the claim matrix and the release sweep.
        results = load_results(Path(app.config.claim_matrix), group=None)
        app.guide_scopes = {
            claim_id: scope(results, claim_id)
            for claim_id in results[SITE_STACK]["claims"]
        }
    return app.guide_scopes


class ResolveClaims(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs) -> None:
        claims = _claims(self.env)
        # Sphinx's own post-transforms reach the application through the
        # environment: SphinxTransform.app is deprecated (Sphinx 11).
        scopes = committed_scopes(self.env._app)
        for badge in self.document.findall(_is_claim):
            if where := scopes.get(badge["claim_id"]):
                badge[0] += [
                    nodes.Text(" "),
                    nodes.inline("", f"Scope: {where}", classes=["claim-scope"]),
                ]
        for node in list(self.document.findall(claim_reference)):
            claim_id = node["claim_id"]
            if claim_id not in claims:
                logger.warning(
                    f"unknown claim {claim_id!r}: no executed cell proves it",
                    location=node,
                )
                node.replace_self(nodes.literal(claim_id, claim_id))
                continue
            if node["scope_only"]:
                node.replace_self(nodes.inline("", scope_text(scopes, claim_id)))
                continue
            claim = claims[claim_id]
            uri = self.env._app.builder.get_relative_uri(
                self.env.docname, claim["docname"]
            )
            node.replace_self(
                claim_mark(
                    claim_id=claim_id,
                    uri=f"{uri}#claim-{claim_id}",
                    title=link_title(claim["statement"], scopes.get(claim_id)),
                )
            )
        for node in list(self.document.findall(claim_index)):
            node.replace_self(self.claim_table(claims, scopes, node))

    def claim_table(
        self, proved: dict[str, dict], scopes: dict[str, str | None], placeholder
    ) -> nodes.table:
        try:
            known = all_claims(Path(self.config.claim_snippets))
        except ClaimSyntaxError as error:
            logger.warning(str(error), location=placeholder)
            known = {}
        for claim_id, claim in known.items():
            if claim_id not in proved:
                logger.warning(
                    f"claim {claim_id} ({claim.page}.py, line {claim.line}) "
                    "was proved by no executed cell",
                    location=placeholder,
                )
        order = {name: i for i, name in enumerate(toctree_order(self.env))}
        headers = ("Claim", "Statement", "Where it holds", "Proved in")
        table = nodes.table(classes=["claim-index"])
        group = nodes.tgroup(cols=len(headers))
        table += group
        group += [nodes.colspec(colwidth=width) for width in (20, 45, 20, 15)]
        head = [nodes.entry("", nodes.paragraph(text=h)) for h in headers]
        group += nodes.thead("", nodes.row("", *head))
        body = nodes.tbody()
        group += body

        def rank(item):
            return order.get(item[1]["docname"], len(order)), item[1]["cell"] or 0

        listed = {
            claim_id: proved[claim_id] for claim_id in known if claim_id in proved
        }
        builder, here = self.env._app.builder, self.env.docname
        for claim_id, claim in sorted(listed.items(), key=rank):
            title = link_title(claim["statement"], scopes.get(claim_id))
            page_title = self.env.titles[claim["docname"]].astext()
            identifier = nodes.literal(claim_id, claim_id)
            where = nodes.Text(f"{page_title}, cell {claim['cell']}")
            cells = (
                nodes.paragraph(
                    "",
                    "",
                    _link(builder, here, claim_id, claim, identifier, title=title),
                ),
                nodes.paragraph("", "", *inline_code(known[claim_id].statement)),
                nodes.paragraph("", scope_text(scopes, claim_id)),
                nodes.paragraph(
                    "", "", _link(builder, here, claim_id, claim, where, title=title)
                ),
            )
            body += nodes.row("", *[nodes.entry("", cell) for cell in cells])
        return table


def pages_with_index(app, env) -> list[str]:
    """The Claims page, to write again when some page was read or removed."""
    if not getattr(app, "guide_claims_changed", False):
        return []
    return [name for name, meta in env.metadata.items() if meta.get("claim_index")]


def setup(app):
    # Folders as str: Sphinx pickles its config.
    app.add_config_value("claim_snippets", str(SNIPPETS), rebuild="env", types=[str])
    app.add_config_value(
        "claim_matrix", str(MATRIX_RESULTS), rebuild="env", types=[str]
    )
    app.add_node(
        claim_mark,
        html=(visit_claim_mark, None),
        text=(visit_claim_mark_text, None),
    )
    app.add_node(claim_reference)
    app.add_node(claim_index)
    app.add_role("claim", ClaimRole())
    app.add_role("claim-scope", ClaimRole(scope_only=True))
    app.add_directive("claim-index", ClaimIndexDirective)
    app.add_post_transform(ResolveClaims)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-updated", pages_with_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 7}

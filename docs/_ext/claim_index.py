"""Sphinx side of the claims: collect what the executed cells proved, link to it, list it.

* While a page is read, every claim badge in its executed outputs (written by
  ``keras_guide.claims.claim``) is recorded with its page and cell.
* ``{claim}`ID``` in prose links to the cell that proves the claim; an unknown
  ID is a warning, so it fails the build.
* ``{claim-index}`` is replaced by the table of every registered claim
  (``snippets/claims/<page>.toml``) on the Claims page, with its status in
  this build; a registered claim that no cell proved is a warning too.
"""

from __future__ import annotations

from html.parser import HTMLParser

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from keras_guide.claims import registered_claims

logger = logging.getLogger(__name__)


class _ClaimAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-claim-id" in attributes:
            self.found.append(attributes)


def _claims_in_html(text: str) -> list[dict[str, str]]:
    parser = _ClaimAttributes()
    parser.feed(text)
    return parser.found


def _cell_of(node) -> nodes.Element | None:
    while node is not None:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            return node
        node = node.parent
    return None


def _claims(env) -> dict[str, dict]:
    if not hasattr(env, "guide_claims"):
        env.guide_claims = {}
    return env.guide_claims


def collect_claims(app, doctree) -> None:
    claims = _claims(app.env)
    for raw in doctree.findall(nodes.raw):
        for attributes in _claims_in_html(raw.astext()):
            claim_id = attributes["data-claim-id"]
            if claim_id in claims:
                logger.warning(
                    f"claim {claim_id} is proved twice: in {claims[claim_id]['docname']} "
                    f"and in {app.env.docname}",
                    location=raw,
                )
                continue
            cell = _cell_of(raw)
            claims[claim_id] = {
                "docname": app.env.docname,
                "statement": attributes["data-claim-statement"],
                "status": attributes["data-claim-status"],
                "cell": cell["cell_index"] + 1 if cell is not None else None,
                "snippet": cell["cell_metadata"].get("snippet") if cell is not None else None,
            }


def purge_claims(app, env, docname) -> None:
    claims = _claims(env)
    for claim_id in [key for key, claim in claims.items() if claim["docname"] == docname]:
        del claims[claim_id]


def merge_claims(app, env, docnames, other) -> None:
    _claims(env).update({k: v for k, v in _claims(other).items() if v["docname"] in docnames})


class claim_reference(nodes.Inline, nodes.Element):
    """A link to a claim, resolved once every page has been read."""


class claim_index(nodes.General, nodes.Element):
    """Where the table of all claims goes."""


class ClaimRole(SphinxRole):
    def run(self):
        node = claim_reference(claim_id=self.text.strip())
        self.set_source_info(node)
        return [node], []


class ClaimIndexDirective(SphinxDirective):
    def run(self):
        self.env.metadata[self.env.docname]["claim_index"] = True
        return [claim_index()]


def _inline_statement(statement: str) -> list[nodes.Node]:
    parts = statement.split("`")
    return [nodes.literal(part, part) if i % 2 else nodes.Text(part) for i, part in enumerate(parts)]


def toctree_order(env) -> list[str]:
    order: list[str] = []

    def visit(docname: str) -> None:
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order


def _link(builder, fromdocname: str, claim_id: str, claim: dict, *children) -> nodes.reference:
    uri = builder.get_relative_uri(fromdocname, claim["docname"]) + f"#claim-{claim_id}"
    return nodes.reference("", "", *children, refuri=uri, internal=True, classes=["claim-link"])


class ResolveClaims(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs) -> None:
        claims = _claims(self.env)
        for node in list(self.document.findall(claim_reference)):
            claim_id = node["claim_id"]
            if claim_id not in claims:
                logger.warning(f"unknown claim {claim_id!r}: no executed cell proves it", location=node)
                node.replace_self(nodes.literal(claim_id, claim_id))
                continue
            label = nodes.literal(f"✔ {claim_id}", f"✔ {claim_id}")
            node.replace_self(_link(self.app.builder, self.env.docname, claim_id, claims[claim_id], label))
        for node in list(self.document.findall(claim_index)):
            node.replace_self(self.claim_table(claims, node))

    def claim_table(self, proved: dict[str, dict], placeholder) -> nodes.table:
        claims = {}
        for claim_id, registered in registered_claims().items():
            if claim_id not in proved:
                logger.warning(f"claim {claim_id} is registered but no executed cell proved it", location=placeholder)
            unproved = {"docname": None, "statement": registered.statement, "status": "not proved", "cell": None}
            claims[claim_id] = proved.get(claim_id, unproved)
        order = {name: i for i, name in enumerate(toctree_order(self.env))}
        headers = ("Claim", "Statement", "Proved in", "Status")
        table = nodes.table(classes=["claim-index"])
        group = nodes.tgroup(cols=len(headers))
        table += group
        group += [nodes.colspec(colwidth=width) for width in (20, 50, 20, 10)]
        group += nodes.thead("", nodes.row("", *[nodes.entry("", nodes.paragraph(text=h)) for h in headers]))
        body = nodes.tbody()
        group += body
        ranked = sorted(
            claims.items(), key=lambda item: (order.get(item[1]["docname"], len(order)), item[1]["cell"] or 0)
        )
        for claim_id, claim in ranked:
            if claim["docname"] is None:
                identifier, where = nodes.literal(claim_id, claim_id), nodes.Text("nowhere")
            else:
                title = self.env.titles[claim["docname"]].astext()
                link = _link(self.app.builder, self.env.docname, claim_id, claim, nodes.literal(claim_id, claim_id))
                identifier, where = link, _link(self.app.builder, self.env.docname, claim_id, claim, nodes.Text(f"{title}, cell {claim['cell']}"))
            status = claim["status"]
            cells = (
                nodes.paragraph("", "", identifier),
                nodes.paragraph("", "", *_inline_statement(claim["statement"])),
                nodes.paragraph("", "", where),
                nodes.paragraph("", "", nodes.inline(status, status, classes=[f"claim-status-{status.replace(' ', '-')}"])),
            )
            body += nodes.row("", *[nodes.entry("", cell) for cell in cells])
        return table


def pages_with_index(app, env) -> list[str]:
    return [name for name, meta in env.metadata.items() if meta.get("claim_index")]


def setup(app):
    app.add_node(claim_reference)
    app.add_node(claim_index)
    app.add_role("claim", ClaimRole())
    app.add_directive("claim-index", ClaimIndexDirective)
    app.add_post_transform(ResolveClaims)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_claims)
    app.connect("env-merge-info", merge_claims)
    app.connect("env-updated", pages_with_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}

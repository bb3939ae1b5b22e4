"""How a claim's output becomes part of the page: a MyST-NB mime renderer.

A cell that proves a claim leaves it in its output as data (the MIME type
``keras_guide.claims.CLAIM_MIME``: ID, statement, observed value). This plugin,
registered in pyproject.toml under ``myst_nb.mime_renderers``, makes that data
the output MyST-NB renders, and turns it into a container that keeps the data
as attributes: the Sphinx extension ``claim_index`` collects those into the
Claims page, and the badge readers see is drawn from them.
"""

from __future__ import annotations

from docutils import nodes

from keras_guide.claims import CLAIM_MIME


def inline_code(text: str) -> list[nodes.Node]:
    """Text with `backticked` parts as code."""
    parts = text.split("`")
    return [
        nodes.literal(part, part) if i % 2 else nodes.Text(part)
        for i, part in enumerate(parts)
    ]


def claim_badge(claim_id: str, statement: str, observed: str) -> nodes.container:
    badge = nodes.inline("", f"✔ {claim_id}", classes=["claim-badge"])
    text = nodes.inline("", "", *inline_code(statement), classes=["claim-statement"])
    evidence = nodes.inline(
        "",
        "observed: ",
        nodes.literal(observed, observed),
        classes=["claim-evidence"],
    )
    paragraph = nodes.paragraph("", "", badge, nodes.Text(" "), text)
    paragraph += [nodes.Text(" "), evidence]
    return nodes.container(
        "",
        paragraph,
        classes=["claim"],
        ids=[f"claim-{claim_id}"],
        claim_id=claim_id,
        statement=statement,
        observed=observed,
    )


class ClaimOutput:
    """Render the claim data that ``keras_guide.claims.claim`` displays."""

    # Chosen over the text/plain that the same output carries, for every builder.
    mime_priority_overrides = [("*", CLAIM_MIME, 1)]

    @staticmethod
    def handle_mime(renderer, data, inline: bool) -> list[nodes.Element] | None:
        if data.mime_type != CLAIM_MIME or inline:
            return None
        claim = data.content
        return [claim_badge(claim["id"], claim["statement"], claim["observed"])]

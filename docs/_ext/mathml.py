"""Render math to MathML when the site is built, instead of loading MathJax.

Browsers draw MathML themselves, so a page with formulas needs no script and
makes no request for one: the site works offline and tells no CDN who reads it.
The LaTeX stays in the ``alttext`` attribute, for tools that read text.
"""

from __future__ import annotations

from html import escape

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util.math import get_node_equation_number


def mathml(latex: str, display: str) -> str:
    attributes = f'alttext="{escape(latex)}"'
    if display == "block":
        # A wide formula scrolls sideways on a narrow screen; the keyboard must
        # reach it too.
        attributes += ' tabindex="0"'
    return convert(latex, display=display).replace("<math ", f"<math {attributes} ", 1)


def visit_math(self, node) -> None:
    self.body.append(mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def visit_math_block(self, node) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node["number"]:
        self.body.append(
            f'<span class="eqno">({get_node_equation_number(self, node)})</span>'
        )
    self.body.append(mathml(node.astext(), "block"))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}

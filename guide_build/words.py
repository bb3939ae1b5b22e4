"""The prose budget: how many words of prose each content page holds.

Prose is what a reader reads between the cells: paragraphs, lists, headings,
notes and tab contents. Not counted: the front matter, code (cells, fenced
blocks, directives' options), tables, and the claim marks, which render as ✔.
Which budget a page's prose counts against is set by its kind
(``guide_build.pages``): the pages about this build count against none.

    python -m guide_build.words            # words per page, and the totals
"""

from __future__ import annotations

import re
import sys

from guide_build.pages import DOCS, pages_of

# The words of every page whose kind counts against the lessons' budget,
# together, and of each chapter, alone.
BUDGETS = {"lessons": 7000, "chapter": 700}

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
CLAIM = re.compile(r"\(?\{claim\}`[^`]*`(?:,\s*\{claim\}`[^`]*`)*\)?")
ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
TARGET = re.compile(r"^\([\w-]+\)=\s*$", re.M)
OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
COLON_FENCE = re.compile(r"^:{3,}.*$", re.M)
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

# How prose names Keras 3 releases: "Keras 3.4", "Keras 3.0 to 3.15", "Keras 3.6
# and 3.7", "since Keras 3.6", "Keras 3.2 and later" ("since" and "and later"
# include the next Keras), and "except 3.7 to 3.12" after one of them.
RELEASES = re.compile(
    r"(?P<since>[Ss]ince |[Ff]rom )?Keras 3\.(?P<first>\d+)(?:\.\d+)?"
    r"(?: (?P<join>to|and) 3\.(?P<last>\d+)(?:\.\d+)?)?(?P<later> and later)?"
)
EXCEPT = re.compile(
    r"[Ee]xcept (?:on )?(?:Keras )?3\.(?P<first>\d+)"
    r"(?: (?P<join>to|and) 3\.(?P<last>\d+))?"
)


# Directives whose body is code or generated content, not prose.
NOT_PROSE = {
    "code-cell",
    "code-block",
    "code",
    "literalinclude",
    "glue",
    "toctree",
    "page-toctree",
}


def _without_code_blocks(text: str) -> str:
    """Drop backtick-fenced blocks of code or generated content; keep the body of
    prose directives (glossary, notes, margins), less their fence lines."""
    kept, fence, skipping = [], None, False
    for line in text.splitlines():
        opening = re.match(r"^\s*(`{3,})\s*(?:\{([\w:-]+)\})?\s*(\S*)", line)
        if fence is None and opening:
            fence = opening.group(1)
            directive = opening.group(2)
            skipping = directive is None or directive in NOT_PROSE
            continue
        if fence is not None and line.strip() == fence:
            fence = None
            continue
        if fence is None or not skipping:
            kept.append(line)
    return "\n".join(kept)


def prose(markdown: str) -> str:
    """The prose of a MyST page, as plain text.

    >>> prose("# Title\\n\\n```{code-cell}\\nx = 1\\n```\\nIt holds ({claim}`A-B`).")
    '# Title\\n\\nIt holds .'
    >>> prose("| a | b |\\n:::{note}\\nRead [this](x.md).\\n:::\\n")
    '\\n\\nRead this.\\n'
    >>> prose("```{glossary}\\nterm\\n  Its meaning.\\n```")
    'term\\n  Its meaning.'
    """
    text = FRONT_MATTER.sub("", markdown)
    text = _without_code_blocks(text)
    text = TABLE_ROW.sub("", text)
    text = COLON_FENCE.sub("", text)
    text = OPTION.sub("", text)
    text = TARGET.sub("", text)
    text = CLAIM.sub("", text)
    text = ROLE.sub(r"\1", text)
    return LINK.sub(r"\1", text)


def word_count(markdown: str) -> int:
    """Words of prose: runs of letters or digits, backticked names count as one.

    >>> word_count("`base_model(x, training=False)` does not survive `fit()`.")
    5
    """
    text = re.sub(r"`[^`]*`", "code", prose(markdown))
    return len(re.findall(r"[\w'’-]+", text))


def counts(budget: str) -> dict[str, int]:
    """The words of each page that counts against a budget."""
    return {
        page: word_count((DOCS / f"{page}.md").read_text(encoding="utf-8"))
        for page in pages_of(budget=budget)
    }


def main() -> int:
    lessons, chapters = counts("lessons"), counts("chapter")
    for page, count in lessons.items():
        print(f"{page:28} {count:6}")
    total = sum(lessons.values())
    print(f"{'total':28} {total:6}  (budget {BUDGETS['lessons']})")
    for page, count in chapters.items():
        print(f"{page:28} {count:6}  (budget {BUDGETS['chapter']})")
    over = total > BUDGETS["lessons"] or max(chapters.values()) > BUDGETS["chapter"]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

"""The guide's pages, in one table, and the pins of pyproject.toml.

A page is ``docs/<page>.md`` (prose), ``snippets/<page>.py`` (code, when it
executes; ``guide_build.sections`` reads it) and a row of ``PAGES``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

# What runs a page's code (the runner's digest reads it) lives apart from the
# table, so that a new row re-runs no page.
from guide_build.sections import (
    DOCS,
    ROOT,
    SNIPPETS,
    Section,
    executed_pages,
    read_sections,
    section_of,
    snippet_path,
)

__all__ = [
    "DOCS",
    "KINDS",
    "PAGES",
    "PARTS",
    "ROOT",
    "SNIPPETS",
    "Section",
    "executed_pages",
    "matrix_pages",
    "pages_of",
    "pinned",
    "read_sections",
    "section_of",
    "snippet_path",
]


@dataclass(frozen=True)
class Kind:
    """What a kind of page must do: the word budget its prose counts against
    (``None``: its prose is not counted) and whether it opens with what you will
    learn and what you need."""

    budget: str | None
    opening: bool


# The content pages the guide started with share one budget; a chapter added
# since has a budget of its own (guide_build.words).
KINDS = {
    "landing": Kind(budget="lessons", opening=False),  # it answers first
    "lesson": Kind(budget="lessons", opening=True),
    "chapter": Kind(budget="chapter", opening=True),
    "glossary": Kind(budget="lessons", opening=False),  # a list of terms
    "build": Kind(budget=None, opening=False),  # about this build: its results
}
# The parts of the navigation, in order, with their captions.
PARTS = {
    "learn": "Learn",
    "practice": "In practice",
    "reference": "Reference",
    "build": "About this build",
}


@dataclass(frozen=True)
class Page:
    name: str
    part: str | None  # its part of the navigation; None: the landing page
    kind: str
    prefix: str | None  # every claim it proves has an ID that starts PREFIX-
    # Proves its claims from the committed matrix, so the matrix does not run it.
    reads_matrix: bool = False
    # Trains models for minutes: the build starts executing it first.
    long: bool = False


# Every page, in the order of the navigation.
PAGES = {
    page.name: page
    for page in (
        Page("index", None, "landing", None),
        Page("faq", "learn", "lesson", "FAQ"),
        Page("check_your_model", "learn", "chapter", "CHECK"),
        Page("two_knobs", "learn", "lesson", "KNOBS"),
        Page("inside_batchnorm", "learn", "lesson", "BN"),
        Page("where_training_comes_from", "learn", "lesson", "SOURCE"),
        Page("trainable_in_depth", "learn", "lesson", "TRAINABLE"),
        Page("fine_tuning", "learn", "lesson", "FINETUNE", long=True),
        Page("applications", "practice", "chapter", "APPS", long=True),
        Page("feature_extraction", "practice", "chapter", "FEATURES"),
        Page("mixed_precision", "practice", "chapter", "MIXED"),
        Page("synchronized_batchnorm", "practice", "chapter", "SYNC"),
        Page("small_batches", "practice", "chapter", "SMALL"),
        Page("saving", "practice", "chapter", "SAVING"),
        Page("migration", "practice", "chapter", "MIGRATION", reads_matrix=True),
        Page("shared_layers", "practice", "chapter", "SHARED"),
        Page("keras_versions", "reference", "build", "VERSIONS", reads_matrix=True),
        Page("releases", "reference", "build", "RELEASES", reads_matrix=True),
        Page("pytorch", "reference", "lesson", "TORCH"),
        Page("glossary", "reference", "glossary", None),
        Page("claims", "build", "build", None),
        Page("status", "build", "build", None),
    )
}


def pages_of(*, part: str | None = None, budget: str | None = None) -> list[str]:
    """The pages of a part of the navigation, or whose prose counts against a
    budget, in the order of the table.

    >>> pages_of(part="build")
    ['claims', 'status']
    """
    return [
        page.name
        for page in PAGES.values()
        if (part is None or page.part == part)
        and (budget is None or KINDS[page.kind].budget == budget)
    ]


def matrix_pages() -> list[str]:
    """The pages whose claims the matrix runs: every page that proves claims,
    but those that prove them from the matrix's results."""
    return [
        page.name for page in PAGES.values() if page.prefix and not page.reads_matrix
    ]


def pinned(*extras: str, shared: bool = False) -> list[str]:
    """The pinned requirements of pyproject.toml's extras (and, with ``shared``,
    of every stack), an extra that names other extras replaced by theirs."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    requirements = list(project["dependencies"]) if shared else []
    for extra in extras:
        for requirement in project["optional-dependencies"][extra]:
            name, _, named = requirement.partition("[")
            if name == project["name"]:
                requirements += pinned(*named.rstrip("]").split(","))
            else:
                requirements.append(requirement)
    return requirements

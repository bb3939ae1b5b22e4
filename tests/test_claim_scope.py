"""A claim's statement is no wider than where the committed matrix shows it holds.

A statement that names no Keras version or backend speaks for every stack; one
that names some speaks for those. On every stack it speaks for, the claim must
hold, or be not applicable because the stack lacks the API (with the reason).
"Keras 3" includes the next Keras; "Keras 3.15" does not. The stacks are
those of the matrix and of the release sweep. A statement that names Keras 3
releases ("Keras 3.0 to 3.15", "since Keras 3.6", "except 3.7") names every
release where its claim holds.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from guide_build.pages import DOCS, PAGES
from guide_build.words import EXCEPT, FRONT_MATTER, RELEASES, _without_code_blocks
from keras_guide.matrix import keras_name, keras_release, load_results, release_key
from keras_guide.registry import all_claims
from keras_guide.stacks import BACKENDS, SITE_STACK, STACKS


@cache
def results() -> dict[str, dict]:
    """The committed results of every stack, the release sweep's included, read
    when a test needs them (a stack without results is reported by
    tests/test_stacks.py, not as an error of collection)."""
    return load_results(group=None)


def stacks_where(test) -> set[str]:
    return {stack for stack, result in results().items() if test(STACKS[stack], result)}


def release_of(result: dict) -> tuple[int, ...] | None:
    """A stack's Keras 3 release as numbers, or None for Keras 2 and the next Keras."""
    name = keras_name(result)
    return release_key(keras_release(result)) if name.startswith("Keras 3.") else None


def releases_named(match: re.Match) -> set[str]:
    """The stacks a release phrase speaks for."""
    first = (3, int(match["first"]))
    last = (3, int(match["last"])) if match["last"] else first
    open_ended = match.groupdict().get("later") or (
        match.groupdict().get("since") and not match["last"]
    )

    def named(stack, result) -> bool:
        release = release_of(result)
        if release is None:
            return bool(open_ended) and stack.keras == "keras-nightly"
        if open_ended:
            return release >= first
        if match["join"] == "and":
            return release in (first, last)
        return first <= release <= last

    return stacks_where(named)


def backends_named(statement: str) -> set[str]:
    """The stacks of the backends a statement names; every stack if it names none."""
    named = [
        stacks_where(lambda stack, _, key=key: stack.backend == key)
        for key, backend in BACKENDS.items()
        if backend.name in statement
    ]
    return set().union(*named) if named else set(results())


def stacks_named(statement: str) -> set[str]:
    """The stacks a statement speaks for: the Keras versions it names, on the
    backends it names; every stack for what it does not name.

    >>> sorted(stacks_named("On Keras 3.15 with TensorFlow, fit() ..."))
    ['colab-2026-tf', 'keras3-tf']
    >>> sorted(stacks_named("In Keras 3.13 to 3.14, a frozen layer ..."))
    ['keras3.13-tf', 'keras3.14-tf']
    >>> sorted(stacks_named("Since Keras 3.14, ..."))  # doctest: +NORMALIZE_WHITESPACE
    ['colab-2026-tf', 'keras-next-tf', 'keras3-jax', 'keras3-tf', 'keras3-torch',
     'keras3.14-tf']
    >>> sorted(stacks_named("On Keras 3.12 and later, except 3.13 to 3.15, ..."))
    ['keras-next-tf', 'keras3.12-tf']
    >>> "keras3.7-tf" in stacks_named("In Keras 3, a frozen layer ...")
    True
    >>> stacks_named("A new Dense layer has two weights.") == set(results())
    True
    """
    excepted = set().union(*(releases_named(m) for m in EXCEPT.finditer(statement)))
    text = EXCEPT.sub("", statement)
    keras = [releases_named(match) for match in RELEASES.finditer(text)]
    text = RELEASES.sub("", text)
    if re.search(r"Keras 2|tf-keras", text):
        keras.append(stacks_where(lambda stack, _: stack.keras == "tf-keras"))
    if re.search(r"the next Keras|keras-nightly", text):
        keras.append(stacks_where(lambda stack, _: stack.keras == "keras-nightly"))
    if re.search(r"Keras 3(?![.\d])", text):
        keras.append(stacks_where(lambda stack, _: stack.keras != "tf-keras"))
    named_keras = set().union(*keras) if keras else set(results())
    return (named_keras - excepted) & backends_named(statement)


def test_a_statement_names_the_versions_its_wording_needs():
    assert stacks_named("Keras 2 (tf-keras) and Keras 3.15 agree.") == {
        "colab-2026-tf",
        "keras2-tf",
        "keras3-tf",
        "keras3-jax",
        "keras3-torch",
    }
    assert stacks_named("Keras 3.15 on PyTorch ...") == {"keras3-torch"}
    assert stacks_named("On Keras 3.6 and 3.7, ...") == {"keras3.6-tf", "keras3.7-tf"}
    assert "colab-2025-tf" in stacks_named("From Keras 3.0 to 3.15, ...")


MATRIX_CLAIMS = {
    claim_id: claim
    for claim_id, claim in all_claims().items()
    if not PAGES[claim.page].reads_matrix
}


@pytest.mark.parametrize("claim_id", sorted(MATRIX_CLAIMS))
def test_a_statement_is_no_wider_than_where_its_claim_holds(claim_id):
    statement = MATRIX_CLAIMS[claim_id].statement
    wrong = {
        stack: outcome
        for stack in sorted(stacks_named(statement))
        if (outcome := results()[stack]["claims"][claim_id])["status"]
        not in ("holds", "not applicable")
    }
    assert not wrong, f"{statement!r} speaks for stacks where it does not hold"


@pytest.mark.parametrize("claim_id", sorted(MATRIX_CLAIMS))
def test_a_statement_that_names_releases_names_every_release_where_it_holds(claim_id):
    """A statement names some Keras 3 releases only because the others differ:
    "On Keras 3.15" is too narrow for a claim that holds on 3.0 to 3.15."""
    statement = MATRIX_CLAIMS[claim_id].statement
    if not RELEASES.search(statement):
        return
    keras3 = stacks_where(lambda stack, _: stack.keras != "tf-keras")
    keras3 &= backends_named(statement)
    unnamed = {
        stack
        for stack in keras3 - stacks_named(statement)
        if results()[stack]["claims"][claim_id]["status"] == "holds"
    }
    assert not unnamed, f"{statement!r} holds on {sorted(unnamed)} too: name them"


def test_no_claim_errors_and_every_not_applicable_says_why():
    for stack, result in results().items():
        for claim_id, outcome in result["claims"].items():
            assert outcome["status"] != "error", (stack, claim_id, outcome)
            if outcome["status"] == "not applicable":
                assert outcome["reason"], (stack, claim_id)


def test_every_keras_release_the_site_names_is_one_the_matrix_ran():
    ran = {keras_name(result) for result in load_results(group=None).values()}
    texts = [page.read_text(encoding="utf-8") for page in DOCS.glob("*.md")]
    texts += [claim.statement for claim in all_claims().values()]
    named = set(re.findall(r"Keras 3\.\d+", "\n".join(texts)))
    assert named and named <= ran


# A sentence's words of scope: a Keras, a backend, or every one of them.
SCOPE_WORDS = re.compile(
    r"Keras [23]|the next Keras|tf-keras|TensorFlow|JAX|PyTorch"
    r"|\b(?:every|all|any)\s+(?:Keras|versions?|releases?|backends?|stacks?)\b",
    re.I,
)
UNIVERSAL = re.compile(
    r"\b(?:every|all|any)\s+(?:Keras|versions?|releases?|backends?|stacks?)\b", re.I
)
CLAIM_MARK = re.compile(r"\{claim\}`([A-Z0-9-]+)`")


def sentences_with_marks(markdown: str) -> list[tuple[str, list[str]]]:
    """Each sentence of a page's prose that carries a claim mark, with the claims.

    >>> page = "# T\\n\\nOne {claim}`A-B`. Two.\\n\\n- Three {claim}`C-D`."
    >>> sentences_with_marks(page)
    [('One .', ['A-B']), ('Three .', ['C-D'])]
    """
    text = _without_code_blocks(FRONT_MATTER.sub("", markdown))
    found = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*] )", text):
        if block.lstrip().startswith("|"):
            continue  # a table's cells are not sentences
        flat = " ".join(block.split())
        for sentence in re.split(r"(?<=[.!?:])\s+(?=[A-Z`*])", flat):
            claims = CLAIM_MARK.findall(sentence)
            if claims:
                found.append((CLAIM_MARK.sub("", sentence).lstrip("-* "), claims))
    return found


SENTENCES = [
    pytest.param(sentence, claims, id=f"{page}:{sentence[:40]}")
    for page in PAGES
    for sentence, claims in sentences_with_marks(
        (DOCS / f"{page}.md").read_text(encoding="utf-8")
    )
    if SCOPE_WORDS.search(sentence)
]


@pytest.mark.parametrize(("sentence", "claims"), SENTENCES)
def test_a_sentence_is_no_wider_than_the_claims_it_links(sentence, claims):
    """A sentence that names a Keras, a backend, or every one of them, speaks for
    those stacks: each claim it links must hold there. A claim that reads the
    matrix proves only what it read, so it backs no "every version"."""
    stacks = stacks_named(sentence)
    for claim_id in claims:
        if claim_id not in results()[SITE_STACK]["claims"]:
            assert not UNIVERSAL.search(sentence), (
                f"{claim_id} reads the matrix; it cannot back {sentence!r}"
            )
            continue
        wrong = {
            stack
            for stack in stacks
            if results()[stack]["claims"][claim_id]["status"]
            not in ("holds", "not applicable")
        }
        assert not wrong, f"{sentence!r} speaks for {wrong}, where {claim_id} differs"


UNSCOPED = [
    pytest.param(sentence, claims, id=f"{page}:{sentence[:40]}")
    for page in PAGES
    for sentence, claims in sentences_with_marks(
        (DOCS / f"{page}.md").read_text(encoding="utf-8")
    )
    if not SCOPE_WORDS.search(sentence) and not RELEASES.search(sentence)
]


@pytest.mark.parametrize(("sentence", "claims"), UNSCOPED)
def test_a_sentence_that_names_no_keras_holds_on_every_stack(sentence, claims):
    """A sentence that names no Keras and no backend speaks for every stack:
    each claim it links that the matrix ran must hold on each of them."""
    for claim_id in claims:
        if claim_id not in results()[SITE_STACK]["claims"]:
            continue  # it reads the matrix
        wrong = sorted(
            stack
            for stack, result in results().items()
            if result["claims"][claim_id]["status"] not in ("holds", "not applicable")
        )
        assert not wrong, f"{sentence!r} names no Keras; {claim_id} differs on {wrong}"


def sentences_by_claim() -> dict[str, list[tuple[str, list[str]]]]:
    """For each claim, the sentences that link it and name a Keras or a backend."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for page in PAGES:
        markdown = (DOCS / f"{page}.md").read_text(encoding="utf-8")
        for sentence, claims in sentences_with_marks(markdown):
            if SCOPE_WORDS.search(sentence) or RELEASES.search(sentence):
                for claim_id in dict.fromkeys(claims):
                    found.setdefault(claim_id, []).append((sentence, claims))
    return found


SCOPED_BY_CLAIM = sentences_by_claim()


@pytest.mark.parametrize(
    "claim_id", sorted(key for key, found in SCOPED_BY_CLAIM.items() if len(found) > 1)
)
def test_two_sentences_give_a_claim_one_scope(claim_id):
    """A sentence that names Keras 3 releases says its claims hold there and not
    on the Keras 3 releases it leaves out, on the backends it speaks for. It
    leaves a stack out on purpose when a claim it links does not hold there.
    Two sentences that link one claim disagree when one leaves out, for no such
    reason, a stack where the claim holds, and the other names that stack:
    "On Keras 3.0 to 3.15, ..." beside "In Keras 3, ..." for a claim that holds
    on the next Keras too. A sentence that narrows by backend, or names Keras 2
    or the next Keras alone, leaves nothing out, so it may speak of a part. A
    sentence that names a stack where the claim differs is left to
    test_a_sentence_is_no_wider_than_the_claims_it_links."""
    if claim_id not in results()[SITE_STACK]["claims"]:
        return  # it reads the matrix

    def holds(claim: str, stack: str) -> bool:
        return results()[stack]["claims"][claim]["status"] == "holds"

    keras3 = stacks_where(lambda stack, _: stack.keras != "tf-keras")
    ran = results()[SITE_STACK]["claims"]
    sentences = SCOPED_BY_CLAIM[claim_id]
    for sentence, claims in sentences:
        if not RELEASES.search(sentence):
            continue
        left_out = {
            stack
            for stack in keras3 & backends_named(sentence) - stacks_named(sentence)
            if all(holds(claim, stack) for claim in claims if claim in ran)
        }
        for other, _ in sentences:
            named = sorted(stacks_named(other) & left_out)
            assert not named, (
                f"{sentence!r} leaves out {named}, where {other!r} says "
                f"{claim_id} holds"
            )

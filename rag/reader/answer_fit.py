"""Whether a short answer from elsewhere (an LLM's reading) is an answer of the asked type.

The extractive reader only ever answers with a span of the asked type; an LLM reader may answer a
"who" question with an agency ("UN") or a title ("The Border Guard Force spokesman"), or repeat the
question's own name. Named entities are recognised in the sentence the answer was copied from,
where spaCy sees them in context: alone, "Pia Oberoi." is no entity and "Jürgen Stock." an ORG.

1. `locate`: the answer's span in a cited passage sentence (whitespace and case aside), or none;
2. `answer_tokens`: spaCy's tokens of that span (or of the answer alone);
3. `fits_answer_type`: a count, a share or a sum of money as asked (spaCy's MONEY and PERCENT
   labels, a currency, "per cent"); an entity of the asked kind for
   people, organisations, places and dates (or proper nouns the small model left unlabelled);
   and, for every type, a word or figure the question lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Token

from rag.reader.answer_types import AnswerType
from rag.reader.extractors.entity import LABELS
from rag.reader.nlp import parse
from rag.support import fold, passage_sentences
from rag.text_features import CURRENCY, SHARE_WORDS, content_terms, numbers
from rag.types import Passage

FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_PER_CENT = re.compile(r"%|\bper ?cent\b", re.I)
ENTITY_LABELS: dict[AnswerType, frozenset[str]] = {**LABELS, AnswerType.DATE: frozenset({"DATE"})}
# The entity labels of each kind of answer (spaCy's OntoNotes labels).
KIND_LABELS: dict[AnswerType, frozenset[str]] = {
    **ENTITY_LABELS,
    AnswerType.COUNT: frozenset({"CARDINAL", "QUANTITY"}),
    AnswerType.MONEY: frozenset({"MONEY"}),
    AnswerType.SHARE: frozenset({"PERCENT"}),
}
FIGURE_TYPES = frozenset({AnswerType.COUNT, AnswerType.SHARE, AnswerType.MONEY})


def locate(answer: str, passages: Sequence[Passage]) -> tuple[str, int, int] | None:
    """(sentence, start, end): the first passage sentence holding the answer, and where in it."""
    wanted = fold(answer)
    if not wanted:
        return None
    for passage in passages:
        for sentence, _, _ in passage_sentences(passage):
            flat = " ".join(sentence.split())
            at = fold(flat).find(wanted)  # same length as `flat`: it is already one-spaced
            if at >= 0:
                return flat, at, at + len(wanted)
    return None


def answer_tokens(answer: str, passages: Sequence[Passage]) -> list[Token]:
    """spaCy's tokens of the answer, parsed in the sentence it was copied from where it was found."""
    found = locate(answer, passages)
    if found is None:
        return list(parse([answer])[0])
    sentence, start, end = found
    return [t for t in parse([sentence])[0] if t.idx < end and t.idx + len(t) > start]


def _names(tokens: Sequence[Token], not_labelled: frozenset[str]) -> int:
    """Proper nouns without one of these entity labels (the small model misses or mislabels many
    Asian names: in one sentence "Pia Oberoi" is a GPE)."""
    return sum(1 for t in tokens if t.pos_ == "PROPN" and t.ent_type_ not in not_labelled)


def _figure_of_kind(answer_type: AnswerType, answer: str, tokens: Sequence[Token], labels: set[str]) -> bool:
    """A sum of money for "how much", a share for "what share", a count otherwise: a figure the
    recogniser labels as money, a per cent or a date is no count."""
    words = any(t.like_num for t in tokens) or bool(numbers(answer))
    if answer_type is AnswerType.MONEY:
        return (words or "MONEY" in labels) and ("MONEY" in labels or bool(CURRENCY.search(answer)))
    if answer_type is AnswerType.SHARE:
        return "PERCENT" in labels or bool(SHARE_WORDS.search(answer))
    if "MONEY" in labels or "PERCENT" in labels or CURRENCY.search(answer) or _PER_CENT.search(answer):
        return False
    figures = [t for t in tokens if t.like_num or t.ent_type_ in FIGURE_LABELS]
    return bool(figures) and not all(t.ent_type_ in ("DATE", "TIME") for t in figures)


def fits_answer_type(answer_type: AnswerType, question: str, answer: str, passages: Sequence[Passage]) -> bool:
    """Whether `answer` (no citation markers) answers a question of `answer_type` at all; not whether
    it is right. `passages` are those the answer cites."""
    if not (content_terms(answer) - content_terms(question)) and not (numbers(answer) - numbers(question)):
        return False  # "Who is John Wojcik?" -> "John Wojcik"
    if answer_type not in FIGURE_TYPES and answer_type not in ENTITY_LABELS:
        return True
    tokens = answer_tokens(answer, passages)
    labels = {t.ent_type_ for t in tokens}
    if answer_type in FIGURE_TYPES:
        return _figure_of_kind(answer_type, answer, tokens, labels)
    if labels & ENTITY_LABELS[answer_type]:
        return True
    if answer_type is AnswerType.PERSON:
        return _names(tokens, frozenset({"ORG", "NORP", "DATE"})) >= 2  # a given name and a family name
    if answer_type is AnswerType.DATE:
        return any(t.like_num for t in tokens)
    # An organisation or place the model did not label: a proper noun not labelled as something else.
    return _names(tokens, frozenset({"PERSON", "DATE", "NORP"})) >= 1

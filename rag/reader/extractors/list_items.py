"""Lists: places or nationalities collected across passages, or a coordinated phrase
("romance scams, cryptocurrency fraud and illegal gambling"), each part cited where found."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited, join_items
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.nlp import parse
from rag.reader.question import ORGANISATION_NOUNS, PERSON_NOUNS, PLACE_NOUNS, QuestionAnalysis
from rag.types import Passage

_ENTITY_LISTS: list[tuple[frozenset[str], frozenset[str]]] = [
    (PLACE_NOUNS | {"nationality", "nation"}, frozenset({"GPE", "LOC", "NORP"})),
    (PERSON_NOUNS, frozenset({"PERSON"})),
    (ORGANISATION_NOUNS, frozenset({"ORG"})),
]


def _entity_labels(analysis: QuestionAnalysis) -> frozenset[str] | None:
    for nouns, labels in _ENTITY_LISTS:
        if analysis.focus in nouns:
            return labels
    return None


def _coordination(doc: Doc) -> Span | None:
    """The longest coordinated phrase of the sentence ("a, b and c"), if any."""
    best: tuple[int, Span] | None = None
    for token in doc:
        conjuncts = [t for t in token.conjuncts if t.i > token.i]
        if token.dep_ == "conj" or not conjuncts or token.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB"):
            continue
        last: Token = max(conjuncts, key=lambda t: t.i)
        start = token.left_edge.i
        while start < token.i and doc[start].pos_ in ("DET", "ADP", "PUNCT", "CCONJ"):
            start += 1
        span = doc[start : last.right_edge.i + 1]
        if len(span) > 40:
            continue
        size = len(conjuncts) + 1
        if best is None or size > best[0]:
            best = (size, span)
    return best[1] if best else None


class ListExtractor:
    answer_types = frozenset({AnswerType.LIST})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        top = [c for c in near_top(candidates, 0.1, limit=6) if anchored(analysis, c)]
        if not top:
            return None
        labels = _entity_labels(analysis)
        if labels is not None:
            by_passage: dict[int, list[str]] = {}
            seen: set[str] = set()
            for candidate in top:
                for ent in parse([candidate.text])[0].ents:
                    name = ent.text.strip(" ,.")
                    if ent.label_ in labels and not in_question(analysis, ent) and name.lower() not in seen:
                        seen.add(name.lower())
                        by_passage.setdefault(candidate.passage_no, []).append(name)
            if by_passage:
                text = " ".join(cited(join_items(items), [no]) for no, items in by_passage.items())
                return Reading(text, AnswerType.LIST)
        for candidate in top[:3]:
            span = _coordination(parse([candidate.text])[0])
            if span is not None and not in_question(analysis, span):
                return Reading(cited(span.text.strip(" ,;:"), [candidate.passage_no]), AnswerType.LIST)
        return None

"""Answers that are sentences: reasons and processes, definitions, quotes, trends, the rest.

Why/how answers may take two or three sentences; a quote answer is the sentence where the named
person's words are; a trend answer puts dated figures side by side, oldest source first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top
from rag.reader.question import QuestionAnalysis
from rag.text_features import content_terms, numbers
from rag.types import Passage

_CAUSE = re.compile(r"\b(because|due to|as a result|owing to|after|since|amid|led to|so that|driven by|reason|caused?)\b", re.I)
_QUOTE_MARK = re.compile(r"[“”\"]")
_DIGIT = re.compile(r"\d")
_DEFINES = re.compile(r"\b(is|are|was|were|means|refers to|known as|describes?)\b|\(|,\s*(a|an|the)\b", re.I)


def is_why(analysis: QuestionAnalysis) -> bool:
    return bool(re.match(r"^\W*why\b", analysis.text, re.I))


def gives_cause(text: str) -> bool:
    return bool(_CAUSE.search(text))


def _distinct(chosen: list[SentenceCandidate], candidate: SentenceCandidate) -> bool:
    """Not a near repeat of a chosen sentence (other words or other figures)."""
    terms = content_terms(candidate.text)
    figures = numbers(candidate.text)
    return all(len(terms ^ content_terms(c.text)) > 2 or figures != numbers(c.text) for c in chosen)


def _pick(candidates: Sequence[SentenceCandidate], count: int, margin: float) -> list[SentenceCandidate]:
    chosen: list[SentenceCandidate] = []
    for candidate in near_top(candidates, margin, limit=10):
        if len(chosen) == count:
            break
        if len(candidate.text.split()) >= 4 and _distinct(chosen, candidate):
            chosen.append(candidate)
    return chosen


def _answer(chosen: Sequence[SentenceCandidate], kind: AnswerType, typed: bool) -> Reading | None:
    if not chosen:
        return None
    return Reading(" ".join(cited(c.text, [c.passage_no]) for c in chosen), kind, typed=typed)


class SentenceExtractor:
    answer_types = frozenset(
        {AnswerType.REASON, AnswerType.DEFINITION, AnswerType.STATEMENT, AnswerType.QUOTE, AnswerType.TREND}
    )

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        pool = [c for c in candidates if anchored(analysis, c)]
        if not pool:
            return None
        kind = analysis.answer_type
        if kind is AnswerType.QUOTE:
            quoted = [c for c in near_top(pool, 0.15) if _QUOTE_MARK.search(c.text)]
            return _answer(quoted[:1] or _pick(pool, 1, 0.1), kind, typed=bool(quoted))
        if kind is AnswerType.TREND:
            dated = [c for c in near_top(pool, 0.15) if _DIGIT.search(c.text)]
            chosen = _pick(dated, 3, 0.15)
            chosen.sort(key=lambda c: c.passage.date or "")
            if chosen:
                return _answer(chosen, kind, typed=True)
            return _answer(_pick(pool, 1, 0.1), kind, typed=False)  # a change told in words
        if kind is AnswerType.REASON and is_why(analysis):
            causal = [c for c in near_top(pool, 0.2) if _CAUSE.search(c.text)]
            if causal:
                return _answer(_pick(causal, 2, 0.2), kind, typed=True)
        if kind is AnswerType.DEFINITION:
            # The sentence must name the thing asked about ("what is neak oknha?" needs "neak oknha").
            subject = content_terms(re.sub(r"^\W*what (is|are|was|were|does) (a |an |the )?|\bmean\b|\?", "", analysis.text, flags=re.I))
            pool = [c for c in pool if subject <= content_terms(f"{c.previous} {c.text}")]
            if not pool:
                return None
            defining = [c for c in near_top(pool, 0.1) if _DEFINES.search(c.text)]
            return _answer(_pick(defining or pool, 1, 0.1), kind, typed=bool(defining))
        count = 2 if kind is AnswerType.REASON else 1
        return _answer(_pick(pool, count, 0.1), kind, typed=False)

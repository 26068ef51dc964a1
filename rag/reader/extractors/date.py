"""Dates and periods: spaCy DATE entities, the most specific one the question allows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis
from rag.types import Passage

_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def _specificity(text: str) -> int:
    return bool(re.search(r"\b\d{1,2}\b", _YEAR.sub("", text))) + bool(_MONTH.search(text)) + bool(_YEAR.search(text))


def _allowed(text: str, question: str) -> bool:
    if re.search(r"\bday of the week\b", question, re.I):
        return bool(_WEEKDAY.search(text))
    if re.search(r"\b(what|which|in what) year\b", question, re.I):
        return bool(_YEAR.search(text))
    return bool(_MONTH.search(text) or _YEAR.search(text) or _WEEKDAY.search(text))


def _of_an_event(ent: Span) -> bool:
    """The date is the object of a preposition ("issued *on Tuesday*"), not a bare dateline or the
    day something was said ("Wednesday The report...", "police said Wednesday")."""
    return ent.root.dep_ == "pobj" and ent.root.head.lower_ in ("on", "in", "since", "until", "by", "from", "during")


class DateExtractor:
    answer_types = frozenset({AnswerType.DATE})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        for candidate in near_top(candidates, 0.3, limit=10):
            if not anchored(analysis, candidate):
                continue
            dates = [
                e
                for e in parse([candidate.text])[0].ents
                if e.label_ == "DATE" and _allowed(e.text, analysis.text) and not in_question(analysis, e)
            ]
            if dates:
                best = max(dates, key=lambda e: (_specificity(e.text), _of_an_event(e)))
                return Reading(cited(best.text, [candidate.passage_no]), AnswerType.DATE)
        return None

"""Dates and periods: whether a best sentence gives a spaCy DATE entity the question allows (a
time to come for "when will"); the span model reads which date it is (`span_reading.py`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top
from rag.reader.nlp import governing_verb, has_lemma, parse
from rag.reader.question import QuestionAnalysis
from rag.types import Passage


def _tells_the_future(text: str) -> bool:
    """ "When *will* the demolition be finished?", "it will be finished by March": a time to come."""
    return any(t.tag_ == "MD" and t.lemma_.lower() == "will" for t in parse([text])[0])


def _of_a_past_act(ent: Span) -> bool:
    """The date tells when something was done ("in December he *travelled*"): no answer to "when will"."""
    verb = governing_verb(ent)
    return verb is not None and verb.tag_ == "VBD"


def _starts_a_period(ent: Span) -> bool:
    """ "*since* 2018": when a state began (held, under sanctions), not when something happened."""
    return ent.root.dep_ == "pobj" and ent.root.head.lower_ == "since"


def _tells_the_act(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The sentence (or the one before) tells of the asked act, as verb or noun ("*lifted*" the
    sanctions; "*arrested*" and "*arrests*")."""
    act = analysis.asked_act
    return act is not None and has_lemma([candidate.previous, candidate.text], act, pos=("VERB", "NOUN"))


_ASKED_PREPOSITION = re.compile(r"^\W*(since|by|until|till|from|before|after)\s+(when|what|which)\b", re.I)


def asked_preposition(question: str) -> str | None:
    """ "*Since* when ...", "*By* what date ...": the question asks for the date of that preposition."""
    found = _ASKED_PREPOSITION.search(question)
    return found.group(1).lower() if found else None


class DateExtractor:
    answer_types = frozenset({AnswerType.DATE})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        future = _tells_the_future(analysis.text)
        preposition = asked_preposition(analysis.text)
        for candidate in near_top(candidates, 0.3, limit=10):
            if not anchored(analysis, candidate):
                continue
            date = next(
                (
                    e
                    for e in parse([candidate.text])[0].ents
                    if e.label_ == "DATE"
                    and not (_starts_a_period(e) and preposition != "since" and not _tells_the_act(analysis, candidate))
                    and not (future and _of_a_past_act(e))
                ),
                None,
            )
            if date is not None:
                return Reading(cited(date.text, [candidate.passage_no]), AnswerType.DATE)
        return None

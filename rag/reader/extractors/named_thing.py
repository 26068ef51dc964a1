"""Names of things: "what is it called", "which law", "the name of the compound".

Whether a best sentence gives a name the question does not already name: a quoted one or a
proper-noun entity (law, work, facility, product, organisation, event). The span model reads
which name it is (`span_reading.py`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis
from rag.types import Passage

_LABELS = frozenset({"LAW", "WORK_OF_ART", "FAC", "PRODUCT", "ORG", "EVENT", "GPE", "NORP"})
# Double quotes, or single quotes that stand at word edges (not apostrophes: "victim's ... Park's").
# Markdown emphasis (*Title*, _Title_) marks a title as quotes do.
_QUOTED = re.compile(
    r"[“\"]([^”\"]{3,80})[”\"]|(?<!\w)[‘']([^’']{3,80})[’'](?!\w)|(?<![\w*])[*_]{1,2}([^*_]{3,160}?)[*_]{1,2}(?![\w*])"
)


def _names(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> list[str]:
    text = candidate.text
    found = [
        (m.group(1) or m.group(2) or m.group(3)).strip(" ,.")
        for m in _QUOTED.finditer(text)
        if len((m.group(1) or m.group(2) or m.group(3)).split()) <= (20 if m.group(3) else 10)
    ]
    doc = parse([text])[0]
    found += [e.text.strip(" ,.") for e in doc.ents if e.label_ in _LABELS]
    return [name for name in found if not in_question(analysis, name)]


class NamedThingExtractor:
    answer_types = frozenset({AnswerType.NAMED_THING})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        for candidate in near_top(candidates, 0.15, limit=8):
            names = _names(analysis, candidate) if anchored(analysis, candidate) else []
            if names:
                return Reading(cited(names[0], [candidate.passage_no]), AnswerType.NAMED_THING)
        return None

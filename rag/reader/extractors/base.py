"""The extractor interface: one answer type (or a few close ones) per extractor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Span

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.question import QuestionAnalysis
from rag.text_features import mentions
from rag.types import Passage


@dataclass(frozen=True)
class Reading:
    """An answer with [n] markers (n: 1-based passage numbers), and how it was found."""

    text: str
    answer_type: AnswerType
    typed: bool = True  # False: whole sentences, no span of the asked type was found


class Extractor(Protocol):
    answer_types: frozenset[AnswerType]

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        """The answer from the ranked candidate sentences, or None when they hold no answer of this type."""
        ...


def scope_names(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> list[str]:
    """The question's names that set the answer's place ("in Myanmar", "held at <compound X>"): not
    its source, not the counted noun itself ("how many *Indonesians*"), not a time."""
    return [
        n
        for n in analysis.scope_names
        if n not in analysis.source_names
        and n not in analysis.loose_names
        and n.lower() != (analysis.focus or "")
        and not candidate.names_source(n)
    ]


def in_passage(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The question's times are in the candidate's passage, title or date."""
    passage = candidate.passage
    return all(candidate.dated_in(n) or mentions(f"{passage.text} {passage.title}", n) for n in analysis.loose_names)


def anchored(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The question's place names are in the sentence, the one before, or the article's title, and
    its times in the passage (names of the source need only be in the passage, which the reader
    checked)."""
    return all(candidate.about(name) for name in scope_names(analysis, candidate)) and in_passage(analysis, candidate)


def near_top(candidates: Sequence[SentenceCandidate], margin: float, limit: int = 12) -> list[SentenceCandidate]:
    """The best candidates: within `margin` of the top score, at most `limit`."""
    if not candidates:
        return []
    top = candidates[0].score
    return [c for c in candidates[:limit] if c.score >= top - margin]


def in_question(analysis: QuestionAnalysis, span: Span | str) -> bool:
    """The span names something the question already names (not an answer to it)."""
    text = span if isinstance(span, str) else span.text
    words = [w for w in text.replace("’s", "").replace("'s", "").split() if w[:1].isalnum()]
    core = [w for w in words if w.lower() not in ("the", "a", "an", "of", "and")]
    return bool(core) and all(mentions(analysis.text, w) for w in core)

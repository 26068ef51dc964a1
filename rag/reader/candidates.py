"""Passage sentences ranked for a question: embedding similarity plus coverage of its key terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.reader.question import QuestionAnalysis
from rag.support import SentenceEncoder, passage_sentences
from rag.text_features import content_terms, mentions
from rag.types import Passage


@dataclass(frozen=True)
class SentenceCandidate:
    passage_no: int  # 1-based, as [n] markers count
    text: str  # whitespace normalised (hard-wrapped sources keep their line breaks in the passage)
    score: float
    coverage: float  # share of the question's key terms the sentence has
    previous: str  # the sentence before it in the passage ("" for the first)
    passage: Passage

    def names_source(self, name: str) -> bool:
        """`name` is who published this article (its outlet or author), not what the sentence is about."""
        return mentions(f"{self.passage.outlet or ''} {self.passage.author or ''}", name)

    def dated_in(self, name: str) -> bool:
        """`name` is a year and the article is dated in it (the events it reports)."""
        return name.isdigit() and (self.passage.date or "").startswith(name)

    def about(self, name: str) -> bool:
        """Whether this sentence, the one before it, its article's title or outlet mention `name`
        (a year: or the article's date is in that year)."""
        if self.dated_in(name):
            return True
        return mentions(f"{self.text} {self.previous} {self.passage.title} {self.passage.outlet or ''}", name)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rank_sentences(
    analysis: QuestionAnalysis, passages: Sequence[Passage], encoder: SentenceEncoder
) -> list[SentenceCandidate]:
    """Every sentence of the passages, best first."""
    rows: list[tuple[int, str, str, Passage]] = []
    for no, passage in enumerate(passages, start=1):
        previous = ""
        for text, _, _ in passage_sentences(passage):
            clean = squash(text)
            rows.append((no, clean, previous, passage))
            previous = clean
    if not rows:
        return []
    vectors = encoder.encode([analysis.ranking_text or analysis.text] + [text for _, text, _, _ in rows])
    cosines = vectors[1:] @ vectors[0]
    ranked = []
    for (no, text, previous, passage), cosine in zip(rows, cosines, strict=True):
        terms = content_terms(text)
        coverage = len(analysis.terms & terms) / len(analysis.terms) if analysis.terms else 0.0
        ranked.append(SentenceCandidate(no, text, 0.6 * float(cosine) + 0.4 * coverage, coverage, previous, passage))
    return sorted(ranked, key=lambda c: -c.score)

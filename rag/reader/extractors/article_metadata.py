"""Questions about the articles themselves: who wrote one, which outlet, when, which articles say X.

The article meant is the one whose sentences and title best match the question; the answer
comes from its metadata and cites it (the citation's quote is the article's metadata line)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, near_top
from rag.reader.question import QuestionAnalysis
from rag.text_features import content_terms
from rag.types import Passage, human_date

MIN_ARTICLE_SCORE = 0.35
_AUTHOR = re.compile(r"\bwho (wrote|authored|penned)\b|\bauthor\b|\bbyline\b", re.I)
_OUTLET = re.compile(r"\b(outlet|publication|newspaper|site|website|media|news ?site)s?\b", re.I)
_DATE = re.compile(r"\bwhen\b|\b(what|which) (date|day)\b", re.I)
_SOURCES = re.compile(r"\b(which|what) (articles?|sources?|stories|pieces)\b", re.I)


def _article_scores(analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate]) -> dict[int, float]:
    """Best sentence score per passage plus how much of the question its title covers."""
    scores: dict[int, float] = {}
    for c in candidates:
        title_terms = content_terms(f"{c.passage.title} {c.passage.outlet or ''}")
        title = len(analysis.terms & title_terms) / len(analysis.terms) if analysis.terms else 0.0
        scores[c.passage_no] = max(scores.get(c.passage_no, 0.0), c.score + 0.3 * title)
    return scores


class ArticleMetadataExtractor:
    answer_types = frozenset({AnswerType.METADATA})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        if not candidates:
            return None
        if _SOURCES.search(analysis.text):
            return self._sources(candidates)
        scores = _article_scores(analysis, candidates)
        no = max(scores, key=lambda n: scores[n])
        if scores[no] < MIN_ARTICLE_SCORE:
            return None  # no article matches the one the question describes
        passage = passages[no - 1]
        if _AUTHOR.search(analysis.text):
            value = passage.author
        elif _OUTLET.search(analysis.text):
            value = passage.outlet
        elif _DATE.search(analysis.text):
            value = f"{human_date(passage.date)}{' (estimated)' if passage.date_estimated else ''}" if passage.date else None
        else:
            value = None
        if not value:
            return None  # the article does not record it: the answer is a refusal, not a guess
        return Reading(cited(value, [no]), AnswerType.METADATA)

    def _sources(self, candidates: Sequence[SentenceCandidate]) -> Reading | None:
        """Each article with a sentence close to the best one, with its title, outlet and date."""
        shown: dict[str, str] = {}
        for c in near_top(candidates, 0.1, limit=12):
            if c.coverage < 0.5 or c.passage.doc_id in shown:
                continue
            p = c.passage
            when = f", dated {human_date(p.date)}{' (estimated)' if p.date_estimated else ''}" if p.date else ""
            shown[p.doc_id] = cited(f"{p.title}{f', published by {p.outlet}' if p.outlet else ''}{when}", [c.passage_no])
        return Reading(" ".join(shown.values()), AnswerType.METADATA) if shown else None

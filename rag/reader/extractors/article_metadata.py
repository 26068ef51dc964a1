"""Questions about the articles themselves: who wrote one, which outlet, when, which articles say X.

The article meant is the one whose sentences and title best match the question; the answer
comes from its metadata and cites it (the citation's quote is the article's metadata line)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top
from rag.reader.question import QuestionAnalysis
from rag.text_features import content_terms
from rag.types import Passage, human_date

MIN_ARTICLE_SCORE = 0.35
TITLE_WEIGHT = 0.6  # a title or outlet that covers the whole description scores 0.6
_AUTHOR = re.compile(r"\bwho (wrote|authored|penned)\b|\bauthor\b|\bbyline\b", re.I)
_OUTLET = re.compile(r"\b(outlet|publication|newspaper|site|website|media|news ?site)s?\b", re.I)
_DATE = re.compile(r"\bwhen\b|\b(what|which) (date|day)\b", re.I)
_SOURCES = re.compile(
    r"\b(which|what) (articles?|sources?|stories|pieces|outlets|publications|newspapers|media)\b", re.I
)


# Words that ask about an article rather than describe it: left out when matching its title.
_ASKING_TERMS = frozenset(content_terms(
    "who wrote written author byline article articles story stories piece pieces report reports reported "
    "publish published outlet outlets publication newspaper site website media news when date which"
))


def _article_scores(analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate]) -> dict[int, float]:
    """Per passage: its best sentence's score, or how much of the question's description of the
    article its title and outlet cover ("the Recorded Future article"), whichever is higher."""
    describing = analysis.terms - _ASKING_TERMS
    scores: dict[int, float] = {}
    for c in candidates:
        title_terms = content_terms(f"{c.passage.title} {c.passage.outlet or ''}")
        title = len(describing & title_terms) / len(describing) if describing else 0.0
        scores[c.passage_no] = max(scores.get(c.passage_no, 0.0), c.score + 0.3 * title, TITLE_WEIGHT * title)
    return scores


class ArticleMetadataExtractor:
    answer_types = frozenset({AnswerType.METADATA})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        if not candidates:
            return None
        if _SOURCES.search(analysis.text):
            return self._sources(analysis, candidates)
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

    def _sources(self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate]) -> Reading | None:
        """Each article with a sentence that states what the question describes (its names and key
        words, the years it gives matching the article's date or text), with title, outlet and date."""
        describing = analysis.terms - _ASKING_TERMS
        shown: dict[str, str] = {}
        for c in near_top(candidates, 0.2, limit=20):
            covered = len(describing & content_terms(c.text)) / len(describing) if describing else 0.0
            if covered < 0.5 or c.passage.doc_id in shown or not anchored(analysis, c):
                continue
            p = c.passage
            when = f", {human_date(p.date)}{' (estimated)' if p.date_estimated else ''}" if p.date else ""
            source = f"{p.outlet}: {p.title}" if p.outlet else p.title  # no quotation marks: the checker reads those as quotes of the text
            shown[p.doc_id] = cited(f"{source}{when}", [c.passage_no])
        return Reading(" ".join(shown.values()), AnswerType.METADATA) if shown else None

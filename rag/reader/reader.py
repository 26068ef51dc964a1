"""The reader: analyse the question, rank passage sentences, then read the answer.

A figure, a date, a place or the name of a thing (`SPAN_TYPES`) is read by the span model
(`span_reading.py`): the span it proposes, checked against the asked kind. Whether the passages
answer at all is still the type's extractor's call: where it finds nothing, the question is refused.
People, organisations, lists, reasons, quotes, trends, definitions and questions about the articles
are answered by the extractor of their type, which composes sentences. Which types the model reads
was decided on the dev set's check half, which neither the model nor the rules were tuned on
(docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate, rank_sentences
from rag.reader.extractors import EXTRACTORS, Reading
from rag.reader.extractors.entity import KINDS_OF_BODY
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis, analyse, question_parts
from rag.reader.span_model import SpanModel
from rag.reader.span_reading import SpanAnswer, read_span
from rag.support import SentenceEncoder
from rag.text_features import dated_in, mentions, numbers, published_by
from rag.types import Passage

CANDIDATE_SLACK = 0.15
FIGURE_BONUS = 0.15
SENTENCE_FALLBACK = frozenset({AnswerType.LIST, AnswerType.NAMED_THING, AnswerType.ORGANISATION, AnswerType.PLACE})
SPAN_TYPES = frozenset(
    {
        AnswerType.COUNT,
        AnswerType.SHARE,
        AnswerType.MONEY,
        AnswerType.DATE,
        AnswerType.PLACE,
        AnswerType.NAMED_THING,
    }
)


@dataclass(frozen=True)
class ReaderResult:
    analysis: QuestionAnalysis
    reading: Reading | None  # None: no answer of the asked type (a refusal)
    names_missing: bool  # no passage names all the question's names: a near miss ("... in Vietnam?")
    span: SpanAnswer | None = None  # what the span model read, answered or not


def passages_naming(analysis: QuestionAnalysis, passages: Sequence[Passage]) -> set[int]:
    """Numbers of the passages that name every name and year of the question: near misses ("... in
    Vietnam?", "... in 2019?") are refused rather than answered about something else. A name may be
    in another retrieved passage of the same article ("Chen Zhi and Qiu Wei Ren" in the paragraph
    before the figure), or in the article's metadata."""
    article_text: dict[str, str] = {}
    for p in passages:
        article_text[p.doc_id] = f"{article_text.get(p.doc_id, '')} {p.text}"
    return {
        no
        for no, p in enumerate(passages, start=1)
        if all(
            dated_in(p.date, name)
            or mentions(f"{p.title} {p.outlet or ''} {p.author or ''} {article_text[p.doc_id]}", name)
            for name in analysis.required
        )
    }


def passages_by(names: Sequence[str], passages: Sequence[Passage]) -> set[int]:
    """Numbers of the passages whose article's outlet or author is one of `names` (whole words)."""
    return {no for no, p in enumerate(passages, start=1) if published_by(p.outlet, p.author, names)}


def _names_noun(candidate: SentenceCandidate, lemma: str) -> bool:
    """The noun as part of a name ("the Varos High *Court*"), not in passing ("an American court")."""
    return any(t.lemma_.lower() == lemma and t.text[:1].isupper() and not t.is_sent_start for t in parse([candidate.text])[0])


class Reader:
    def __init__(
        self,
        encoder: SentenceEncoder,
        span_model: SpanModel,
        min_score: float = 0.35,
        answer_threshold: float | None = None,
        span_types: frozenset[AnswerType] = SPAN_TYPES,
    ) -> None:
        self.encoder = encoder
        self.span_model = span_model
        self.min_score = min_score
        # None: the threshold calibrated with the model (its reader_config.json)
        self.answer_threshold = span_model.config.answer_threshold if answer_threshold is None else answer_threshold
        self.span_types = span_types

    def read(self, question: str, passages: Sequence[Passage]) -> ReaderResult:
        """The answer to the question; a compound question ("Who said X, and which spokesman said
        Y?") is answered part by part when every part finds its answer."""
        parts = question_parts(question)
        if len(parts) > 1:
            results = [self._read_one(part, passages) for part in parts]
            readings = [r.reading for r in results if r.reading is not None]
            if len(readings) == len(results):
                joined = Reading(
                    " ".join(r.text for r in readings), readings[0].answer_type, typed=all(r.typed for r in readings)
                )
                return ReaderResult(results[0].analysis, joined, names_missing=False)
        return self._read_one(question, passages)

    def _read_one(self, question: str, passages: Sequence[Passage]) -> ReaderResult:
        analysis = analyse(question)
        covered = passages_naming(analysis, passages)
        # "According to <outlet>": the answer comes from that outlet's articles when any was retrieved.
        from_source = covered & passages_by(analysis.attributed_to, passages)
        if from_source:
            covered, analysis = from_source, analysis.without_attribution()
        names_missing = bool(analysis.required) and not covered
        ranked = [c for c in rank_sentences(analysis, passages, self.encoder) if c.passage_no in covered]
        if analysis.figures:
            # "The first group of 53 people": the sentence with that figure is about the group asked of.
            ranked = sorted(
                (replace(c, score=c.score + FIGURE_BONUS) if analysis.figures <= numbers(c.text) else c for c in ranked),
                key=lambda c: -c.score,
            )
        if analysis.answer_type is AnswerType.METADATA:
            # About an article, not a fact in it: the extractor matches the article by title too.
            return ReaderResult(analysis, EXTRACTORS[AnswerType.METADATA].extract(analysis, ranked, passages), names_missing)
        by_rules = self._rules_reading(analysis, ranked, passages)
        if analysis.answer_type in self.span_types:
            # The model says what the answer is; the type's extractor says whether the passages answer
            # at all: the model's no-answer margin does not tell near misses apart (docs/evaluation.md).
            # The places the question names ("in Myanmar and Cambodia"): a figure is read for each.
            found = read_span(
                self.span_model, analysis.answer_type, analysis.text, passages, ranked, self.answer_threshold,
                analysis.place_names,
            )
            reading = Reading(found.text, analysis.answer_type) if found.text and by_rules is not None else None
            return ReaderResult(analysis, reading, names_missing, span=found)
        return ReaderResult(analysis, by_rules, names_missing)

    def _rules_reading(
        self, analysis: QuestionAnalysis, ranked: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        """The answer the type's extractor composes from the ranked sentences, or None."""
        if not ranked or ranked[0].score < self.min_score:
            return None
        # The best sentence must be relevant; typed extractors may then look a little further down,
        # where a sentence that says "him" instead of the name still holds the asked date or figure.
        candidates = [c for c in ranked if c.score >= self.min_score - CANDIDATE_SLACK]
        reading = EXTRACTORS[analysis.answer_type].extract(analysis, candidates, passages)
        if reading is None and analysis.answer_type in SENTENCE_FALLBACK:
            if analysis.answer_type is AnswerType.ORGANISATION and analysis.focus in KINDS_OF_BODY:
                # "Which court ...": a sentence that names no court is no answer either.
                candidates = [c for c in candidates if _names_noun(c, analysis.focus)]
            fallback = EXTRACTORS[AnswerType.STATEMENT].extract(analysis, candidates, passages)
            if fallback is not None:
                reading = Reading(fallback.text, analysis.answer_type, typed=False)
        return reading

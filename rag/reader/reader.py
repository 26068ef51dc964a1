"""The reader: analyse the question, rank passage sentences, hand them to the extractor for the
answer type. A question whose typed answer is not found is refused, except for the types whose
answer may be a sentence (lists, names of things, organisations, places): they fall back to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate, rank_sentences
from rag.reader.extractors import EXTRACTORS, Reading
from rag.reader.extractors.entity import KINDS_OF_BODY
from rag.reader.extractors.sentences import gives_cause, is_why
from rag.reader.listing import enclosing_listing
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis, analyse, question_parts
from rag.support import SentenceEncoder
from rag.text_features import dated_in, mentions, numbers, published_by
from rag.types import Passage

CANDIDATE_SLACK = 0.15
CAUSE_BONUS = 0.05
FIGURE_BONUS = 0.15
SENTENCE_FALLBACK = frozenset({AnswerType.LIST, AnswerType.NAMED_THING, AnswerType.ORGANISATION, AnswerType.PLACE})


@dataclass(frozen=True)
class ReaderResult:
    analysis: QuestionAnalysis
    reading: Reading | None  # None: no answer of the asked type (a refusal)
    names_missing: bool  # no passage names all the question's names: a near miss ("... in Vietnam?")


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


def _gives_cause(candidate: SentenceCandidate, passages: Sequence[Passage]) -> bool:
    if gives_cause(candidate.text):
        return True
    listing = enclosing_listing(candidate, passages)
    return listing is not None and gives_cause(listing.introduction)


class Reader:
    def __init__(self, encoder: SentenceEncoder, min_score: float = 0.35) -> None:
        self.encoder = encoder
        self.min_score = min_score

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
        if analysis.answer_type is AnswerType.REASON and is_why(analysis):
            # A why-question is answered by a sentence that gives a cause ("because", "due to").
            # So is an item of a list introduced as reasons ("Observers give three reasons:").
            ranked = sorted(
                (replace(c, score=c.score + CAUSE_BONUS) if _gives_cause(c, passages) else c for c in ranked),
                key=lambda c: -c.score,
            )
        if analysis.figures:
            # "The first group of 53 people": the sentence with that figure is about the group asked of.
            ranked = sorted(
                (replace(c, score=c.score + FIGURE_BONUS) if analysis.figures <= numbers(c.text) else c for c in ranked),
                key=lambda c: -c.score,
            )
        if analysis.answer_type is AnswerType.METADATA:
            # About an article, not a fact in it: the extractor matches the article by title too.
            return ReaderResult(analysis, EXTRACTORS[AnswerType.METADATA].extract(analysis, ranked, passages), names_missing)
        if not ranked or ranked[0].score < self.min_score:
            return ReaderResult(analysis, None, names_missing)
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
        return ReaderResult(analysis, reading, names_missing)

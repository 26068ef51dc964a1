"""Passage sentences ranked for a question: embedding similarity plus coverage of its key terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.cross_language import is_cross_language
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis
from rag.support import SentenceEncoder, passage_sentences
from rag.text_features import content_terms, dated_in, defined_acronyms, mentions, numbers
from rag.types import Passage

SENTENCE_END = (".", "?", "!", ":", ";", '"', "”", "'", "’", ")", "]")  # what a finished sentence ends with


@dataclass(frozen=True)
class SentenceCandidate:
    passage_no: int  # 1-based, as [n] markers count
    text: str  # whitespace normalised (hard-wrapped sources keep their line breaks in the passage)
    score: float
    coverage: float  # share of the question's key terms the sentence has
    previous: str  # the sentence before it in the passage ("" for the first)
    passage: Passage
    end: int = 0  # where the sentence ends in the passage's text
    before: str = ""  # a retrieved passage of the same article that runs into this one (its lead-in)
    acronyms: tuple[tuple[str, str], ...] = ()  # (acronym, long form) the retrieved passages define

    def following_text(self) -> str:
        """The passage's text after this sentence."""
        return self.passage.text[self.end :]

    def reads_as_heading(self) -> bool:
        """No closing punctuation ("How KK Park grew", a title cut at a line end): a heading or a
        fragment, not a statement to answer with."""
        return not self.text.rstrip().endswith(SENTENCE_END)

    def names_source(self, name: str) -> bool:
        """`name` is who published this article (its outlet or author), not what the sentence is about."""
        return mentions(f"{self.passage.outlet or ''} {self.passage.author or ''}", name)

    def dated_in(self, name: str) -> bool:
        """`name` is a year or a month and the article is dated in it (the events it reports)."""
        return dated_in(self.passage.date, name)

    def about(self, name: str) -> bool:
        """Whether this sentence, the one before it, its article's title or outlet mention `name`
        (a year: or the article's date is in that year)."""
        if self.dated_in(name):
            return True
        context = f"{self.text} {self.previous} {self.passage.title} {self.passage.outlet or ''}"
        if mentions(context, name):
            return True
        # "The GTSEZ sits on the Mekong" is about the Golden Triangle Special Economic Zone.
        return any(
            re.search(rf"\b{re.escape(acronym)}\b", context) and mentions(long_form, name) for acronym, long_form in self.acronyms
        )


# A sentence that opens with a pronoun or "this"/"these" continues the one before it.
_ANAPHOR = re.compile(r"^\W*(it|its|he|his|she|her|they|their|them|this|these)\b", re.I)


def _subject_terms(sentence: str) -> frozenset[str]:
    """Key terms of the subjects of a sentence's clauses: what a pronoun opening the next one
    most likely stands for ("*the Ming family* used its influence ... Its businesses ...")."""
    doc = parse([sentence])[0]
    subjects = [t for t in doc if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ in ("NOUN", "PROPN")]
    return frozenset(content_terms(" ".join(" ".join(w.text for w in t.subtree) for t in subjects)))


def _acronym_terms(text: str, acronyms: dict[str, str]) -> set[str]:
    """The key terms a sentence has through acronyms: the long form's for an acronym it uses, the
    acronym's for a long form it spells out."""
    terms: set[str] = set()
    for acronym, long_form in acronyms.items():
        if re.search(rf"\b{re.escape(acronym)}\b", text):
            terms |= content_terms(long_form)
        if long_form.lower() in text.lower():
            terms |= content_terms(acronym)
    return terms


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rank_sentences(
    analysis: QuestionAnalysis, passages: Sequence[Passage], encoder: SentenceEncoder
) -> list[SentenceCandidate]:
    """Every sentence of the passages the reader can read (English, or no language identified), best first."""
    rows: list[tuple[int, str, str, Passage, int]] = []
    for no, passage in enumerate(passages, start=1):
        if is_cross_language(passage.language):
            continue  # spaCy, the span model and MiniLM are English: a passage in another language is shown, not read
        previous = ""
        for text, _, end in passage_sentences(passage):
            clean = squash(text)
            rows.append((no, clean, previous, passage, end - passage.start))
            previous = clean
    if not rows:
        return []
    vectors = encoder.encode([analysis.ranking_text or analysis.text] + [text for _, text, _, _, _ in rows])
    cosines = vectors[1:] @ vectors[0]
    # "BGF spokesman ..." covers "Border Guard Force" where a passage defines the acronym, and back.
    acronyms = defined_acronyms(" ".join([analysis.text, *(p.text for p in passages)]))
    defined = tuple(acronyms.items())
    lead_ins = {no: _lead_in(passage, passages) for no, passage in enumerate(passages, start=1)}
    ranked = []
    for (no, text, previous, passage, end), cosine in zip(rows, cosines, strict=True):
        terms = content_terms(text) | _acronym_terms(text, acronyms)
        if previous and _ANAPHOR.match(text):  # "Its businesses included ...": about the subject before
            terms |= _subject_terms(previous) | _acronym_terms(previous, acronyms)
        # A figure the question names ("the group of 53") counts as a key term.
        covered = len(analysis.terms & terms) + len(analysis.figures & numbers(text))
        asked = len(analysis.terms) + len(analysis.figures)
        coverage = covered / asked if asked else 0.0
        score = 0.6 * float(cosine) + 0.4 * coverage
        ranked.append(SentenceCandidate(no, text, score, coverage, previous, passage, end, lead_ins[no], defined))
    return sorted(ranked, key=lambda c: -c.score)


def _lead_in(passage: Passage, passages: Sequence[Passage]) -> str:
    """The text of a retrieved passage of the same article that ends inside or just before this
    one (chunks overlap): where a date or place the passage goes on about was first given."""
    return " ".join(
        p.text
        for p in passages
        if p.doc_id == passage.doc_id and p.start < passage.start <= p.end + 2 and p.chunk_id != passage.chunk_id
    )

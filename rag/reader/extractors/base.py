"""The extractor interface: one answer type (or a few close ones) per extractor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.nlp import parse
from rag.reader.parties import GENERIC_NAME_WORDS, about_another_party
from rag.reader.question import QuestionAnalysis
from rag.text_features import YEAR, days_of_months, mentions, month_number
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
    """The question's times are in the candidate's passage, title or date; or in the passage's
    lead-in when the passage gives no year up to the sentence (the time it goes on about)."""
    passage = candidate.passage
    undated = YEAR.search(passage.text[: candidate.end]) is None
    return all(
        candidate.dated_in(n)
        or mentions(f"{passage.text} {passage.title}", n)
        or (undated and mentions(candidate.before, n))
        for n in analysis.loose_names
    )


def _event_dates(doc: Doc) -> list[tuple[Span, Token | None]]:
    """The dates of an act the sentence tells ("were arrested *in April 2024*"), with their
    preposition, not of a noun in passing ("the civil war that followed the February 2021 coup")."""
    found = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        prep = ent.root.head if ent.root.dep_ == "pobj" else None
        attached = prep.head if prep is not None and prep.dep_ == "prep" else ent.root.head
        # Or to what stands for the verb in a gapped clause ("19 were deported in April and *25* in November").
        gapped = attached.dep_ == "conj" and attached.head.pos_ in ("VERB", "AUX")
        if attached.pos_ in ("VERB", "AUX") or gapped:
            found.append((ent, prep))
    return found


def _event_years(doc: Doc) -> tuple[list[str], list[int]]:
    """The years that date an act the sentence tells, and the years that start a period ("*since
    2023*": the years after it are covered)."""
    told: list[str] = []
    since: list[int] = []
    for ent, prep in _event_dates(doc):
        years = YEAR.findall(ent.text)
        told += years
        if prep is not None and prep.lower_ in ("since", "from"):
            since += [int(y) for y in years]
    return told, since


_SPAN_OF_DAYS = re.compile(r"\b(between|since|after|before|until|till|through)\b|\bby \d|\bfrom \d[^?]*\bto\b", re.I)


def _on_another_day(analysis: QuestionAnalysis, sentence: str) -> bool:
    """The question asks about a day ("flown out on 6 November") and the sentence names days, none
    of them that one ("On 10 March ... took 283")."""
    asked = days_of_months(analysis.text)
    if not asked or analysis.answer_type is AnswerType.DATE or _SPAN_OF_DAYS.search(analysis.text):
        return False  # "between 14 and 16 July", "since 1 March": other days may be in the span
    told = days_of_months(sentence)
    return bool(told) and not asked & told


def _in_another_month(analysis: QuestionAnalysis, sentence: str) -> bool:
    """The question asks about a month ("deported in November 2023") and the sentence dates its act
    in other months only; a month of a noun in passing ("the February 2021 coup") does not count."""
    asked = {month_number(n) for n in analysis.loose_names} - {None}
    if not asked or analysis.answer_type is AnswerType.DATE or days_of_months(analysis.text) or _SPAN_OF_DAYS.search(analysis.text):
        return False
    told = {month_number(t.text) for ent, _ in _event_dates(parse([sentence])[0]) for t in ent} - {None}
    return bool(told) and not asked & told


def dated_otherwise(analysis: QuestionAnalysis, sentence: str) -> bool:
    """The sentence dates its act in years, none of them the year
    asked about ("arrested in April *2024*" does not answer "in April 2025"); "since 2023" covers
    the years after it. The sentence is parsed only when the question asks a year."""
    if _on_another_day(analysis, sentence) or _in_another_month(analysis, sentence):
        return True
    asked = [n for n in analysis.loose_names if YEAR.fullmatch(n)]
    if not asked:
        return False
    told, since = _event_years(parse([sentence])[0])
    return bool(told) and not any(year in told or any(int(year) >= start for start in since) for year in asked)


def anchored(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The question's place names are in the sentence, the one before, or the article's title, and
    its times in the passage (names of the source need only be in the passage, which the reader
    checked); a sentence dated in other years than the asked one is about another time."""
    return (
        all(candidate.about(name) for name in scope_names(analysis, candidate))
        and in_passage(analysis, candidate)
        and not dated_otherwise(analysis, candidate.text)
        and not about_another_party(analysis, candidate)
    )


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
    if core and core[-1].isalpha() and core[-1] in {part for name in analysis.required for part in name.split()}:
        return True  # "New Delhi" for a question that says "on the way to Delhi": its own name
    # A word for the kind of body ("Amnesty *International*") need not be in the question.
    distinctive = [w for w in core if w.lower() not in GENERIC_NAME_WORDS] or core
    return bool(core) and all(_question_has(analysis.text, w) for w in distinctive)


def _question_has(question: str, word: str) -> bool:
    """The question has the word whole, or as the start of a name ("Cambodia" of "Cambodian"), not
    as the start of a common noun ("Air" of "which *airline*" does not put Korean Air in the question)."""
    if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", question, re.I):
        return True
    return mentions(" ".join(w for w in re.findall(r"[\w'’-]+", question) if w[:1].isupper()), word)

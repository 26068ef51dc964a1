"""The built-in generator: picks the passage sentences that answer the question. No model.

Sentences are scored by embedding similarity to the question plus coverage of its key terms;
the question type filters them ("how many" wants a number). For counts it leads with the
figure ("At least 120,000 [1][2].") and reports other sources' differing figures with dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.generators.base import Draft
from rag.question_type import QuestionType, classify, fits
from rag.support import SentenceEncoder, passage_sentences
from rag.text_features import content_terms, entities, mentions, numbers
from rag.types import REFUSAL_PHRASE, Passage

_MODIFIER = (
    r"(?:at (?:the )?least|a minimum of|approximately|about|around|roughly|more than|greater than|over|"
    r"nearly|almost|up to|some|an estimated|estimated|as many as)"
)
_FIGURE = re.compile(
    rf"(?:{_MODIFIER}\s+)?(?:\$\s?)?(?<![\w-])\d[\d,.\s]*\d(?:\s*(?:million|billion|thousand|%|percent))?|"
    rf"(?:{_MODIFIER}\s+)?(?<![\w-])\d+(?:\s*(?:million|billion|thousand|%|percent))?",
    re.I,
)
_CLAUSE = re.compile(r",(?=\s)|;|\bwhile\b|\bwhereas\b|\band\b(?=\s+(?:approximately|about|around|some)?\s*\d)", re.I)


@dataclass(frozen=True)
class Candidate:
    passage_no: int  # 1-based
    text: str
    score: float


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, encoder: SentenceEncoder, min_score: float = 0.35, max_sentences: int = 2) -> None:
        self.encoder = encoder
        self.min_score = min_score
        self.max_sentences = max_sentences

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        kind = classify(question)
        required = entities(question)
        # Named places, people and years in the question must appear in the passage: near misses
        # ("... in Vietnam?", "... in 2019?") are refused rather than answered about something else.
        covered = {
            i + 1
            for i, p in enumerate(passages)
            if all(mentions(f"{p.title} {p.outlet or ''} {p.text}", e) for e in required)
        }
        candidates = [c for c in self._candidates(question, passages) if c.passage_no in covered]
        candidates = [c for c in candidates if fits(kind, c.text) and c.score >= self.min_score]
        if not candidates:
            return Draft(text=REFUSAL_PHRASE, backend=self.name)
        if kind is QuestionType.COUNT:
            # A "how many" question without a figure of the asked kind is not answered by prose.
            text = self._count_answer(question, candidates, passages, required)
            return Draft(text=text or REFUSAL_PHRASE, backend=self.name)
        chosen: list[Candidate] = []
        for cand in candidates:
            if len(chosen) == self.max_sentences or cand.score < candidates[0].score - 0.15:
                break
            if all(content_terms(cand.text) != content_terms(c.text) for c in chosen):
                chosen.append(cand)
        return Draft(text=" ".join(f"{_cite(c.text, [c.passage_no])}" for c in chosen), backend=self.name)

    def _candidates(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        pairs = [(i + 1, text) for i, p in enumerate(passages) for text, _, _ in passage_sentences(p)]
        if not pairs:
            return []
        vectors = self.encoder.encode([question] + [t for _, t in pairs])
        cosines = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        scored = []
        for (no, text), cosine in zip(pairs, cosines, strict=True):
            coverage = len(q_terms & content_terms(text)) / len(q_terms) if q_terms else 0.0
            scored.append(Candidate(no, text, 0.6 * float(cosine) + 0.4 * coverage))
        return sorted(scored, key=lambda c: -c.score)

    def _count_answer(
        self, question: str, candidates: list[Candidate], passages: Sequence[Passage], required: list[str]
    ) -> str | None:
        figures = []  # (figure text, value, candidate)
        asked_unit = _asked_unit(question)
        for cand in candidates:
            clauses = _CLAUSE.split(cand.text)
            several = len(numbers(cand.text)) > 1
            named = [e for e in required if mentions(cand.text, e)]
            for clause in clauses:
                # With several figures in one sentence, keep those in the clause naming the subject.
                if several and named and not all(mentions(clause, e) for e in named):
                    continue
                for match in _FIGURE.finditer(clause):
                    values = numbers(match.group())
                    unit = _unit_after(clause[match.end() :])
                    if not _unit_fits(match.group(), unit, asked_unit, question):
                        continue  # "up to 15 hours" or "$7.8 billion" does not answer "how many people"
                    figure_text = match.group().strip()
                    if unit and unit in asked_unit | _OTHER_UNITS:
                        figure_text += " " + re.match(r"\s*([A-Za-z]+)", clause[match.end() :]).group(1)  # type: ignore[union-attr]
                    if values and not re.fullmatch(r"(19|20)\d{2}", match.group().strip()):
                        figures.append((figure_text, max(values), cand))
        if not figures:
            return None
        best_text, best_value, best = figures[0]
        first_per_doc: dict[str, int] = {}
        for _, value, cand in figures:
            if value == best_value:
                first_per_doc.setdefault(passages[cand.passage_no - 1].doc_id, cand.passage_no)
        cited = list(first_per_doc.values())[:4]
        docs = set(first_per_doc)
        marks = "".join(f"[{n}]" for n in cited)
        figure = f"{best_text[0].upper()}{best_text[1:]}"
        for text, value, cand in figures[1:]:
            other = passages[cand.passage_no - 1]
            if value != best_value and other.doc_id not in docs and cand.score >= best.score - 0.2:
                dates = sorted(  # an estimated date is marked after it: "dated 2023-08-29 (estimated)"
                    {f"{p.date} (estimated)" if p.date_estimated else p.date
                     for n in cited if (p := passages[n - 1]).date}
                )
                when = f"according to sources dated {', '.join(dates)}" if dates else "according to undated sources"
                clause = next(c for c in _CLAUSE.split(cand.text) if text in c)
                clause = re.sub(r"[“”\"]", "", clause[clause.index(text) :]).strip()
                return (
                    f"{figure}, {when} {marks}. "
                    f"Sources differ: {other.outlet or other.title} ({other.date_label()}) reports "
                    f"“{clause}” [{cand.passage_no}]."
                )
        return f"{figure} {marks}."


_OTHER_UNITS = {
    "hour",
    "day",
    "week",
    "month",
    "year",
    "countri",
    "acr",
    "time",
    "percent",
    "dollar",
    "billion",
    "million",
    "per",
    "kilometr",
    "mile",
    "case",
    "compani",
    "centr",
    "center",
    "compound",
}


_PEOPLE = {"peopl", "individu", "person", "victim", "worker", "migrant", "men", "women", "children", "other"}


def _unit_fits(figure: str, unit: str, asked: set[str], question: str) -> bool:
    """Whether a figure is of the kind asked: people for "how many people", money for "how much"."""
    money = "$" in figure or "dollar" in unit or re.search(r"billion|million", figure, re.I) is not None
    share = "%" in figure or "percent" in figure.lower() or unit == "percent"
    if re.search(r"\bhow much\b|\bworth\b|\brevenue|\bmoney\b", question, re.I):
        return money
    if share:
        return bool(re.search(r"share|percent|proportion|what part", question, re.I))
    if money:
        return False
    if re.search(r"\bhow (large|big|long|far|high)\b", question, re.I):
        return True
    if asked & _PEOPLE or not asked & (_PEOPLE | _OTHER_UNITS):  # people, or a misspelt/unknown noun
        return unit not in _OTHER_UNITS
    return unit in asked or (unit in _PEOPLE and bool(asked & _PEOPLE))


def _stem(word: str) -> str:
    return re.sub(r"(ies|es|s)$", lambda m: "i" if m.group() == "ies" else "", word.lower())


def _unit_after(rest: str) -> str:
    """The word right after a figure ("120,000 people" -> "peopl"), stemmed crudely."""
    match = re.match(r"\s*([A-Za-z]+)", rest)
    return _stem(match.group(1)) if match else ""


def _asked_unit(question: str) -> set[str]:
    match = re.search(r"how (?:many|much)\s+([A-Za-z]+)", question, re.I)
    return {_stem(match.group(1))} if match else set()


def _cite(sentence: str, numbers_: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers_)
    if sentence and sentence[-1] in ".!?":
        return f"{sentence[:-1]} {marks}{sentence[-1]}"
    return f"{sentence} {marks}."

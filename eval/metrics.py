"""Answer and citation metrics: deterministic, pure functions of Answers and gold rows.

Correct: an answerable question answered (status answered) with every gold pattern matching
the answer text; an unanswerable question refused. Correctly cited: a correct answer to an
answerable question whose cited passages, joined, also match every gold pattern (the answer
must cite a passage that contains it), or, for a passage not in English, hold a gold supporting quote. Citation recall / precision follow ALCE (Gao et al.
2023) with the lexical support check of eval.support in place of NLI:
  recall    = answer sentences whose cited passages (joined) support them / answer sentences
  precision = citations that support their sentence alone, or without which the sentence's
              other citations no longer support it / citations
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from pydantic import BaseModel

from eval.gold import GoldRow
from eval.normalize import matches_all
from eval.support import strip_markers, supports
from index.cross_language import is_cross_language
from rag.types import Answer, AnswerStatus, Citation, human_date


class AnswerMetrics(BaseModel):
    n: int
    n_answered: int
    n_refused: int
    n_failed: int
    accuracy: float
    precision: float
    refusal_recall: float
    false_refusal_rate: float
    correctly_cited_rate: float
    citation_recall: float
    citation_precision: float
    latency_median_s: float
    latency_p95_s: float
    accuracy_by_type: dict[str, float]
    median_answer_words: float = 0.0  # over all answers, refusals included (words without [n] markers)


def is_correct(answer: Answer, row: GoldRow) -> bool:
    if not row.answerable:
        return answer.status == AnswerStatus.REFUSED
    if answer.status != AnswerStatus.ANSWERED:
        return False
    return matches_all(row.answer_patterns, strip_markers(answer.text), row.pattern_kind)


def cited_text(answer: Answer) -> str:
    return "\n".join(dict.fromkeys(c.passage for c in answer.citations))


def correctly_cited(answer: Answer, row: GoldRow) -> bool:
    return row.answerable and is_correct(answer, row) and (
        matches_all(row.answer_patterns, cited_text(answer), row.pattern_kind) or cites_a_gold_quote(answer, row)
    )


def cites_a_gold_quote(answer: Answer, row: GoldRow) -> bool:
    """A cited passage in another language than English holds one of the row's supporting quotes: English
    answer patterns ("330,000") cannot match a Chinese or Thai passage ("33万")."""
    quotes = [" ".join(s.quote.split()) for s in row.supporting]
    return any(
        quote in " ".join(c.passage.split())
        for c in answer.citations if is_cross_language(c.language)
        for quote in quotes
    )


def citation_metadata(citation: Citation) -> str:
    date = citation.date or ""
    readable = human_date(date) if date else ""
    return " ".join(filter(None, [citation.title, citation.outlet, citation.author, date, readable]))


def citation_counts(answer: Answer) -> tuple[int, int, int, int]:
    """(supported sentences, sentences, precise citations, citations) of one answered Answer."""
    if answer.status != AnswerStatus.ANSWERED:
        return 0, 0, 0, 0
    # A citation shows its article's metadata with the passage: a source's own date or author is
    # supported by the citation, not by the passage text.
    by_n = {c.n: f"{c.passage}\n{citation_metadata(c)}" for c in answer.citations}
    sentences = [(s.text, s.citations) for s in answer.sentences]
    if not sentences and answer.text.strip():
        sentences = [(strip_markers(answer.text), [])]  # uncited free text: one unsupported sentence
    supported = precise = total = 0
    for text, marks in sentences:
        evidence = [by_n[n] for n in dict.fromkeys(marks) if n in by_n]
        joined_ok = supports(text, "\n".join(evidence))
        supported += joined_ok
        for i, passage in enumerate(evidence):
            total += 1
            others = "\n".join(evidence[:i] + evidence[i + 1 :])
            precise += supports(text, passage) or (joined_ok and not (others and supports(text, others)))
    return supported, len(sentences), precise, total


def ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def answer_metrics(answers: Sequence[Answer], rows: Sequence[GoldRow], seconds: Sequence[float]) -> AnswerMetrics:
    if not (len(answers) == len(rows) == len(seconds)):
        raise ValueError("answers, rows and seconds must be parallel lists")
    correct = [is_correct(a, r) for a, r in zip(answers, rows, strict=True)]
    answered = [a.status == AnswerStatus.ANSWERED for a in answers]
    refused = [a.status == AnswerStatus.REFUSED for a in answers]
    answerable = [r.answerable for r in rows]
    counts = [citation_counts(a) for a in answers]
    n_correct_answerable = sum(c and r.answerable for c, r in zip(correct, rows, strict=True))
    by_type: dict[str, list[bool]] = {}
    for ok, row in zip(correct, rows, strict=True):
        by_type.setdefault(row.type, []).append(ok)
    return AnswerMetrics(
        n=len(rows),
        n_answered=sum(answered),
        n_refused=sum(refused),
        n_failed=sum(a.status == AnswerStatus.FAILED for a in answers),
        accuracy=ratio(sum(correct), len(rows)),
        precision=ratio(sum(c and a for c, a in zip(correct, answered, strict=True)), sum(answered)),
        refusal_recall=ratio(sum(r and not q for r, q in zip(refused, answerable, strict=True)),
                             answerable.count(False)),
        false_refusal_rate=ratio(sum(r and q for r, q in zip(refused, answerable, strict=True)), sum(answerable)),
        correctly_cited_rate=ratio(sum(correctly_cited(a, r) for a, r in zip(answers, rows, strict=True)),
                                   n_correct_answerable),
        citation_recall=ratio(sum(c[0] for c in counts), sum(c[1] for c in counts)),
        citation_precision=ratio(sum(c[2] for c in counts), sum(c[3] for c in counts)),
        latency_median_s=statistics.median(seconds) if seconds else 0.0,
        latency_p95_s=percentile(seconds, 95),
        accuracy_by_type={t: ratio(sum(v), len(v)) for t, v in sorted(by_type.items())},
        median_answer_words=statistics.median(len(strip_markers(a.text).split()) for a in answers) if answers else 0.0,
    )

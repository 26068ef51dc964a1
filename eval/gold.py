"""The gold question set (eval/gold.jsonl): loading, and locating supporting quotes in the corpus.

Only the metrics read gold answers, patterns and quotes; the answering code never sees them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from eval.normalize import Pattern

GOLD_PATH = Path(__file__).with_name("gold.jsonl")
QuestionKind = Literal[
    "number", "name", "place", "date", "list", "why_how", "multi_hop", "temporal_conflict",
    "paraphrase", "misspelled", "unanswerable",
]


class SupportingQuote(BaseModel):
    doc_id: str
    quote: str = Field(description="an exact substring of the article text")


class GoldRow(BaseModel):
    id: str
    question: str
    type: QuestionKind
    answerable: bool
    gold_answer: str | None = None
    answer_patterns: list[Pattern] = Field(default_factory=list)
    pattern_kind: Literal["text", "regex"] = "text"
    supporting: list[SupportingQuote] = Field(default_factory=list)
    notes: str = ""


Span = tuple[str, int, int]  # doc_id, start, end (character offsets in the article text)


def load_gold(path: Path = GOLD_PATH) -> list[GoldRow]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(GoldRow.model_validate(json.loads(line)))
            except ValueError as err:
                raise ValueError(f"{path}:{number}: invalid gold row: {err}") from err
    return rows


def corpus_texts(corpus_dir: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(corpus_dir).glob("*.txt"))}


def quote_spans(row: GoldRow, texts: dict[str, str]) -> list[list[Span]]:
    """For each supporting quote, every place it occurs (empty list: not found verbatim)."""
    spans: list[list[Span]] = []
    for support in row.supporting:
        text, found, start = texts.get(support.doc_id, ""), [], 0
        while support.quote and (at := text.find(support.quote, start)) >= 0:
            found.append((support.doc_id, at, at + len(support.quote)))
            start = at + 1
        spans.append(found)
    return spans


def gold_problems(rows: list[GoldRow], texts: dict[str, str]) -> list[str]:
    """Everything wrong with a gold set: bad quotes, duplicate ids, inconsistent answerability."""
    problems = []
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            problems.append(f"{row.id}: duplicate id")
        seen.add(row.id)
        if row.answerable != (row.type != "unanswerable"):
            problems.append(f"{row.id}: type {row.type} but answerable={row.answerable}")
        if row.answerable and not (row.answer_patterns and row.supporting and row.gold_answer):
            problems.append(f"{row.id}: answerable but lacks patterns, supporting quotes or a gold answer")
        if not row.answerable and (row.answer_patterns or row.supporting):
            problems.append(f"{row.id}: unanswerable but has patterns or supporting quotes")
        for support, found in zip(row.supporting, quote_spans(row, texts), strict=True):
            if support.doc_id not in texts:
                problems.append(f"{row.id}: unknown doc_id {support.doc_id}")
            elif not found:
                problems.append(f"{row.id}: quote not verbatim in {support.doc_id}: {support.quote[:60]!r}")
    return problems

"""The gold question set (eval/gold.jsonl): loading, and locating supporting quotes in the corpus.

Only the metrics read gold answers, patterns and quotes; the answering code never sees them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from eval.normalize import Pattern

GOLD_PATH = Path(__file__).with_name("gold.jsonl")
QuestionKind = Literal[
    "number", "name", "place", "date", "list", "why_how", "multi_hop", "temporal_conflict",
    "paraphrase", "misspelled", "unanswerable",
    # answer kinds of issue 12 (used by the dev set, eval/devset/questions.jsonl)
    "share", "money", "person", "organisation", "named_thing", "definition", "quote", "trend", "metadata",
]
METADATA_FIELDS = ("title", "author", "outlet", "date", "url")


class SupportingQuote(BaseModel):
    doc_id: str | None = Field(default=None, description="the article's id in the corpus")
    source_file: str | None = Field(
        default=None,
        description="the article's file name before `rag add` gave it a doc_id (dev set); see resolve_source_files",
    )
    quote: str = Field(description="an exact substring of the article text")
    in_metadata: bool = Field(
        default=False,
        description="the quote may be in the article's metadata (title, author, outlet, date, url) instead of its text",
    )

    @model_validator(mode="after")
    def _names_one_article(self) -> SupportingQuote:
        if (self.doc_id is None) == (self.source_file is None):
            raise ValueError("a supporting quote names its article by exactly one of doc_id or source_file")
        return self


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


def corpus_metadata(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """doc_id -> the metadata fields a metadata quote may come from (only those that are set)."""
    metas = {}
    for path in sorted(Path(corpus_dir).glob("*.meta.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        metas[str(data.get("doc_id") or path.name.removesuffix(".meta.json"))] = {
            key: str(data[key]) for key in METADATA_FIELDS if data.get(key)
        }
    return metas


def source_file_ids(corpus_dir: Path) -> dict[str, str]:
    """Original file name -> doc_id, from the metadata `rag add` wrote (CorpusStore records source_file)."""
    found: dict[str, str] = {}
    for path in sorted(Path(corpus_dir).glob("*.meta.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("source_file") and data.get("doc_id"):
            found.setdefault(str(data["source_file"]), str(data["doc_id"]))
    return found


def resolve_source_files(rows: list[GoldRow], file_ids: dict[str, str]) -> list[GoldRow]:
    """Copies of `rows` whose quotes name their article by doc_id; an unknown file name is an error."""
    resolved = []
    for row in rows:
        supporting = []
        for support in row.supporting:
            if support.doc_id is None:
                name = support.source_file or ""
                if name not in file_ids:
                    raise KeyError(f"{row.id}: no article added from file {name!r}")
                support = support.model_copy(update={"doc_id": file_ids[name]})
            supporting.append(support)
        resolved.append(row.model_copy(update={"supporting": supporting}))
    return resolved


def quote_spans(row: GoldRow, texts: dict[str, str]) -> list[list[Span]]:
    """For each supporting quote, every place it occurs (empty list: not found verbatim)."""
    spans: list[list[Span]] = []
    for support in row.supporting:
        if support.doc_id is None:
            raise ValueError(f"{row.id}: quote names file {support.source_file!r}; resolve_source_files first")
        text, found, start = texts.get(support.doc_id, ""), [], 0
        while support.quote and (at := text.find(support.quote, start)) >= 0:
            found.append((support.doc_id, at, at + len(support.quote)))
            start = at + 1
        spans.append(found)
    return spans


def gold_problems(
    rows: list[GoldRow], texts: dict[str, str], metadata: dict[str, dict[str, str]] | None = None
) -> list[str]:
    """Everything wrong with a gold set: bad quotes, duplicate ids, inconsistent answerability.

    A quote marked in_metadata may be found in the article's text or in one of its metadata fields.
    """
    metadata = metadata or {}
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
            elif not found and not (
                support.in_metadata and any(support.quote in v for v in metadata.get(support.doc_id, {}).values())
            ):
                problems.append(f"{row.id}: quote not verbatim in {support.doc_id}: {support.quote[:60]!r}")
    return problems

"""Typed results of the public API: passages, citations, answers."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

# One fixed phrase, so users, the UI and the eval can recognise a refusal exactly.
REFUSAL_PHRASE = "The sources don't say."


class Passage(BaseModel):
    """A retrieved chunk with its document metadata, as given to a generator."""

    chunk_id: str
    doc_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    date_note: str | None = None
    date_estimated: bool = Field(default=False, description="the date is inferred (date_note says how), not stated")
    author: str | None = None
    url: str | None = None
    language: str = Field(default="en", description="the article's language, ISO 639-1 ('und': undetermined)")
    text: str
    start: int = Field(description="character offset of the passage in the source text")
    end: int
    paragraph: int
    score: float = Field(default=0.0, description="fused retrieval score (RRF)")
    dense_score: float | None = Field(default=None, description="cosine similarity to the question")
    keyword_score: float | None = Field(default=None, description="BM25 score")
    pages: list[int] = Field(default_factory=list, description="PDFs: 1-based pages the passage lies on")
    page_breaks: list[int] = Field(
        default_factory=list, description="PDFs: offsets in the source text where a page after pages[0] begins"
    )

    def date_label(self) -> str:
        return date_label(self.date, self.date_estimated)

    def metadata_line(self) -> str:
        """The article's metadata as one sentence: what answers about the article itself cite."""
        parts = [f"{self.title}."]
        if self.outlet:
            parts.append(f"Published by {self.outlet}.")
        if self.date:
            parts.append(f"Dated {human_date(self.date)}{' (estimated)' if self.date_estimated else ''}.")
        if self.author:
            parts.append(f"Written by {self.author}.")
        return " ".join(parts)

    def pages_of(self, start: int, end: int) -> list[int]:
        """Pages of a span inside this passage (a quote), from the page breaks the passage knows."""
        if not self.pages:
            return []
        first = self.pages[0] + bisect_right(self.page_breaks, start)
        last = self.pages[0] + bisect_right(self.page_breaks, max(start, end - 1))
        return list(range(first, max(first, last) + 1))


class Citation(BaseModel):
    """What an [n] in the answer points to, with the quote that supports the sentence."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    date_estimated: bool = Field(default=False, description="the date is inferred, not stated by the source")
    author: str | None = None
    url: str | None = None
    language: str = Field(default="en", description="the article's language, ISO 639-1 ('und': undetermined)")
    passage: str
    passage_start: int
    passage_end: int
    quote: str = Field(description="the sentence of the passage that best supports the claim")
    quote_start: int = Field(description="character offset of the quote in the source text")
    quote_end: int
    support: float = Field(description="support score of the quote for the cited sentence, 0..1")
    pages: list[int] = Field(default_factory=list, description="PDFs: 1-based pages the quote lies on")


class AnswerSentence(BaseModel):
    text: str = Field(description="the sentence without its [n] markers")
    citations: list[int] = Field(default_factory=list)
    supported: bool = True
    note: str | None = Field(default=None, description="why a citation was dropped or the sentence flagged")
    cited_by: Literal["model", "checker"] = Field(
        default="model", description="checker: the model cited nothing and the support check found the source"
    )


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    REFUSED = "refused"  # the sources do not answer the question
    FAILED = "failed"  # the generator failed (server down, timeout, answer failed every check)


class Answer(BaseModel):
    question: str
    standalone_question: str | None = Field(default=None, description="the question rewritten from the history")
    text: str = Field(description="the answer with [n] markers numbered 1..n in order of first use")
    status: AnswerStatus
    refused: bool
    reason: str | None = Field(default=None, description="why it refused or failed")
    sentences: list[AnswerSentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    closest: list[Citation] = Field(
        default_factory=list,
        description="refused answers: the passage sentences closest to an answer, numbered 1..n; not an answer",
    )
    passages: list[Passage] = Field(default_factory=list, description="what retrieval gave the generator")
    backend_requested: str
    backend_used: str
    fallback_reason: str | None = Field(default=None, description="set when another backend answered instead")
    answered_by: str | None = Field(
        default=None, description="combined backend: which reader answered (extractive, or the LLM and its mode)"
    )
    filter_description: str | None = Field(
        default=None, description="the source filter the answer was limited to (None: the whole corpus)"
    )
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(
        default_factory=dict, description="seconds per stage (*_s) and the number of streamed text pieces (pieces)"
    )


def language_label(language: str) -> str:
    """ "language zh" for an article not in English; "" for English, which every source line assumes."""
    return "" if language == "en" else f"language {language}"


def date_label(date: str | None, estimated: bool = False) -> str:
    """How a source's date is shown: "2023-08-30", "estimated 2023-08-29" or "undated".

    The mark comes first, so it reads the same in a list of dates and inside parentheses."""
    if not date:
        return "undated"
    return f"estimated {date}" if estimated else date


def human_date(date: str) -> str:
    """ "2023-08-29" -> "29 August 2023"; other forms unchanged."""
    try:
        parsed = datetime.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{parsed.day} {parsed.strftime('%B')} {parsed.year}"


def page_label(pages: list[int]) -> str:
    """How a citation names its pages: "p. 14", "pp. 14–15", or "" when the source has none."""
    if not pages:
        return ""
    return f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}–{pages[-1]}"

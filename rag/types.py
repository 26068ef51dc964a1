"""Typed results of the public API: passages, citations, answers."""

from __future__ import annotations

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
    url: str | None = None
    text: str
    start: int = Field(description="character offset of the passage in the source text")
    end: int
    paragraph: int
    score: float = Field(default=0.0, description="fused retrieval score (RRF)")
    dense_score: float | None = Field(default=None, description="cosine similarity to the question")
    keyword_score: float | None = Field(default=None, description="BM25 score")

    def date_label(self) -> str:
        return self.date or "undated"


class Citation(BaseModel):
    """What an [n] in the answer points to, with the quote that supports the sentence."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    passage: str
    passage_start: int
    passage_end: int
    quote: str = Field(description="the sentence of the passage that best supports the claim")
    quote_start: int = Field(description="character offset of the quote in the source text")
    quote_end: int
    support: float = Field(description="support score of the quote for the cited sentence, 0..1")


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
    passages: list[Passage] = Field(default_factory=list, description="what retrieval gave the generator")
    backend_requested: str
    backend_used: str
    fallback_reason: str | None = Field(default=None, description="set when another backend answered instead")
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(
        default_factory=dict, description="seconds per stage (*_s) and the number of streamed text pieces (pieces)"
    )

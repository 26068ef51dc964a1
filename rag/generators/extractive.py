"""The built-in generator: the reader (rag/reader): a small span-extraction model for figures,
dates and names, sentence extraction for lists, reasons and the like. No LLM.

It leads with the asked thing (a figure, a name, a date, a list) and cites the passage it sits in;
reasons and the like are the best sentences. Nothing of the asked kind above the model's
threshold: a refusal, whose draft still says where the reader came closest (`closest_span`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from index.cross_language import is_cross_language
from rag.generators.base import Draft
from rag.reader import Reader
from rag.reader.span_model import SpanModel, load_span_model
from rag.support import SentenceEncoder
from rag.types import REFUSAL_PHRASE, Passage


class ExtractiveGenerator:
    name = "extractive"
    reports_answerer = True  # the assistant calls generate(): the draft says where a refusal came closest

    def __init__(self, encoder: SentenceEncoder, min_score: float = 0.35, span_model: SpanModel | None = None) -> None:
        self.reader = Reader(encoder, span_model or load_span_model(), min_score=min_score)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        result = self.reader.read(question, passages)
        analysis, reading = result.analysis, result.reading
        extra: dict[str, object] = {"answer_type": analysis.answer_type.value}
        unread = sorted({p.language for p in passages if is_cross_language(p.language)})
        if unread:
            extra["unread_languages"] = unread
        if result.names_missing:
            extra["names_missing"] = list(analysis.required)
        span = result.span
        if span is not None and span.span is not None and span.passage_no is not None:
            extra["span_margin"] = round(span.margin, 3)
            extra["closest_span"] = [span.passage_no, passages[span.passage_no - 1].start + span.span.start]
        if reading is None:
            return Draft(text=REFUSAL_PHRASE, backend=self.name, extra=extra)
        extra["typed"] = reading.typed
        return Draft(text=reading.text, backend=self.name, extra=extra)

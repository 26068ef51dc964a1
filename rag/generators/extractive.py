"""The built-in generator: the extractive reader (rag/reader), no model.

It leads with the asked thing (a figure with its scope, a name, a date, a list) and cites the
passage of each part; reasons and the like are the best sentences. No typed answer: a refusal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rag.generators.base import Draft
from rag.reader import Reader
from rag.support import SentenceEncoder
from rag.types import REFUSAL_PHRASE, Passage


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, encoder: SentenceEncoder, min_score: float = 0.35) -> None:
        self.reader = Reader(encoder, min_score=min_score)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        result = self.reader.read(question, passages)
        analysis, reading = result.analysis, result.reading
        extra: dict[str, object] = {"answer_type": analysis.answer_type.value}
        if result.names_missing:
            extra["names_missing"] = list(analysis.required)
        if reading is None:
            return Draft(text=REFUSAL_PHRASE, backend=self.name, extra=extra)
        extra["typed"] = reading.typed
        return Draft(text=reading.text, backend=self.name, extra=extra)

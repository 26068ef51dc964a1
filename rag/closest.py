"""What a refusal still shows: the passage sentences closest to an answer, marked as not an answer.

"The sources don't say" is the honest answer when nothing answers the question, but the reader
of a refusal should still see where the nearest text is (the answer may sit in a passage in words
the reader did not trust). So every refused answer carries up to `COUNT` sources: first the
passage of the span the reader came closest to answering with (when it gives one), then the best
retrieved passages, each with the sentence most similar to the question.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.citations import citation_for
from rag.support import SentenceEncoder, passage_sentences
from rag.support_result import SupportResult
from rag.types import Citation, Passage

COUNT = 3


def _best_sentence(question_vector: np.ndarray, passage: Passage, encoder: SentenceEncoder, at: int | None) -> SupportResult:
    """The sentence holding offset `at` (the reader's closest span), else the one most like the question."""
    sentences = passage_sentences(passage) or [(passage.text, passage.start, passage.end)]
    cosines = encoder.encode([s for s, _, _ in sentences]) @ question_vector
    holding = [i for i, (_, start, end) in enumerate(sentences) if at is not None and start <= at < end]
    best = holding[0] if holding else int(np.argmax(cosines))
    text, start, end = sentences[best]
    return SupportResult(False, float(cosines[best]), text, start, end)


def closest_passages(
    question: str,
    passages: Sequence[Passage],
    encoder: SentenceEncoder,
    span_at: tuple[int, int] | None = None,
    count: int = COUNT,
) -> list[Citation]:
    """Up to `count` sources numbered 1..n, each with its sentence most similar to the question.

    `span_at`: (1-based passage number, offset in the source text) of the reader's closest span."""
    if not passages:
        return []
    question_vector = encoder.encode([question])[0]
    order = list(range(len(passages)))
    at: int | None = None
    if span_at is not None and 1 <= span_at[0] <= len(passages):
        order.remove(span_at[0] - 1)
        order.insert(0, span_at[0] - 1)
        at = span_at[1]
    found: list[Citation] = []
    seen: set[str] = set()
    for index in order:
        passage = passages[index]
        if passage.chunk_id in seen:
            continue
        seen.add(passage.chunk_id)
        result = _best_sentence(question_vector, passage, encoder, at if not found else None)
        found.append(citation_for(len(found) + 1, passage, result))
        if len(found) == count:
            break
    return found

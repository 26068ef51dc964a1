"""Sentence spans, from pysbd's rule-based segmenter (handles "U.N.", "Mr.", decimals).

pysbd ends a sentence at every line break, so hard-wrapped text would be cut mid-sentence:
text is first split into paragraphs (index/cleaning.py, which joins wrapped lines) and each
paragraph is segmented with its line breaks read as spaces (same length: offsets stay exact)."""

from __future__ import annotations

import threading
from functools import lru_cache

import pysbd

from index.cleaning import split_paragraphs

# A pysbd Segmenter keeps per-call state: one per thread, or concurrent answers mix spans.
_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    if not hasattr(_local, "segmenter"):
        _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return _local.segmenter


def paragraph_sentence_spans(paragraph: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, shifted by `offset`, whitespace trimmed."""
    spans = []
    for piece in _segmenter().segment(paragraph.replace("\n", " ")):
        start, end = piece.start, piece.end
        while start < end and paragraph[start].isspace():
            start += 1
        while end > start and paragraph[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((offset + start, offset + end))
    return spans


# Passages recur from question to question (the same chunks of the same articles), and each answer
# splits them several times (ranking, extraction, the citation check): ~5 ms a passage with pysbd.
SPLIT_TEXTS_KEPT = 4096


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, paragraph by paragraph, shifted by `offset`. The text
    may be a passage cut from a document (see `split_paragraphs`' fragments)."""
    return [(start + offset, end + offset) for start, end in _spans(text)]


@lru_cache(maxsize=SPLIT_TEXTS_KEPT)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(
        span
        for start, end in split_paragraphs(text, fragment=True)
        for span in paragraph_sentence_spans(text[start:end], start)
    )

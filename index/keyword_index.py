"""BM25 keyword index (bm25s) with English stop words and Snowball stemming; Chinese and Thai text is
cut into words first (index/word_segmentation.py), in chunks and queries alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.word_segmentation import segment_words


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _tokenize(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize([segment_words(t) for t in texts], stopwords="en", stemmer=_stemmer(), show_progress=False)


class KeywordIndex:
    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        retriever = bm25s.BM25()
        if texts:
            retriever.index(_tokenize(texts), show_progress=False)
        return cls(retriever, len(texts))

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) pairs with a positive score, best first; only `rows` when given
        (ranked among themselves, so all k come from them)."""
        k = min(k, self.size if rows is None else len(rows))
        if k <= 0:
            return []
        tokens = bm25s.tokenize([segment_words(query)], stopwords="en", stemmer=_stemmer(), show_progress=False, return_ids=False)
        if not tokens or not tokens[0]:
            return []
        # get_scores on the token strings: unknown words score zero instead of raising.
        scores = self.retriever.get_scores(tokens[0])
        if rows is None:
            best = np.argsort(-scores)[:k]
        else:
            allowed = np.asarray(rows, dtype=np.int64)
            best = allowed[np.argsort(-scores[allowed])[:k]]
        return [(int(r), float(scores[r])) for r in best if scores[r] > 0]

    def unknown_words(self, words: Sequence[str]) -> set[str]:
        """The words whose stems no chunk contains (a stop word is never unknown)."""
        unique = list(dict.fromkeys(words))
        if not unique:
            return set()
        vocabulary = self.retriever.vocab_dict if self.size else {}
        stems = bm25s.tokenize([segment_words(w) for w in unique], stopwords="en", stemmer=_stemmer(), show_progress=False, return_ids=False)
        return {word for word, own in zip(unique, stems, strict=True) if any(s not in vocabulary for s in own)}

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder))
        (folder / "size").write_text(str(self.size))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        size = int((folder / "size").read_text())
        retriever = bm25s.BM25.load(str(folder)) if size else bm25s.BM25()
        return cls(retriever, size)

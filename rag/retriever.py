"""Hybrid retrieval over the persisted index, returning passages with their metadata."""

from __future__ import annotations

from typing import Literal

from index.embedder import Embedder
from index.hybrid import Hit, HybridIndex
from rag.settings import RetrievalSettings
from rag.types import Passage

SearchMode = Literal["hybrid", "dense", "keyword"]


class Retriever:
    def __init__(self, index: HybridIndex, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def search(self, query: str, k: int | None = None, mode: SearchMode = "hybrid") -> list[Passage]:
        k = k or self.settings.top_k
        vector = self.embedder.embed([query])[0]
        if mode == "hybrid":
            hits = self.index.hybrid(query, vector, k, self.settings.candidates, self.settings.rrf_k)
            return [self._passage(hit.row, hit.score, hit.dense_score, hit.keyword_score) for hit in hits]
        if mode == "dense":
            return [self._passage(row, s, s, None) for row, s in self.index.dense(vector, k)]
        if mode == "keyword":
            # Cosine is still reported, so the relevance check works the same in every mode.
            return [
                self._passage(row, s, float(self.index.vectors[row] @ vector), s)
                for row, s in self.index.keyword(query, k)
            ]
        raise ValueError(f"unknown search mode {mode!r}; use hybrid, dense or keyword")

    def _passage(self, row: int, score: float, dense: float | None, keyword: float | None) -> Passage:
        chunk = self.index.chunks[row]
        meta = self.index.documents[chunk.doc_id]
        return Passage(
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            title=meta.title,
            outlet=meta.outlet,
            date=meta.date,
            date_note=meta.date_note,
            url=meta.url,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            paragraph=chunk.paragraph,
            score=score,
            dense_score=dense,
            keyword_score=keyword,
        )


__all__ = ["Hit", "Retriever", "SearchMode"]

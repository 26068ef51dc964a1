"""Hybrid retrieval over the index store, returning passages with their metadata.

Passages in other languages than English (index/cross_language.py) are ranked apart, in the
cross-language space, since MiniLM and the English keyword index cannot match them to an English
question. The rule that joins them: the best `cross_language_slots` of them take places in the top k
when their cross-language cosine to the question is at least the best English passage's (in the same
space) minus `cross_language_margin`; they go second, fourth, and so on, so an LLM that reads only the
first few passages reads them, and the best English passage stays first. On the multilingual dev set
(tune half) this took recall@6 of the supporting passage from 0.17 to 0.67 and left the seed
questions' recall on the same corpus at 0.97 (docs/evaluation-log.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

import numpy as np

from index.cross_language import cross_language_encoder, is_cross_language
from index.documents import pages_of_span
from index.embedder import Embedder
from index.store_protocol import DocIdFilter, Store, StoreHit, open_store
from rag.settings import RetrievalSettings, Settings
from rag.types import Passage

SearchMode = Literal["hybrid", "dense", "keyword"]
T = TypeVar("T")


def store_from_settings(settings: Settings) -> Store:
    """The store the settings name: PostgreSQL when `store.url` is set, else the embedded one."""
    url = settings.store.url.get_secret_value() if settings.store.url is not None else None
    return open_store(settings.paths.data_dir, url, settings.store.ef_search)


class Retriever:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        settings: RetrievalSettings,
        embed_queries: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        # How a query becomes a vector: the embedder, or a cache in front of it (the assistant's
        # sentence encoder, so that the reader does not embed the same question again).
        self.embed_queries = embed_queries or embedder.embed

    def search(
        self, query: str, k: int | None = None, mode: SearchMode = "hybrid", doc_ids: DocIdFilter = None
    ) -> list[Passage]:
        """The k best passages; only from `doc_ids` when given (the store filters before ranking)."""
        k = k or self.settings.top_k
        if mode not in ("hybrid", "dense", "keyword"):
            raise ValueError(f"unknown search mode {mode!r}; use hybrid, dense or keyword")
        # Between questions, take up what another process wrote (a stat-sized check when nothing did).
        self.store.reload_if_changed()
        vector = self.embed_queries([query])[0]
        if mode == "hybrid":
            hits = self.store.search_hybrid(
                query, vector, k, self.settings.candidates, self.settings.rrf_k, doc_ids=doc_ids
            )
            hits = self._with_cross_language(query, hits, k, doc_ids)
        elif mode == "dense":
            hits = self.store.search_dense(vector, k, doc_ids=doc_ids)
        else:
            hits = self.store.search_keyword(query, vector, k, doc_ids=doc_ids)
        return [_passage(hit) for hit in hits]


    def _with_cross_language(self, query: str, hits: list[StoreHit], k: int, doc_ids: DocIdFilter) -> list[StoreHit]:
        slots = min(self.settings.cross_language_slots, k)
        cross = self.store.search_cross_language(query, slots, doc_ids) if slots else []
        if not cross:
            return hits
        english = [hit for hit in hits if not is_cross_language(hit.document.language)]
        vectors = cross_language_encoder().embed([query] + [hit.chunk.text for hit in english])
        best_english = float(np.max(vectors[1:] @ vectors[0])) if english else -1.0
        taken = {hit.chunk.chunk_id for hit in hits}
        chosen = [hit for hit in cross if hit.dense_score is not None and hit.chunk.chunk_id not in taken
                  and hit.dense_score >= best_english - self.settings.cross_language_margin]
        return _interleave(hits[: k - len(chosen)], chosen)


def _interleave(first: list[T], second: list[T]) -> list[T]:
    """first[0], second[0], first[1], second[1], ..., then what is left of either."""
    merged: list[T] = []
    for i in range(max(len(first), len(second))):
        merged += first[i:i + 1] + second[i:i + 1]
    return merged


def _passage(hit: StoreHit) -> Passage:
    chunk, meta = hit.chunk, hit.document
    return Passage(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=meta.title,
        outlet=meta.outlet,
        date=meta.date,
        date_note=meta.date_note,
        date_estimated=meta.date_estimated,
        author=meta.author,
        url=meta.url,
        language=meta.language,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        paragraph=chunk.paragraph,
        score=hit.score,
        dense_score=hit.dense_score,
        keyword_score=hit.keyword_score,
        pages=pages_of_span(meta.page_starts, chunk.start, chunk.end),
        page_breaks=[s for s in meta.page_starts if chunk.start < s < chunk.end],
    )


__all__ = ["Retriever", "SearchMode", "store_from_settings"]

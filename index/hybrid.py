"""A loaded hybrid index: chunks, their vectors, FAISS and BM25, searched together; and the
cross-language vectors of the chunks in other languages (index/cross_language.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import faiss
import numpy as np

from index.chunking import Chunk
from index.documents import DocumentMeta
from index.fusion import reciprocal_rank_fusion
from index.keyword_index import KeywordIndex
from index.manifest import Manifest
from index.vector_index import search


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with the evidence for its rank."""

    row: int
    chunk: Chunk
    score: float  # fused RRF score
    dense_score: float | None  # cosine to the query; None if the dense search did not return it
    keyword_score: float | None
    dense_rank: int | None
    keyword_rank: int | None


@dataclass
class HybridIndex:
    manifest: Manifest
    documents: dict[str, DocumentMeta]
    chunks: list[Chunk]
    vectors: np.ndarray
    vector_index: faiss.Index
    keyword_index: KeywordIndex
    # The rows of chunks in another language than English, in order, and their cross-language vectors.
    cross_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cross_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    cross_index: faiss.Index | None = None
    _rows_by_doc: dict[str, list[int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for row, chunk in enumerate(self.chunks):
            self._rows_by_doc.setdefault(chunk.doc_id, []).append(row)

    def rows_of(self, doc_id: str) -> list[int]:
        return self._rows_by_doc.get(doc_id, [])

    def rows_of_docs(self, doc_ids: Collection[str] | None) -> np.ndarray | None:
        """The rows of these documents (None: no restriction), for searches limited to them."""
        if doc_ids is None:
            return None
        return np.array(sorted(r for d in set(doc_ids) for r in self.rows_of(d)), dtype=np.int64)

    def dense(self, query_vector: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        return search(self.vector_index, query_vector, k, rows)

    def cross_language(
        self, query_vector: np.ndarray, k: int, rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(row, cross-language cosine) of the chunks in other languages, best first; only `rows` when given."""
        if self.cross_index is None or not len(self.cross_rows):
            return []
        positions = None if rows is None else np.flatnonzero(np.isin(self.cross_rows, rows))
        return [(int(self.cross_rows[p]), s) for p, s in search(self.cross_index, query_vector, k, positions)]

    def keyword(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        return self.keyword_index.search(query, k, rows)

    def hybrid(
        self,
        query: str,
        query_vector: np.ndarray,
        k: int,
        candidates: int = 30,
        rrf_k: int = 60,
        rows: np.ndarray | None = None,
    ) -> list[Hit]:
        dense = self.dense(query_vector, candidates, rows)
        keyword = self.keyword(query, candidates, rows)
        fused = reciprocal_rank_fusion([[r for r, _ in dense], [r for r, _ in keyword]], k=rrf_k)
        dense_map = {r: (rank, s) for rank, (r, s) in enumerate(dense)}
        keyword_map = {r: (rank, s) for rank, (r, s) in enumerate(keyword)}
        hits = []
        for row, score in fused[:k]:
            d, kw = dense_map.get(row), keyword_map.get(row)
            cosine = d[1] if d else float(self.vectors[row] @ query_vector.reshape(-1))
            hits.append(
                Hit(
                    row=row,
                    chunk=self.chunks[row],
                    score=score,
                    dense_score=cosine,
                    keyword_score=kw[1] if kw else None,
                    dense_rank=d[0] if d else None,
                    keyword_rank=kw[0] if kw else None,
                )
            )
        return hits

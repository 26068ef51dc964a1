"""FAISS inner-product index over unit vectors (cosine), with the type chosen by size.

Rule: exact `IndexFlatIP` below 1M vectors, `IndexHNSWFlat` (M=32, efSearch=128) from 1M up.
Exact search costs ~11 ms at 100k and ~110 ms at 1M (384 dims, 2 cores), still interactive,
while our benchmark (eval/bench_ann.py) measured HNSW/IVF recall@10 well below 0.5 on synthetic
vectors at 100k-300k: for a tool people check facts with, exactness wins until latency forces
the switch. The index is rebuilt from stored vectors at each write, so HNSW's lack of deletion
does not matter here.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

EXACT_LIMIT = 1_000_000
HNSW_M = 32
HNSW_EF_SEARCH = 128


def choose_index_type(n_vectors: int) -> str:
    return "flat" if n_vectors < EXACT_LIMIT else "hnsw"


def build_index(vectors: np.ndarray, index_type: str | None = None) -> faiss.Index:
    dim = vectors.shape[1]
    kind = index_type or choose_index_type(len(vectors))
    index: faiss.Index
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        index = hnsw
    else:
        raise ValueError(f"unknown FAISS index type {kind!r}")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def search(
    index: faiss.Index, query: np.ndarray, k: int, rows: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(row, cosine) pairs, best first; rows index the stored chunk list.

    `rows`, when given, restricts the search to those rows before ranking, so all k results
    come from them (a filter applied after the top k could leave none)."""
    k = min(k, index.ntotal if rows is None else len(rows))
    if k <= 0:
        return []
    x = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    if rows is None:
        scores, found = index.search(x, k)
    else:
        # Exact over the allowed rows: an HNSW walk with a narrow selector misses some of the true top k
        # (7 of 10 in a trial), so an HNSW index is searched through its flat storage instead.
        flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index
        selector = faiss.IDSelectorBatch(np.asarray(rows, dtype=np.int64))
        # faiss's type stubs lack the selector parameter that its SWIG module has.
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        scores, found = flat.search(x, k, params=params)
    return [(int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0]


def write_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def read_index(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))


def set_single_query_threads(threads: int = 1) -> None:
    """One OpenMP thread was faster for single queries here, and far steadier under load."""
    faiss.omp_set_num_threads(threads)

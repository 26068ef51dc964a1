"""FAISS inner-product index over unit vectors (cosine), with the type chosen by size.

Rule (eval/bench_scale.py, vectors mixed from real embeddings, recall@10 >= 0.95 required):
exact `IndexFlatIP` below EXACT_LIMIT vectors, `IndexIVFFlat` (nlist = 4*sqrt(n), nprobe =
IVF_NPROBE) from there. See README "Benchmarks" for the table; the measured reasons are by the
constants. The index is rebuilt from stored vectors at each write, so neither HNSW's lack of
deletion nor IVF's training on the current vectors goes stale.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# Exact search is the only one always at recall 1; it cost 19 ms p50 at 100k vectors (1 thread),
# growing linearly (~50 ms at 250k), still small next to answer generation.
EXACT_LIMIT = 250_000
# IVF, not HNSW, past it: at 100k, FAISS HNSW (M=32) reached recall@10 0.91 only at efSearch 256,
# while IVF reached 0.97 at nprobe 32 and 0.99 at nprobe 64, in about 1 ms. At 1M, IVF nprobe 32
# gave 0.951 (too close to the line) and nprobe 64 gave 0.983 at 3.6 ms p50; exact took 181 ms,
# and HNSW (M=32) only 0.666 at efSearch 128 (the previous rule) and 0.769 at 256.
IVF_NPROBE = 64
IVF_TRAIN_PER_LIST = 40  # training sample: 40 vectors per list, enough for k-means, bounded time
HNSW_M = 32  # "hnsw" is still built on request
HNSW_EF_SEARCH = 128


def choose_index_type(n_vectors: int) -> str:
    return "flat" if n_vectors < EXACT_LIMIT else "ivf"


def _ivf(vectors: np.ndarray) -> faiss.Index:
    dim = vectors.shape[1]
    nlist = max(1, min(len(vectors), int(4 * np.sqrt(len(vectors)))))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), IVF_TRAIN_PER_LIST * nlist), replace=False)
    ivf.train(np.ascontiguousarray(vectors[np.sort(sample)], dtype=np.float32))  # seeded: same vectors, same index
    ivf.nprobe = IVF_NPROBE
    return ivf


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
    elif kind == "ivf":
        if not len(vectors):
            raise ValueError("an IVF index is trained on its vectors; there are none")
        index = _ivf(vectors)
    else:
        raise ValueError(f"unknown FAISS index type {kind!r}")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # rows can be read back, for the exact search within rows
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
    elif isinstance(index, faiss.IndexIVF):
        # IVF visits only nprobe lists, so a selector would miss allowed rows elsewhere: score them all.
        allowed = np.asarray(rows, dtype=np.int64)
        exact = index.reconstruct_batch(allowed) @ x[0]
        best = np.argsort(-exact, kind="stable")[:k]
        return [(int(allowed[i]), float(exact[i])) for i in best]
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
    index = faiss.read_index(str(path))
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # rebuilt on load, whatever the file kept
    return index


def set_single_query_threads(threads: int = 1) -> None:
    """One OpenMP thread was faster for single queries here, and far steadier under load."""
    faiss.omp_set_num_threads(threads)

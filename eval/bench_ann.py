"""FAISS index benchmarks on synthetic unit vectors: flat (exact) vs HNSW vs IVF.

Data: n random unit vectors (d=384, Gaussian then normalised). Two query sets:
  * "uniform": random unit vectors, the worst case for approximate search (no structure; the
    true top 10 are barely closer than the rest), and
  * "near": database vectors plus noise (cosine ~0.9 to their source), like a question whose
    answer passage is in the index.
Recall@10 is measured against exact IndexFlatIP results (top1_found: share of queries whose exact
nearest neighbour is returned first); latency is per single query (batch 1). Random 384-d data
has near-ties among the top 10, so recall@10 here is a pessimistic bound for real embeddings.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

import faiss
import numpy as np
import psutil

DIM = 384
IndexT = TypeVar("IndexT", bound=faiss.Index)
K = 10


def unit_vectors(n: int, seed: int, dim: int = DIM, chunk: int = 100_000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        block = rng.standard_normal((min(chunk, n - start), dim), dtype=np.float32)
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def near_queries(data: np.ndarray, n: int, seed: int, noise: float = 0.03) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picked = data[rng.choice(len(data), n, replace=False)]
    noisy = picked + noise * rng.standard_normal(picked.shape, dtype=np.float32)
    return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss / 2**20)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def single_query_ms(index: faiss.Index, queries: np.ndarray) -> tuple[float, np.ndarray]:
    """Median milliseconds per single query, and the top-K ids of every query."""
    times, ids = [], []
    for q in queries:
        start = time.perf_counter()
        _, found = index.search(q.reshape(1, -1), K)
        times.append(time.perf_counter() - start)
        ids.append(found[0])
    return statistics.median(times) * 1000, np.array(ids)


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(e)) / K for f, e in zip(found, exact, strict=True)]))


def measure(index: faiss.Index, queries: np.ndarray, exact_ids: np.ndarray) -> dict[str, float]:
    ms, found = single_query_ms(index, queries)
    top1 = float(np.mean(found[:, 0] == exact_ids[:, 0]))
    return {"median_ms": ms, "recall_at_10": recall(found, exact_ids), "top1_found": top1}


def _timed_build(make: Callable[[], IndexT]) -> tuple[IndexT, float, float]:
    gc.collect()
    before, start = rss_mb(), time.perf_counter()
    index = make()
    return index, time.perf_counter() - start, rss_mb() - before


def bench_size(n: int, n_queries: int = 200, ef_values: tuple[int, ...] = (16, 64, 128),
               nprobes: tuple[int, ...] = (8, 32), threads: tuple[int, ...] = (1, 2),
               skip_hnsw: str | None = None) -> dict[str, Any]:
    """All measurements at one size; `skip_hnsw` (a reason) leaves out the slow HNSW build."""
    data = unit_vectors(n, seed=n)
    query_sets = {"uniform": unit_vectors(n_queries, seed=7), "near": near_queries(data, n_queries, seed=8)}
    out: dict[str, Any] = {"n": n, "dim": DIM, "k": K, "n_queries": n_queries, "data_mb": data.nbytes / 2**20}
    faiss.omp_set_num_threads(1)

    def flat() -> faiss.IndexFlatIP:
        index = faiss.IndexFlatIP(DIM)
        index.add(data)
        return index

    index, build_s, mem = _timed_build(flat)
    exact: dict[str, np.ndarray] = {}
    out["flat"] = {"build_s": build_s, "index_mb": mem, "threads": {}}
    for t in threads:
        faiss.omp_set_num_threads(t)
        ms, exact_ids = single_query_ms(index, query_sets["uniform"])
        out["flat"]["threads"][str(t)] = {"median_ms": ms}
        exact["uniform"] = exact_ids
    faiss.omp_set_num_threads(1)
    exact["near"] = single_query_ms(index, query_sets["near"])[1]
    del index

    if skip_hnsw:
        out["hnsw_m32"] = {"skipped": skip_hnsw}
    else:
        out["hnsw_m32"] = bench_hnsw(data, query_sets, exact, ef_values, threads)

    nlist = int(min(2048, max(64, 2 * np.sqrt(n))))  # capped so the 1M k-means stays in minutes

    def ivf() -> faiss.IndexIVFFlat:
        quantizer = faiss.IndexFlatIP(DIM)
        index = faiss.IndexIVFFlat(quantizer, DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        faiss.omp_set_num_threads(max(threads))
        sample = data[np.random.default_rng(0).choice(n, min(n, 30 * nlist), replace=False)]
        index.train(sample)
        index.add(data)
        faiss.omp_set_num_threads(1)
        return index

    ivf_index, build_s, mem = _timed_build(ivf)
    out["ivf_flat"] = {"nlist": nlist, "build_s": build_s, "index_mb": mem, "nprobe": {}}
    for nprobe in nprobes:
        ivf_index.nprobe = nprobe
        out["ivf_flat"]["nprobe"][str(nprobe)] = {
            name: measure(ivf_index, q, exact[name]) for name, q in query_sets.items()
        }
    del ivf_index
    gc.collect()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def bench_hnsw(data: np.ndarray, query_sets: dict[str, np.ndarray], exact: dict[str, np.ndarray],
               ef_values: tuple[int, ...], threads: tuple[int, ...]) -> dict[str, Any]:
    def hnsw() -> faiss.IndexHNSWFlat:
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        faiss.omp_set_num_threads(max(threads))  # build with every core, search with one
        index.add(data)
        faiss.omp_set_num_threads(1)
        return index

    index, build_s, mem = _timed_build(hnsw)
    out: dict[str, Any] = {"build_s": build_s, "index_mb": mem, "ef_search": {}}
    for ef in ef_values:
        index.hnsw.efSearch = ef
        row: dict[str, Any] = {name: measure(index, q, exact[name]) for name, q in query_sets.items()}
        for t in threads:
            faiss.omp_set_num_threads(t)
            row[f"threads_{t}_median_ms"] = single_query_ms(index, query_sets["near"])[0]
        faiss.omp_set_num_threads(1)
        out["ef_search"][str(ef)] = row
    return out

"""The embedded index type by size, and the IVF index that the rule picks past EXACT_LIMIT."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.vector_index import EXACT_LIMIT, IVF_NPROBE, build_index, choose_index_type, read_index, search, write_index


def test_exact_below_the_limit_ivf_from_it() -> None:
    assert choose_index_type(0) == choose_index_type(EXACT_LIMIT - 1) == "flat"
    assert choose_index_type(EXACT_LIMIT) == choose_index_type(10 * EXACT_LIMIT) == "ivf"


def test_ivf_survives_a_round_trip_and_finds_stored_vectors(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(4000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    write_index(build_index(vectors, "ivf"), tmp_path / "faiss.index")
    index = read_index(tmp_path / "faiss.index")
    assert index.ntotal == len(vectors) and index.nprobe == IVF_NPROBE
    probes = rng.choice(len(vectors), 20, replace=False)
    assert [search(index, vectors[i], 1)[0][0] for i in probes] == probes.tolist()
    rows = np.sort(rng.choice(len(vectors), 30, replace=False))  # needs the direct map, rebuilt on load
    query = vectors[rows[0]] + 0.1 * rng.normal(size=32).astype(np.float32)
    exact = rows[np.argsort(-(vectors[rows] @ query))[:5]]
    assert [r for r, _ in search(index, query, 5, rows)] == exact.tolist()

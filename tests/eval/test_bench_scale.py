"""The scale benchmark's realistic vectors and its choice of index (the run itself takes minutes)."""

from __future__ import annotations

import numpy as np
import pytest

from eval.bench_scale import Row, fastest_meeting_target, mixtures, recall


def test_mixtures_are_unit_convex_mixtures_of_two_or_three_sources() -> None:
    real = np.eye(64, 80, dtype=np.float32)  # 64 orthogonal "embeddings"
    vectors, heaviest = next(mixtures(real, 500, np.random.default_rng(0), noise=0.0))
    assert vectors.shape == (500, 80)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors[:, 64:] == 0).all() and (vectors >= 0).all()  # only the sources, no noise
    used = (vectors > 1e-6).sum(axis=1)
    assert set(used.tolist()) <= {1, 2, 3} and (used >= 2).mean() > 0.9  # repeated picks can coincide
    assert (vectors.argmax(axis=1) == heaviest).mean() > 0.95  # all but picks of one source twice
    noisy, _ = next(mixtures(real, 500, np.random.default_rng(0), noise=0.3))
    assert (np.abs(noisy[:, 64:]) > 0).all()  # noise everywhere, still unit length
    assert np.allclose(np.linalg.norm(noisy, axis=1), 1.0, atol=1e-5)


def test_recall_and_the_choice_of_index() -> None:
    exact = np.arange(20).reshape(2, 10)
    assert recall([list(range(10)), list(range(10, 15)) + [99] * 5], exact) == pytest.approx(0.75)
    rows = [
        Row(10, "faiss exact", "flat", 0, 1, 20.0, 30.0, 1.0),
        Row(10, "faiss ivf", "nprobe=8", 1, 1, 0.2, 0.3, 0.90),
        Row(10, "faiss ivf", "nprobe=64", 1, 1, 1.0, 1.5, 0.99),
        Row(10, "pgvector hnsw", "ef=40", 1, 1, 0.1, 0.2, 0.99),  # not an embedded index
    ]
    best = fastest_meeting_target(rows, 10)
    assert best is not None and best.setting == "nprobe=64"
    assert fastest_meeting_target(rows, 11) is None


def test_bad_sizes_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from eval.bench_scale import main

    with pytest.raises(SystemExit):
        main(["--sizes", "100k"])
    assert "comma-separated integers" in capsys.readouterr().err

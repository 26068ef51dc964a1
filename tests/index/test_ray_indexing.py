"""`rag index --ray ADDRESS` on a real two-node Ray cluster (two `ray start` processes on loopback):
the index it builds equals a local fp32 build, and both nodes embed."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from index.corpus_store import CorpusStore
from index.embedder import EmbedderConfig, SentenceTransformerEmbedder
from index.pg_local import LocalPostgres
from index.ray_embedder import texts_to_embed
from index.ray_local import LocalRayCluster, free_port, local_ray_cluster
from index.store import IndexStore
from rag.cli import app
from rag.settings import Settings
from tests.conftest import SEED_CORPUS

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="the `ray` extra is not installed (pip install -e '.[dev]' installs it)"
)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[LocalRayCluster]:
    with local_ray_cluster(nodes=2, cpus_per_node=1) as cluster:  # killed at the end, also after failures
        yield cluster


@pytest.fixture
def index_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """fp32 locally too (vectors must match), torch queries (no ONNX export), no sentence cache (speed)."""
    monkeypatch.setenv("RAG_EMBEDDER__PRECISION", "fp32")
    monkeypatch.setenv("RAG_EMBEDDER__QUERY_BACKEND", "torch")
    monkeypatch.setenv("RAG_RETRIEVAL__SENTENCE_CACHE_MAX", "0")


def flat(text: str) -> str:
    """Output without the terminal's line wrapping."""
    return " ".join(text.split())


def run_index(corpus: Path, data: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["index", "--corpus-dir", str(corpus), "--data-dir", str(data), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def load_index(data: Path) -> tuple[list[str], np.ndarray]:
    settings = Settings()
    embedder = SentenceTransformerEmbedder(EmbedderConfig())  # id and dimension only; loads nothing
    index = IndexStore(data).load(embedder.model_id, embedder.dimension, settings.chunker)
    return [c.chunk_id for c in index.chunks], index.vectors


@needs_ray
@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside ray.data
def test_ray_build_equals_local_build(ray_cluster: LocalRayCluster, index_env: None, tmp_path: Path) -> None:
    import ray

    ray.init(address=ray_cluster.address, logging_level=logging.WARNING, log_to_driver=False, configure_logging=False)
    try:
        alive = [node for node in ray.nodes() if node["Alive"]]
    finally:
        ray.shutdown()
    assert len(alive) == 2

    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    output = run_index(corpus, tmp_path / "ray_data", "--ray", ray_cluster.address)
    run_index(corpus, tmp_path / "local_data")

    spread = re.search(r"embedded on (\d+) Ray node", flat(output))
    assert spread is not None, output
    assert int(spread.group(1)) == 2, output  # both nodes' actors embedded chunks
    ray_ids, ray_vectors = load_index(tmp_path / "ray_data")
    local_ids, local_vectors = load_index(tmp_path / "local_data")
    assert ray_ids == local_ids and len(ray_ids) > 10
    assert ray_vectors.shape == local_vectors.shape
    assert float(np.abs(ray_vectors - local_vectors).max()) < 1e-5
    assert IndexStore(tmp_path / "ray_data").read_manifest().embedder_precision == "fp32"

    # What a next `--ray` run would send to the cluster: nothing for an unchanged corpus.
    documents, chunker = CorpusStore(corpus).documents(), Settings().chunker
    assert texts_to_embed(IndexStore(tmp_path / "ray_data"), documents, chunker, rebuild=False) == []
    assert len(texts_to_embed(IndexStore(tmp_path / "ray_data"), documents, chunker, rebuild=True)) == len(ray_ids)


@needs_ray
@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside ray.data
def test_ray_build_into_postgres_equals_local_build(
    ray_cluster: LocalRayCluster,
    pg_server: LocalPostgres,
    index_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The same Ray embedding written to the shared store: PostgreSQL + pgvector holds the chunk ids
    and vectors of a local embedded build."""
    import psycopg

    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    run_index(corpus, tmp_path / "local_data")
    url = pg_server.new_database()
    monkeypatch.setenv("RAG_STORE__URL", url)
    output = run_index(corpus, tmp_path / "unused", "--ray", ray_cluster.address)
    assert re.search(r"embedded on \d+ Ray node", flat(output)) is not None, output

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT chunk_id, embedding::text FROM rag_chunks").fetchall()
        precision = conn.execute("SELECT embedder_precision FROM rag_manifest").fetchone()
    pg_vectors = {chunk_id: np.array(json.loads(text), dtype=np.float32) for chunk_id, text in rows}
    local_ids, local_vectors = load_index(tmp_path / "local_data")
    assert sorted(pg_vectors) == sorted(local_ids) and len(local_ids) > 10
    stacked = np.stack([pg_vectors[chunk_id] for chunk_id in local_ids])
    assert float(np.abs(stacked - local_vectors).max()) < 1e-5
    assert precision == ("fp32",)
    assert not (tmp_path / "unused" / "CURRENT").exists()  # nothing went to the embedded store


@needs_ray
def test_unreachable_cluster_is_a_clear_error_not_a_hang(index_env: None, tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = CliRunner().invoke(
        app, ["index", "--corpus-dir", str(SEED_CORPUS), "--data-dir", str(tmp_path / "data"), "--ray", address]
    )
    assert result.exit_code == 2
    assert "cannot reach the Ray cluster" in flat(result.output) and address in flat(result.output)
    assert time.monotonic() - started < 30
    assert not (tmp_path / "data" / "CURRENT").exists()


def test_malformed_address_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["index", "--data-dir", str(tmp_path / "data"), "--ray", "no-port-here"])
    assert result.exit_code == 2
    assert "HOST:PORT" in flat(result.output)


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when Ray is not installed
    result = CliRunner().invoke(app, ["index", "--data-dir", str(tmp_path / "data"), "--ray", "127.0.0.1:6379"])
    assert result.exit_code == 2
    assert "pip install -e '.[ray]'" in flat(result.output)

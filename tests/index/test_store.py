"""The persisted index: manifest checks, incremental updates, corruption, crash safety."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkerConfig
from index.corpus_store import CorpusStore
from index.embedder import load_embedder
from index.manifest import CorruptIndexError, IndexMismatchError
from index.store import IndexStore, NoIndexError
from rag.settings import Settings

pytestmark = pytest.mark.slow
SEEDS = Path(__file__).resolve().parents[2] / "corpus"


def build(settings: Settings) -> tuple[IndexStore, object]:
    embedder = load_embedder(settings.embedder)
    store = IndexStore(settings.paths.data_dir)
    report = store.update(CorpusStore(settings.paths.corpus_dir).documents(), embedder, settings.chunker)
    return store, report


def load(store: IndexStore, settings: Settings):  # type: ignore[no-untyped-def]
    embedder = load_embedder(settings.embedder)
    return store.load(embedder.model_id, embedder.dimension, settings.chunker)


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match="rag index"):
        IndexStore(tmp_path).load("x", 384, ChunkerConfig())


def test_manifest_mismatch_is_refused(small_corpus: Settings) -> None:
    store, _ = build(small_corpus)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        store.load("sentence-transformers/other-model", 384, small_corpus.chunker)
    with pytest.raises(IndexMismatchError, match="dimension 384"):
        store.load(small_corpus.embedder.model_id, 768, small_corpus.chunker)
    with pytest.raises(IndexMismatchError, match="chunker"):
        store.load(small_corpus.embedder.model_id, 384, ChunkerConfig(max_tokens=128))


def test_add_and_remove_embed_only_that_document(small_corpus: Settings) -> None:
    store, first = build(small_corpus)
    assert sorted(first.added) == ["001_6b63a1e1db25d1e7", "004_830bf3688af14f07"]  # type: ignore[attr-defined]
    before = load(store, small_corpus)
    old_rows = before.rows_of("001_6b63a1e1db25d1e7")

    CorpusStore(small_corpus.paths.corpus_dir).add(SEEDS / "003_6f1c126e6cebdb67.txt")
    _, second = build(small_corpus)
    assert len(second.added) == 1 and second.unchanged == sorted(first.added)  # type: ignore[attr-defined]
    added_chunks = len(load(store, small_corpus).rows_of(second.added[0]))  # type: ignore[attr-defined]
    assert second.chunks_embedded == added_chunks  # type: ignore[attr-defined]
    after = load(store, small_corpus)
    # Unchanged documents keep their vectors bit for bit (reused, not re-embedded).
    assert np.array_equal(after.vectors[after.rows_of("001_6b63a1e1db25d1e7")], before.vectors[old_rows])

    assert CorpusStore(small_corpus.paths.corpus_dir).remove("004_830bf3688af14f07")
    _, third = build(small_corpus)
    assert third.removed == ["004_830bf3688af14f07"] and third.chunks_embedded == 0  # type: ignore[attr-defined]
    final = load(store, small_corpus)
    assert "004_830bf3688af14f07" not in {c.doc_id for c in final.chunks}
    assert final.vector_index.ntotal == len(final.chunks) == final.keyword_index.size


def test_corrupt_index_file_is_detected_and_rebuilt(small_corpus: Settings) -> None:
    store, _ = build(small_corpus)
    generation = store.current_generation()
    assert generation is not None
    with (generation / "faiss.index").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(CorruptIndexError, match=r"faiss.index.*rebuild"):
        load(store, small_corpus)
    _, report = build(small_corpus)  # an update after corruption re-embeds everything
    assert report.chunks_embedded > 0  # type: ignore[attr-defined]
    assert load(store, small_corpus).vector_index.ntotal > 0


def test_unreadable_manifest_is_a_clear_error(small_corpus: Settings) -> None:
    store, _ = build(small_corpus)
    generation = store.current_generation()
    assert generation is not None
    (generation / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptIndexError, match="unreadable"):
        load(store, small_corpus)


_INDEXER = """
import sys
from rag.assistant import update_index
from tests.conftest import make_settings
from pathlib import Path
update_index(make_settings(Path(sys.argv[1]), Path(sys.argv[2])))
"""


def test_killed_indexing_leaves_previous_index_loadable(small_corpus: Settings, tmp_path: Path) -> None:
    store, _ = build(small_corpus)
    before = load(store, small_corpus)
    # Make the next run long: 12 new documents to embed.
    for i in range(12):
        text = (SEEDS / "003_6f1c126e6cebdb67.txt").read_text()
        (small_corpus.paths.corpus_dir / f"copy{i:02d}.txt").write_text(f"Copy {i}.\n{text}")
    proc = subprocess.Popen(
        [sys.executable, "-c", _INDEXER, str(small_corpus.paths.corpus_dir), str(small_corpus.paths.data_dir)],
        cwd=Path(__file__).resolve().parents[2],
    )
    deadline = time.time() + 120
    partial: list[Path] = []
    while time.time() < deadline and not partial:
        partial = [
            p
            for p in small_corpus.paths.data_dir.glob(".gen-*.tmp")
            if (p / "chunks.partial.jsonl").exists() and (p / "chunks.partial.jsonl").stat().st_size > 0
        ]
        time.sleep(0.05)
    assert partial, "the indexer never started writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert partial[0].exists()  # killed mid-write: the unfinished generation is on disk
    after = load(store, small_corpus)  # ...and the previous one still loads, unchanged
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    _, report = build(small_corpus)  # the next writer cleans up and finishes the job
    assert len(report.added) == 12  # type: ignore[attr-defined]
    assert not list(small_corpus.paths.data_dir.glob(".gen-*.tmp"))
    shutil.rmtree(small_corpus.paths.data_dir)


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf"])
def test_search_within_rows_is_exact_for_every_index_type(index_type: str) -> None:
    from index.keyword_index import KeywordIndex
    from index.vector_index import build_index, search

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(5000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = build_index(vectors, index_type)
    rows = np.sort(rng.choice(len(vectors), 40, replace=False))
    query = rng.normal(size=32).astype(np.float32)
    exact = rows[np.argsort(-(vectors[rows] @ query))[:10]]
    found = search(index, query, 10, rows)
    assert [r for r, _ in found] == exact.tolist()  # the true top 10 of the rows, not of the whole index
    assert search(index, query, 10, np.array([], dtype=np.int64)) == []

    texts = ["scam compound workers freed", "police raid", "workers recruited online", "weather report"]
    keyword = KeywordIndex.build(texts)
    assert [r for r, _ in keyword.search("workers", 5)] in ([0, 2], [2, 0])
    assert [r for r, _ in keyword.search("workers", 5, np.array([1, 2, 3]))] == [2]

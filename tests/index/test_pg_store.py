"""PostgreSQL + pgvector specifics: schema and indexes, one-statement hybrid search, agreement with
the embedded store, settings, and clear errors (never showing a password)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from index.chunking import ChunkerConfig
from index.documents import Document, DocumentMeta, load_corpus
from index.embedder import load_embedder
from index.store import IndexStore
from index.store_protocol import Store, StoreUnavailableError
from tests.index.pg_server import LocalPostgres

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "eval" / "gold.jsonl"


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return load_embedder()


@pytest.fixture(scope="module")
def both_stores(pg_server: LocalPostgres, embedder, tmp_path_factory) -> Iterator[tuple[Store, Store]]:  # type: ignore[no-untyped-def]
    """The seed corpus in the embedded store and in PostgreSQL, both open."""
    from index.pg_store import PgStore

    documents = load_corpus(ROOT / "corpus")
    embedded = IndexStore(tmp_path_factory.mktemp("embedded"))
    pg = PgStore(pg_server.new_database())
    for store in (embedded, pg):
        store.update(documents, embedder, ChunkerConfig())
        store.open(embedder.model_id, embedder.dimension, ChunkerConfig())
    yield embedded, pg
    pg.close()


def test_schema_has_hnsw_and_gin_indexes_used_by_the_hybrid_query(both_stores, embedder) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    from pgvector.psycopg import register_vector

    from index.pg_store import BM25_B, BM25_K1, COMMON_TERMS, HYBRID_SQL, _vector

    _, pg = both_stores
    with psycopg.connect(pg.url, autocommit=True) as conn:
        indexes = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rag_chunks'").fetchall())
        assert "USING hnsw (embedding vector_ip_ops)" in indexes["rag_chunks_embedding_hnsw"]
        assert "USING gin (tsv)" in indexes["rag_chunks_tsv_gin"]
        register_vector(conn)
        conn.execute("SET enable_seqscan = off")  # 33 rows: without this the planner rightly scans
        query = "How many people are held in Myanmar?"
        params = {"q": _vector(embedder.embed([query])[0]), "text": query, "k": 6, "candidates": 30, "rrf_k": 60,
                  "k1": BM25_K1, "b": BM25_B, **COMMON_TERMS}  # fmt: skip
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + HYBRID_SQL, params).fetchall())
    # One statement reads both indexes and fuses them.
    assert "rag_chunks_embedding_hnsw" in plan and "rag_chunks_tsv_gin" in plan


def test_results_agree_with_the_embedded_store(both_stores, embedder) -> None:  # type: ignore[no-untyped-def]
    embedded, pg = both_stores
    questions = [json.loads(line)["question"] for line in GOLD.read_text().splitlines() if line.strip()][:30]
    same_top, overlap = 0, 0.0
    for question in questions:
        vector = embedder.embed([question])[0]
        ours = [h.chunk.chunk_id for h in embedded.search_hybrid(question, vector, 6)]
        theirs = [h.chunk.chunk_id for h in pg.search_hybrid(question, vector, 6)]
        dense_ours = embedded.search_dense(vector, 1)[0]
        dense_theirs = pg.search_dense(vector, 1)[0]
        assert dense_ours.chunk.chunk_id == dense_theirs.chunk.chunk_id, question
        assert dense_ours.dense_score == pytest.approx(dense_theirs.dense_score, abs=1e-5)
        same_top += ours[0] == theirs[0]
        overlap += len(set(ours) & set(theirs)) / 6
    # Keyword scoring differs in tokenisation (PostgreSQL's English parser vs bm25s), so not identical.
    assert same_top >= 0.8 * len(questions), same_top
    assert overlap / len(questions) >= 0.8, overlap / len(questions)


def test_keyword_half_at_scale_finds_chunks_by_the_rarer_words(pg_server: LocalPostgres, embedder) -> None:  # type: ignore[no-untyped-def]
    """From COMMON_FROM_CHUNKS chunks on, a word in many chunks only adds to the score of chunks found
    by the query's rarer words; with too few such chunks, every chunk holding a word is scored.
    Thresholds lowered here make ten one-chunk articles behave as a large archive."""
    import random

    import psycopg
    from pgvector.psycopg import register_vector

    from index.pg_store import BM25_B, BM25_K1, KEYWORD_SQL, PgStore, _vector

    words = ["river", "mountain", "harbour", "lantern", "orchard", "meadow", "copper", "violin", "marble", "saddle", "thunder", "pepper"]

    def filler(n: int, seed: int) -> str:
        pick = random.Random(seed).choice
        return " ".join(pick(words) for _ in range(n))

    def article(doc_id: str, text: str) -> Document:
        return Document(meta=DocumentMeta(doc_id=doc_id, title=doc_id), text=text)

    # "scam" is in 7 of 10 chunks (common), "Geneva" in 3 long ones (rare); chunk "a" repeats "scam"
    # in a short text, so plain BM25 ranks it above the Geneva chunks.
    articles = [article("a", "Scam scam scam scam scam scam scam scam.")]
    articles += [article(f"g{i}", f"Delegates met in Geneva. {filler(150, i)}.") for i in range(3)]
    articles += [article(f"s{i}", f"A scam was reported. {filler(40, 10 + i)}.") for i in range(6)]
    url = pg_server.new_database()
    store = PgStore(url)
    store.update(articles, embedder, ChunkerConfig())
    store.close()

    plain = {"common_from": 1e18, "common_share": 1.0}
    scaled = {"common_from": 0, "common_share": 0.35}
    with psycopg.connect(url, autocommit=True) as conn:
        register_vector(conn)

        def keyword(query: str, candidates: int, common: dict[str, float]) -> list[str]:
            params = {"q": _vector(embedder.embed([query])[0]), "text": query, "candidates": candidates,
                      "k1": BM25_K1, "b": BM25_B, **common}  # fmt: skip
            return [row[0] for row in conn.execute(KEYWORD_SQL, params).fetchall()]

        assert keyword("scam Geneva", 3, plain) == ["a", "g0", "g1"]
        # Three chunks hold the rarer word, enough for three candidates: only they are ranked.
        assert keyword("scam Geneva", 3, scaled) == ["g0", "g1", "g2"]
        # Four candidates: too few chunks hold "Geneva", so plain BM25 over every chunk.
        assert keyword("scam Geneva", 4, scaled) == keyword("scam Geneva", 4, plain)
        # Only common words: nothing rarer to find chunks by, so plain BM25.
        assert keyword("scam", 5, scaled) == keyword("scam", 5, plain)


def test_settings_url_selects_postgres(pg_server: LocalPostgres, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from index.pg_store import PgStore
    from rag.retriever import store_from_settings
    from rag.settings import Settings

    url = pg_server.new_database()
    monkeypatch.setenv("RAG_STORE__URL", url)
    monkeypatch.setenv("RAG_PATHS__DATA_DIR", str(tmp_path / "unused"))
    settings = Settings()
    assert isinstance(settings.store.url, SecretStr) and url not in repr(settings)
    store = store_from_settings(settings)
    try:
        assert isinstance(store, PgStore) and not store.exists()
    finally:
        store.close()
    monkeypatch.delenv("RAG_STORE__URL")
    assert isinstance(store_from_settings(Settings()), IndexStore)
    assert not (tmp_path / "unused").exists()  # the PostgreSQL store never touched the data folder


def test_unreachable_database_is_a_clear_error_without_the_password() -> None:
    from index.pg_store import PgStore

    store = PgStore("postgresql://reader:s3cret-pass@127.0.0.1:1/archive")
    assert store.location == "postgresql://reader@127.0.0.1:1/archive"
    with pytest.raises(StoreUnavailableError, match=r"cannot connect .*127\.0\.0\.1:1/archive") as caught:
        store.exists()
    assert "s3cret-pass" not in str(caught.value)


def test_cli_fails_cleanly_when_the_database_is_down(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "RAG_STORE__URL": "postgresql://reader:s3cret-pass@127.0.0.1:1/archive"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rag")), "search", "Myanmar"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot connect to the index database" in done.stderr and "Traceback" not in done.stderr
    assert "s3cret-pass" not in done.stdout + done.stderr

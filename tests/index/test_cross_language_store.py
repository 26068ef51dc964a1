"""Passages in Chinese and Thai in both stores: cross-language vectors for them alone, found by
English questions, and their words segmented for keyword search."""

from __future__ import annotations

import pytest

from index.chunking import ChunkerConfig
from index.documents import Document, DocumentMeta
from index.embedder import load_embedder
from index.store import IndexStore
from tests.index.conftest import StoreMaker
from tests.index.test_store_protocol import FIRST, opened, seed

pytestmark = pytest.mark.slow

# Short articles in our own words; the facts are made up for the test and appear in no seed.
CHINESE = (
    "妙瓦底警方解救三百一十二名外国人\n\n"
    "缅甸妙瓦底警方周二在一次突击行动中解救了312名被困在电信诈骗园区的外国人，其中大部分来自埃塞俄比亚和肯尼亚。"
    "警方逮捕了园区的14名管理人员，并查获了大量手机和电脑。"
)
THAI = (
    "ตำรวจจับผู้ต้องสงสัยลักลอบขนสตาร์ลิงก์\n\n"
    "ตำรวจไทยจับกุมผู้ต้องสงสัย 27 คนที่อำเภอแม่สอด จังหวัดตาก "
    "ฐานลักลอบนำอุปกรณ์อินเทอร์เน็ตดาวเทียมสตาร์ลิงก์ข้ามชายแดนไปยังเมียนมาเพื่อส่งให้แก๊งคอลเซ็นเตอร์"
)


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return load_embedder()


def article(doc_id: str, text: str, language: str) -> Document:
    meta = DocumentMeta(doc_id=doc_id, title=text.splitlines()[0], outlet="Test Wire", language=language)
    return Document(meta=meta, text=text)


def mixed() -> list[Document]:
    return [*seed(FIRST), article("zh-rescue", CHINESE, "zh"), article("th-starlink", THAI, "th")]


def test_english_questions_find_chinese_and_thai_passages(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update(mixed(), embedder, ChunkerConfig())
    opened(store, embedder)
    rescue = store.search_cross_language("How many foreigners did police rescue from a scam compound in Myawaddy?", 2)
    starlink = store.search_cross_language("Who was arrested for smuggling Starlink kits into Myanmar?", 2)
    assert [h.chunk.doc_id for h in rescue] == ["zh-rescue", "th-starlink"]
    assert starlink[0].chunk.doc_id == "th-starlink"
    # Only chunks of articles in other languages are in this ranking; the cosine is reported.
    assert all(h.document.language in ("zh", "th") and h.dense_score is not None for h in rescue + starlink)
    only = store.search_cross_language("How many foreigners were rescued?", 5, doc_ids=["th-starlink"])
    assert [h.chunk.doc_id for h in only] == ["th-starlink"]
    store.close()


def test_an_english_archive_has_no_cross_language_ranking(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update(seed(FIRST), embedder, ChunkerConfig())
    opened(store, embedder)
    assert store.search_cross_language("How many people are held in scam compounds?", 2) == []
    store.close()


def test_names_in_chinese_and_thai_script_match_by_keyword(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update(mixed(), embedder, ChunkerConfig())
    opened(store, embedder)
    vector = embedder.embed(["妙瓦底"])[0]
    assert store.search_keyword("妙瓦底警方", vector, 3)[0].chunk.doc_id == "zh-rescue"
    assert store.search_keyword("แม่สอด", vector, 3)[0].chunk.doc_id == "th-starlink"
    # The name as a question types it, alone, matches where the article writes it inside a sentence.
    assert store.search_keyword("妙瓦底", vector, 3)[0].chunk.doc_id == "zh-rescue"
    assert store.unknown_words(["妙瓦底", "Zamboanga"]) == {"Zamboanga"}
    store.close()


def test_changing_other_articles_keeps_the_cross_language_passages(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    store.update(mixed(), embedder, ChunkerConfig())
    store.upsert([article("zh-rescue", CHINESE, "zh"), *seed(FIRST)], embedder, ChunkerConfig())
    store.delete([FIRST], embedder, ChunkerConfig())
    opened(store, embedder)
    hits = store.search_cross_language("How many foreigners did police rescue in Myawaddy?", 1)
    assert [h.chunk.doc_id for h in hits] == ["zh-rescue"]
    # The language corrected to English takes the article out of the cross-language ranking.
    store.update([article("zh-rescue", CHINESE, "en"), article("th-starlink", THAI, "th")], embedder, ChunkerConfig())
    store.reload_if_changed()
    assert {h.chunk.doc_id for h in store.search_cross_language("rescue in Myawaddy", 5)} == {"th-starlink"}
    store.close()


def test_only_the_other_languages_get_cross_language_vectors(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    store = IndexStore(tmp_path / "data")
    store.update(mixed(), embedder, ChunkerConfig())
    index = store.load(embedder.model_id, embedder.dimension, ChunkerConfig())
    foreign = [row for row, chunk in enumerate(index.chunks) if chunk.doc_id in ("zh-rescue", "th-starlink")]
    assert index.cross_rows.tolist() == foreign and index.cross_vectors.shape == (len(foreign), 512)


def test_a_postgres_index_of_the_previous_schema_is_refused_then_rebuilt(pg_server, embedder) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    from index.manifest import IndexMismatchError
    from index.pg_store import PgStore

    url = pg_server.new_database()
    store = PgStore(url)
    store.update(mixed(), embedder, ChunkerConfig())
    with psycopg.connect(url, autocommit=True) as conn:  # what a version-1 database looks like
        conn.execute("ALTER TABLE rag_chunks DROP COLUMN cross_embedding, DROP COLUMN keyword_text CASCADE")
        conn.execute("UPDATE rag_manifest SET schema_version = 1")
    with pytest.raises(IndexMismatchError, match="schema version 1"):
        opened(PgStore(url), embedder)
    store.update(mixed(), embedder, ChunkerConfig(), rebuild=True)
    opened(store, embedder)
    assert store.search_cross_language("How many foreigners did police rescue in Myawaddy?", 1)[0].chunk.doc_id == "zh-rescue"
    store.close()

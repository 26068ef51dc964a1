"""A metadata-only change, run against both stores: vectors reused, the new metadata in every hit."""

from __future__ import annotations

import pytest

from index.chunking import ChunkerConfig
from index.documents import Document
from index.embedder import load_embedder
from tests.index.conftest import StoreMaker
from tests.index.test_store_protocol import FIRST, SECOND, found_docs, opened, search_all, seed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return load_embedder()


def test_metadata_change_reuses_vectors_and_reaches_search_hits(make_store: StoreMaker, embedder) -> None:  # type: ignore[no-untyped-def]
    chunker = ChunkerConfig()
    store = make_store()
    docs = seed(FIRST, SECOND)
    store.update(docs, embedder, chunker)
    opened(store, embedder)
    query = "people held in Myanmar scam centres"
    before = {h.chunk.chunk_id: h.dense_score for hits in search_all(store, embedder, query).values() for h in hits}

    edited = Document(meta=docs[0].meta.model_copy(update={"outlet": "Harbour Gazette", "date": "2023-08-31"}),
                      text=docs[0].text)
    assert edited.content_hash == docs[0].content_hash and edited.meta_hash != docs[0].meta_hash
    report = store.update([edited, docs[1]], embedder, chunker)
    assert report.chunks_embedded == 0 and sorted(report.unchanged) == sorted([FIRST, SECOND])
    assert not store.is_stale([edited, docs[1]]) and store.is_stale(docs)

    store.reload_if_changed()
    assert store.documents()[FIRST].outlet == "Harbour Gazette"
    assert store.read_manifest().documents[FIRST].meta_hash == edited.meta_hash
    hits = [h for hits in search_all(store, embedder, query).values() for h in hits]
    assert FIRST in found_docs(store, embedder, query)
    for hit in hits:
        if hit.chunk.doc_id == FIRST:
            assert (hit.document.outlet, hit.document.date) == ("Harbour Gazette", "2023-08-31")
    after = {h.chunk.chunk_id: h.dense_score for h in hits}
    for chunk_id, score in after.items():  # the same vectors: the same scores
        if chunk_id in before and score is not None and before[chunk_id] is not None:
            assert score == pytest.approx(before[chunk_id], abs=1e-5)

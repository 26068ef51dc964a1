import itertools
from pathlib import Path

import pytest

from index.chunking import ChunkerConfig, chunk_document, count_tokens
from index.documents import Document, DocumentMeta, load_corpus

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.parametrize("max_tokens,overlap", [(200, 40), (64, 16), (32, 0)])
def test_chunk_text_equals_source_span(max_tokens: int, overlap: int) -> None:
    config = ChunkerConfig(max_tokens=max_tokens, overlap_tokens=overlap)
    for doc in load_corpus(CORPUS):
        chunks = chunk_document(doc, config)
        assert chunks
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.token_count <= max_tokens
            assert chunk.doc_id == doc.doc_id
            assert chunk.chunk_id == f"{doc.doc_id}:{chunk.ordinal}"


def test_chunks_end_on_sentence_boundaries_and_overlap() -> None:
    doc = next(d for d in load_corpus(CORPUS) if d.doc_id.startswith("003"))
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=120, overlap_tokens=40))
    assert all(c.text.rstrip()[-1] in '.”"!?' for c in chunks[:-1])
    shared = [doc.text[b.start : a.end] for a, b in itertools.pairwise(chunks) if b.start < a.end]
    assert len(shared) >= 3
    assert all(count_tokens(text) <= 40 for text in shared)


def test_paragraph_numbers_and_removed_text_not_in_chunks() -> None:
    doc = next(d for d in load_corpus(CORPUS) if d.doc_id.startswith("004"))
    chunks = chunk_document(doc)
    assert all("Register Log in" not in c.text and "Dadparvar" not in c.text for c in chunks)
    assert [c.paragraph for c in chunks] == sorted(c.paragraph for c in chunks)


def test_overlong_sentence_is_split_to_fit() -> None:
    text = "Word " * 600 + "end."
    doc = Document(meta=DocumentMeta(doc_id="long", title="t"), text=text)
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=100, overlap_tokens=0))
    assert len(chunks) >= 6
    assert all(count_tokens(c.text) <= 100 and text[c.start : c.end] == c.text for c in chunks)

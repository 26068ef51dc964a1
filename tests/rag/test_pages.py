"""Page numbers on passages and citations: from the page starts of a PDF to "p. 14"."""

from __future__ import annotations

from index.chunking import Chunk
from index.documents import DocumentMeta
from index.store_protocol import StoreHit
from rag.retriever import _passage
from rag.types import Passage, page_label

STARTS = [0, 100, 250]


def hit(start: int, end: int, page_starts: list[int]) -> StoreHit:
    text = "x" * (end - start)
    chunk = Chunk(chunk_id="d:0", doc_id="d", ordinal=0, start=start, end=end, text=text, paragraph=1, token_count=1)
    return StoreHit(chunk=chunk, document=DocumentMeta(doc_id="d", title="t", page_starts=page_starts),
                    score=1.0, dense_score=0.5, keyword_score=None)


def test_passage_within_one_page() -> None:
    passage = _passage(hit(120, 200, STARTS))
    assert passage.pages == [2] and passage.page_breaks == []


def test_passage_across_a_page_break_gives_both_pages() -> None:
    passage = _passage(hit(80, 140, STARTS))
    assert passage.pages == [1, 2] and passage.page_breaks == [100]
    assert passage.pages_of(85, 95) == [1]  # a quote before the break
    assert passage.pages_of(100, 130) == [2]  # a quote starting where page 2 begins
    assert passage.pages_of(90, 110) == [1, 2]  # a quote across it
    assert passage.model_dump(mode="json")["pages"] == [1, 2]


def test_passage_of_a_text_without_pages() -> None:
    passage = _passage(hit(80, 140, []))
    assert passage.pages == [] and passage.pages_of(85, 95) == []
    assert Passage.model_validate({**passage.model_dump(), "pages": []}).pages == []


def test_page_label() -> None:
    assert page_label([14]) == "p. 14"
    assert page_label([14, 15]) == "pp. 14–15"
    assert page_label([]) == ""

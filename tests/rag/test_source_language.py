"""An article's language travels from its metadata to passages, citations and every source line."""

from __future__ import annotations

from index.chunking import Chunk
from index.documents import DocumentMeta
from index.store_protocol import StoreHit
from rag.citations import citation_for
from rag.cli import console, print_answer
from rag.export import reference_line
from rag.retriever import _passage
from rag.support_result import SupportResult
from rag.types import Answer, AnswerStatus, Passage
from ui.render import sources_html

QUOTE = "缅甸军方突袭了诈骗园区。"


def passage_in(language: str) -> Passage:
    chunk = Chunk(chunk_id="d:0", doc_id="d", ordinal=0, start=0, end=len(QUOTE), text=QUOTE, paragraph=1, token_count=9)
    meta = DocumentMeta(doc_id="d", title="KK Park raid", outlet="Example Daily", language=language)
    return _passage(StoreHit(chunk=chunk, document=meta, score=1.0, dense_score=0.5, keyword_score=None))


def answer_citing(passage: Passage) -> Answer:
    citation = citation_for(1, passage, SupportResult(True, 0.9, QUOTE, 0, len(QUOTE)))
    return Answer(question="q", text="2,000 [1].", status=AnswerStatus.ANSWERED, refused=False,
                  citations=[citation], passages=[passage], backend_requested="llm", backend_used="llm")


def test_the_passage_and_its_citation_carry_the_articles_language() -> None:
    passage = passage_in("zh")
    assert passage.language == "zh"
    citation = answer_citing(passage).citations[0]
    assert citation.language == "zh" and citation.model_dump(mode="json")["language"] == "zh"


def test_source_lines_name_a_language_other_than_english() -> None:
    chinese, english = answer_citing(passage_in("zh")), answer_citing(passage_in("en"))
    assert "language zh" in sources_html(chinese, 0) and "language" not in sources_html(english, 0)
    with console.capture() as captured:
        print_answer(chinese)
    assert "language zh" in captured.get()
    with console.capture() as captured:
        print_answer(english)
    assert "language" not in captured.get()
    assert "language zh" in reference_line(1, chinese.citations[0])
    assert "language" not in reference_line(1, english.citations[0])

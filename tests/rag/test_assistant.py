"""End to end through the Python API on the seed corpus, extractive backend."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from index.chunking import ChunkerConfig, chunk_document
from index.documents import Document, DocumentMeta
from rag.assistant import Assistant, QuestionError, update_index
from rag.settings import Settings
from rag.types import REFUSAL_PHRASE, AnswerStatus

pytestmark = pytest.mark.slow


def test_myanmar_figure_with_quote(assistant: Assistant) -> None:
    answer = assistant.ask("How many people are held in Myanmar?")
    assert answer.status is AnswerStatus.ANSWERED
    assert "120,000" in answer.text and answer.text.lower().startswith("at least 120,000")
    assert answer.citations and all("120,000" in c.quote for c in answer.citations)
    for c in answer.citations:
        source = (assistant.settings.paths.corpus_dir / f"{c.doc_id}.txt").read_text()
        assert source[c.quote_start : c.quote_end] == c.quote
        assert source[c.passage_start : c.passage_end] == c.passage
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.backend_used == "extractive"
    assert {"retrieve_s", "generate_s", "check_s"} <= answer.timings.keys()


def test_the_question_is_embedded_once_for_retrieval_and_reading(assistant: Assistant) -> None:
    question = "How many people were held in the compounds this test alone asks about?"
    assistant.search(question)
    cached = assistant.encoder.cache[question]  # put there by the retriever; the reader finds it
    assert np.allclose(cached, assistant.retriever.embedder.embed([question])[0], atol=1e-5)


def test_answer_is_fast_once_loaded(assistant: Assistant) -> None:
    assistant.ask("How many people are held in Cambodia?")
    durations = []
    for _ in range(3):
        start = time.perf_counter()
        assistant.ask("How many people are held in Myanmar?")
        durations.append(time.perf_counter() - start)
    print(f"answer latency, median of 3: {sorted(durations)[1] * 1000:.0f} ms")


@pytest.mark.parametrize(
    "question",
    ["Who won the 2022 World Cup?", "How many people are held in Vietnam?", "What is the capital of France?"],
)
def test_uncovered_questions_are_refused(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.refused and answer.status is AnswerStatus.REFUSED
    assert answer.text == REFUSAL_PHRASE and answer.reason
    assert not answer.citations


@pytest.mark.parametrize("question,message", [("", "empty"), ("   \n\t ", "empty"), ("x" * 10_000, "10,000")])
def test_bad_questions_get_clear_errors(assistant: Assistant, question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        assistant.ask(question)


def test_search_modes(assistant: Assistant) -> None:
    for mode in ("hybrid", "dense", "keyword"):
        passages = assistant.search("Mekong region scam industry worth", k=3, mode=mode)  # type: ignore[arg-type]
        assert passages and any("43.8 billion" in p.text for p in passages), mode


def test_langchain_retriever(assistant: Assistant) -> None:
    from rag.langchain_retriever import CorpusRetriever

    docs = CorpusRetriever(assistant=assistant, k=3).invoke("How many people are held in Myanmar?")
    assert len(docs) == 3 and any("120,000" in d.page_content for d in docs)
    assert {"doc_id", "title", "start", "end"} <= set(docs[0].metadata)


def test_parallel_answers_equal_serial_ones(assistant: Assistant) -> None:
    """Answers run in parallel threads on the page and API: shared caches must not mix them up."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [
        "How many people are held in Myanmar?",
        "How many people are held in Cambodia?",
        "Who runs the scam compounds?",
        "How are victims recruited?",
        "Who won the 2022 World Cup?",
        "What did OHCHR report?",
    ] * 3
    assistant.encoder.cache.clear()
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(assistant.ask, questions))
    assistant.encoder.cache.clear()
    serial = [assistant.ask(q) for q in questions]
    assert [(a.question, a.text, [c.quote for c in a.citations]) for a in parallel] == [
        (a.question, a.text, [c.quote for c in a.citations]) for a in serial
    ]


LISTED_ARTICLE = Path(__file__).resolve().parent / "data" / "raids_listed_over_chunks.txt"


def test_a_list_cut_by_chunk_boundaries_is_answered_whole(small_corpus: Settings) -> None:
    """Small chunks put the list's introduction and its items in three chunks: the chunks after a
    passage that stops inside a list are read too, and each item is cited where it is."""
    small_corpus.chunker = ChunkerConfig(max_tokens=60, overlap_tokens=0)
    shutil.copy(LISTED_ARTICLE, small_corpus.paths.corpus_dir)
    update_index(small_corpus)
    chunks = chunk_document(Document(meta=DocumentMeta(doc_id="x", title="t"), text=LISTED_ARTICLE.read_text()), small_corpus.chunker)
    assert not any(all(name in c.text for name in ("Tarsa", "Velm", "Kade")) for c in chunks)  # no chunk holds the list

    answer = Assistant.load(small_corpus).ask("In which provinces did police carry out raids between 14 and 16 July?")
    assert answer.status is AnswerStatus.ANSWERED
    assert all(name in answer.text for name in ("Tarsa", "Velm", "Orrin", "Kade")), answer.text
    assert len({c.chunk_id for c in answer.citations}) >= 2  # the items are cited in the chunks that hold them

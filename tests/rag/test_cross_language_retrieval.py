"""English questions find passages in Chinese and Thai (rag/retriever.py's rule): the closest of them
take places in the top k when they are about as close as the best English passage, second and fourth."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.corpus_store import CorpusStore
from rag.assistant import Assistant, update_index
from rag.settings import Settings
from tests.index.test_cross_language_store import CHINESE, THAI

pytestmark = pytest.mark.slow


@pytest.fixture
def mixed_assistant(small_corpus: Settings, tmp_path: Path) -> Assistant:
    """Two English seed articles and, added as `rag add` adds them, one Chinese and one Thai article."""
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "rescue_zh.txt").write_text(CHINESE, encoding="utf-8")
    (folder / "starlink_th.txt").write_text(THAI, encoding="utf-8")
    report = CorpusStore(small_corpus.paths.corpus_dir).add(folder)
    assert not report.errors and len(report.added) == 2
    update_index(small_corpus)
    return Assistant.load(small_corpus)


def languages(passages: list) -> list[str]:  # type: ignore[type-arg]
    return [p.language for p in passages]


def test_a_chinese_passage_is_found_second(mixed_assistant: Assistant) -> None:
    found = mixed_assistant.retriever.search("How many foreigners did police rescue from a scam compound in Myawaddy?")
    assert len(found) == mixed_assistant.settings.retrieval.top_k
    assert found[0].language == "en" and found[1].language == "zh"
    assert "312" in found[1].text


def test_a_thai_passage_is_found_by_an_english_question(mixed_assistant: Assistant) -> None:
    found = mixed_assistant.retriever.search("How many suspects were arrested in Mae Sot for smuggling Starlink kits?")
    assert "th" in languages(found[:4])  # within what an LLM backend reads (max_passages_llm)


def test_an_english_question_on_an_english_topic_keeps_english_passages_first(mixed_assistant: Assistant) -> None:
    found = mixed_assistant.retriever.search("How many people are held in scam centres in Cambodia, according to the UN?")
    assert found[0].language == "en" and "100,000" in found[0].text


def test_no_slots_no_cross_language_passages(mixed_assistant: Assistant) -> None:
    mixed_assistant.retriever.settings.cross_language_slots = 0
    try:
        found = mixed_assistant.retriever.search("How many foreigners did police rescue from a scam compound in Myawaddy?")
    finally:
        mixed_assistant.retriever.settings.cross_language_slots = 2
    assert "zh" not in languages(found)

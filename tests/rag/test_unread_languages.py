"""The extractive reader does not pretend to read a language it cannot: a passage in another
language is not read, the refusal still shows it among the closest passages, and the answer says why."""

from __future__ import annotations

from rag.assistant import Assistant
from rag.reader.candidates import rank_sentences
from rag.reader.question import analyse
from rag.types import AnswerStatus, Passage

# Written for this test: the army detained 2,000 people at KK Park and seized 30 Starlink terminals.
CHINESE = "军方在KK园区拘留了2,000人，并没收了30台Starlink终端。"
ENGLISH = "The army said it had seized 30 Starlink terminals at KK Park."


def passage(text: str, doc: str, language: str) -> Passage:
    return Passage(chunk_id=f"{doc}:0", doc_id=doc, title=f"Report {doc}", text=text, start=0, end=len(text),
                   paragraph=0, dense_score=0.8, language=language)


def test_sentences_of_an_unread_language_are_no_candidates(assistant: Assistant) -> None:
    encoder = assistant.encoder
    question = analyse("How many Starlink terminals were seized?")
    ranked = rank_sentences(question, [passage(CHINESE, "z", "zh"), passage(ENGLISH, "e", "en")], encoder)
    assert ranked and {c.passage_no for c in ranked} == {2}


def test_a_passage_in_another_language_is_shown_not_read(assistant: Assistant) -> None:
    answer = assistant.answer_from_passages(
        "How many Starlink terminals were seized at KK Park?", [passage(CHINESE, "z", "zh")], backend="extractive"
    )
    assert answer.status is AnswerStatus.REFUSED
    assert [c.quote for c in answer.closest] == [CHINESE] and answer.closest[0].language == "zh"
    assert any("passages in zh were retrieved but not read" in w for w in answer.warnings)


def test_english_passages_are_read_beside_it(assistant: Assistant) -> None:
    answer = assistant.answer_from_passages(
        "How many Starlink terminals were seized at KK Park?",
        [passage(CHINESE, "z", "zh"), passage(ENGLISH, "e", "en")],
        backend="extractive",
    )
    assert answer.status is AnswerStatus.ANSWERED and "30" in answer.text
    assert [c.doc_id for c in answer.citations] == ["e"]

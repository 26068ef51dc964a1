"""Questions with invalid text (lone surrogates, NULs, control characters) are cleaned or refused."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant, QuestionError, clean_question
from rag.types import REFUSAL_PHRASE


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Who runs the compounds?\ud800", "Who runs the compounds?"),
        ("\udfffHow many\x00 people?", "How many people?"),
        ("tab\there\r\nnew line\x1b[31m", "tab here new line [31m"),
        ("Cafe\u0301", "Café"),  # NFC
    ],
)
def test_clean_question(raw: str, clean: str) -> None:
    assert clean_question(raw) == clean


@pytest.mark.slow
def test_lone_surrogate_question_is_answered_not_crashed(assistant: Assistant) -> None:
    answer = assistant.ask("How many people are held in Myanmar?\ud800")
    assert answer.status == "answered" and "120,000" in answer.text


@pytest.mark.slow
@pytest.mark.parametrize("question", ["\ud800\udfff", "\x00\x00", "\ud83d", "   \x07  "])
def test_question_of_only_invalid_characters_is_refused_clearly(assistant: Assistant, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        assistant.ask(question)


@pytest.mark.slow
def test_follow_up_history_with_surrogates(assistant: Assistant) -> None:
    answer = assistant.ask("And in Cambodia?", history=[("How many people are held in Myanmar?\ud800", "At least 120,000\udc00")])
    assert answer.text == REFUSAL_PHRASE or "100,000" in answer.text

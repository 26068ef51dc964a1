"""Answers of the types the span model reads (`SPAN_TYPES`), end to end through the extractive
backend: the model picks the span, the type's extractor decides whether there is an answer, the
citation checker checks it. Invented passages; the last test uses the seed articles."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.reader.reader import SPAN_TYPES
from rag.types import REFUSAL_PHRASE, AnswerStatus
from tests.rag.reader.test_answer_types import ask, passage

pytestmark = pytest.mark.slow


def test_the_span_types_are_read_by_the_model(assistant: Assistant) -> None:
    assert assistant.generator("extractive").reader.span_types == SPAN_TYPES  # type: ignore[attr-defined]


def test_a_count_comes_with_the_noun_it_counts(assistant: Assistant) -> None:
    text = (
        "Police said 4,000 people were held at Golden Lotus Park before the raid in May. "
        "The park lies on the river bank opposite the border town."
    )
    answer = ask(assistant, "How many people were held at Golden Lotus Park?", passage(text, "a"))
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.text.startswith("4,000 people [1]")
    assert answer.citations[0].quote.startswith("Police said 4,000 people")


def test_a_figure_of_another_compound_is_refused_though_the_model_reads_it(assistant: Assistant) -> None:
    about_x = passage(
        "Golden Lotus Park was raided by soldiers in May. Separately, 2,500 people were held at the Silver Reef "
        "compound across the river, officials said.",
        "x",
    )
    about_y = passage("Some 2,500 people were held at the Silver Reef compound, according to the officials.", "y")
    answer = ask(assistant, "How many people were held at Golden Lotus Park?", about_x, about_y)
    assert answer.text == REFUSAL_PHRASE


def test_figures_of_two_sources_are_shown_with_their_dates(assistant: Assistant) -> None:
    older = passage("About 100,000 people are held in scam compounds in Laos.", "o", date="2023-05-02", outlet="Old Post")
    newer = passage("At least 150,000 people are held in scam compounds in Laos.", "n", date="2025-09-10", outlet="New Post")
    answer = ask(assistant, "How many people are held in scam compounds in Laos?", older, newer)
    assert "Sources differ" in answer.text
    assert "2023-05-02" in answer.text and "2025-09-10" in answer.text
    assert {c.doc_id for c in answer.citations} == {"o", "n"}


def test_a_seed_question(assistant: Assistant) -> None:
    answer = assistant.ask("How many people are held in scam compounds in Myanmar?")
    assert answer.status is AnswerStatus.ANSWERED and "120,000" in answer.text
    assert all(c.quote in c.passage for c in answer.citations)

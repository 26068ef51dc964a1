"""The combined backend's "extractive-gates" policy: when the LLM's reading replaces the extractive
answer. The LLM here is a fixed reading (the policy, not a model, is under test; the real model
runs through the same policy in tests/rag/test_llm_reader.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from rag.assistant import Assistant
from rag.generators.base import Draft
from rag.generators.combined import CombinedGenerator
from rag.generators.extractive import ExtractiveGenerator
from rag.types import REFUSAL_PHRASE, Passage
from tests.rag.llm_fixtures import PASSAGES, passage

PASSAGES_SEEN = [p.model_copy(update={"dense_score": 0.8}) for p in PASSAGES]
REPORT = [
    passage(
        1,
        "The report on the compounds was written by Pia Oberoi, a senior adviser at the UN human rights office. "
        "It was published in Geneva in August 2023.",
        dense_score=0.8,
    )
]
WHO = "Who wrote the report on the compounds?"


class FixedReading:
    """A reader that always gives the same draft, and counts how often it was asked."""

    name = "fixed"

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        self.asked += 1
        return Draft(text=self.text, backend=self.name, extra={"mode": "reader"})

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text


def gates(assistant: Assistant, reading: FixedReading, supported: bool = True) -> CombinedGenerator:
    return CombinedGenerator(
        ExtractiveGenerator(assistant.encoder), lambda: reading, "local", "extractive-gates", lambda _d, _p: supported
    )


@pytest.mark.parametrize(
    "reading,answered_by",
    [
        ("Pia Oberoi [1].", "local reader"),  # a name from a cited sentence replaces the extractive one
        ("UN [1].", "extractive"),  # a "who" answered with an agency
        ("The report on the compounds [1].", "extractive"),  # nothing the question does not say
        (REFUSAL_PHRASE, "extractive"),
    ],
)
def test_the_llm_answers_only_with_an_answer_of_the_asked_type(
    assistant: Assistant, reading: str, answered_by: str
) -> None:
    fixed = FixedReading(reading)
    extractive = ExtractiveGenerator(assistant.encoder).generate(WHO, REPORT)
    assert extractive.extra["answer_type"] == "person" and extractive.text != REFUSAL_PHRASE
    draft = gates(assistant, fixed).generate(WHO, REPORT)
    assert fixed.asked == 1 and draft.extra["answered_by"] == answered_by
    assert draft.text == (reading if answered_by == "local reader" else extractive.text)
    if answered_by == "extractive":
        assert draft.extra["llm_overruled"]


def test_a_reading_that_fails_the_citation_check_leaves_the_extractive_answer(assistant: Assistant) -> None:
    fixed = FixedReading("Pia Oberoi [1].")
    draft = gates(assistant, fixed, supported=False).generate(WHO, REPORT)
    assert draft.extra["answered_by"] == "extractive" and "Oberoi" in draft.text
    assert draft.extra["llm_overruled"] == "the LLM's reading failed the citation check"


def test_refusals_metadata_lists_and_figures_are_the_extractive_readers(assistant: Assistant) -> None:
    fixed = FixedReading("Something else [1].")
    combined = gates(assistant, fixed)
    assert combined.generate("Who owns the compounds in Myanmar?", PASSAGES_SEEN).text == REFUSAL_PHRASE
    outlet = combined.generate("Which outlet published the UN estimate?", PASSAGES_SEEN)
    assert outlet.extra["answer_type"] == "metadata" and outlet.extra["answered_by"] == "extractive"
    countries = combined.generate("In which countries are people held?", PASSAGES_SEEN)
    assert countries.extra["answer_type"] == "list" and countries.extra["answered_by"] == "extractive"
    assert "Cambodia" in countries.text and "Myanmar" in countries.text
    # A typed figure stands: the extractive reader checks its scope ("in Myanmar"), a small LLM does not.
    figure = combined.generate("How many people are held in Myanmar?", PASSAGES_SEEN)
    assert figure.extra["answer_type"] == "count" and "120,000" in figure.text
    assert figure.extra["answered_by"] == "extractive"
    assert fixed.asked == 0  # the LLM was never asked


def test_the_assistant_checks_the_llms_reading_with_its_citation_checker(assistant: Assistant) -> None:
    """Through the registry, the policy's citation check is the assistant's own."""
    settings = assistant.settings.model_copy(deep=True)
    settings.answer.combined_policy = "extractive-gates"
    from rag.generators.registry import make_generator

    combined = make_generator("combined", settings, assistant.encoder)
    assert isinstance(combined, CombinedGenerator) and combined.supported is not None
    assert combined.supported("At least 100,000 people are involved against their will in Cambodia [1].", PASSAGES_SEEN)
    assert not combined.supported("Two million people are held in Laos [1].", PASSAGES_SEEN)


def test_the_answer_says_when_the_llms_reading_was_set_aside(assistant: Assistant) -> None:
    assistant.register_generator("gates-fixed-reading", gates(assistant, FixedReading("UN [1].")))
    answer = assistant.answer_from_passages(WHO, REPORT, backend="gates-fixed-reading")
    assert answer.text == "Pia Oberoi [1]." and answer.answered_by == "extractive"
    assert "answered by the extractive reader: the LLM's reading is no person answer" in answer.warnings
    assistant.register_generator("gates-fixed-name", gates(assistant, FixedReading("Pia Oberoi [1].")))
    taken = assistant.answer_from_passages(WHO, REPORT, backend="gates-fixed-name")
    assert taken.answered_by == "local reader" and not any("extractive reader" in w for w in taken.warnings)

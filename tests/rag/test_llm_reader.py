"""The LLM as a reader: JSON-schema constrained readings from a real model, in process (llama.cpp)
and over a real OpenAI-compatible server on loopback; and the combined backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.generators.combined import CombinedGenerator
from rag.generators.extractive import ExtractiveGenerator
from rag.generators.local_gguf import LocalGGUFGenerator
from rag.generators.openai_compatible import OpenAICompatibleGenerator
from rag.generators.reading import (
    NO_READING,
    READER_SCHEMA,
    NumberedSentences,
    answers_question,
    draft_from_reading,
    number_sentences,
    verification_messages,
)
from rag.generators.registry import make_generator
from rag.llama_server import llama_server
from rag.settings import LocalLLMSettings, OpenAISettings
from rag.types import REFUSAL_PHRASE
from tests.rag.llm_fixtures import PASSAGES, passage, smollm2

__all__ = ["smollm2"]  # the fixture is used by name

pytestmark = [pytest.mark.slow, pytest.mark.llm]
QUESTION = "How many people are held in Myanmar?"


def _valid_reading(raw: str) -> dict[str, object]:
    reading = json.loads(raw)
    assert set(READER_SCHEMA["required"]) <= set(reading)  # type: ignore[arg-type]
    assert isinstance(reading["answer"], str) and isinstance(reading["ids"], list)
    return reading


def test_numbered_sentences_map_back_to_passages() -> None:
    numbered = number_sentences(QUESTION, PASSAGES)
    assert numbered.text.startswith("S1. In Cambodia")
    assert numbered.passage_of == [1, 2, 2]
    assert draft_from_reading('{"answer": "120,000 people", "ids": [1]}', numbered) == (
        "120,000 people [1]."
    )
    # Ids that point nowhere, or an empty answer, are a refusal, never an uncited answer.
    assert draft_from_reading('{"answer": "x", "ids": [9]}', numbered) == REFUSAL_PHRASE
    assert draft_from_reading('{"answer": "", "ids": []}', numbered) == REFUSAL_PHRASE


def test_an_answer_figure_is_cited_to_the_sentence_that_states_it() -> None:
    """A small model copies a figure from one sentence and gives another's id: the sentence holding the
    figure is cited instead (the check would drop the answer whole); a figure no sentence holds, or ids
    that already hold it, are left to the check."""
    numbered = NumberedSentences(
        ["At least 120,000 people are held in Myanmar.", "警方解救了 330,000 人。", "Police raided the compound."],
        [1, 2, 3], other_languages=True,
    )
    assert draft_from_reading('{"answer": "330,000 people", "ids": [3]}', numbered) == "330,000 people [2]."
    assert draft_from_reading('{"answer": "120,000 people", "ids": [1]}', numbered) == "120,000 people [1]."
    assert draft_from_reading('{"answer": "45,000 people", "ids": [3]}', numbered) == "45,000 people [3]."
    assert draft_from_reading('{"answer": "The army", "ids": [3]}', numbered) == "The army [3]."


def test_a_reading_from_another_language_gets_a_second_look_at_the_sentences_it_cites() -> None:
    numbered = NumberedSentences(["Police raided the compound.", "警方解救了 330,000 人。"], [1, 2], other_languages=True)
    messages = verification_messages("How many people were freed?", '{"answer": "330,000", "ids": [1]}', numbered)
    assert messages is not None and messages[0]["role"] == "system"
    # The sentence holding the figure is the one shown, as it will be cited; the question and answer with it.
    assert "警方解救了 330,000 人。" in messages[1]["content"] and "Police raided" not in messages[1]["content"]
    assert "Question: How many people were freed?" in messages[1]["content"] and "Proposed answer: 330,000" in messages[1]["content"]
    assert verification_messages("q", NO_READING, numbered) is None  # a refusal has nothing to verify
    assert verification_messages("q", "not json", numbered) is None
    assert answers_question('{"answers_question": true}') and not answers_question('{"answers_question": false}')
    assert answers_question("garbled")  # an unreadable verdict leaves the reading to the citation check
    assert draft_from_reading(NO_READING, numbered) == REFUSAL_PHRASE


def test_the_assistant_reads_a_reader_mode_draft_whole(smollm2: Path) -> None:
    """In reader mode the assistant calls generate() (not stream()), so what the draft says besides its text
    (an answer translated, a reading set aside) reaches the answer's warnings."""
    reader = LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="reader"))
    writer = LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="writer"))
    assert reader.reports_answerer and not writer.reports_answerer


def test_reader_sees_only_the_best_sentences_in_passage_order(assistant: Assistant) -> None:
    """A short prompt is what makes a small model fast: the encoder picks the sentences it sees."""
    question = "What happens to people's passports when they arrive?"
    numbered = number_sentences(question, PASSAGES, assistant.encoder, max_sentences=1)
    assert numbered.text == "S1. On arrival their passports are confiscated and they are forced to run scams."
    assert numbered.passage_of == [2]
    both = number_sentences(question, PASSAGES, assistant.encoder, max_sentences=2)
    assert both.passage_of == sorted(both.passage_of) and "S2. On arrival" in both.text  # passage order


def test_local_reader_returns_a_schema_valid_reading(smollm2: Path) -> None:
    generator = LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="reader", max_tokens=120))
    draft = generator.generate(QUESTION, PASSAGES)
    _valid_reading(str(draft.extra["reading"]))
    assert draft.extra["mode"] == "reader"
    assert draft.text == REFUSAL_PHRASE or draft.text.rstrip(".").endswith("]")


def test_local_reader_is_deterministic_across_calls_and_other_prompts(smollm2: Path) -> None:
    """The fixed instructions are evaluated once and reused: the same question gives the same reading
    whether the model last answered it, another question, or a writer-mode prompt."""
    reader = LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="reader", max_tokens=120))
    writer = LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="writer", max_tokens=16))
    first = reader.read(QUESTION, PASSAGES).extra["reading"]
    assert reader.read(QUESTION, PASSAGES).extra["reading"] == first
    reader.read("Where are passports taken?", PASSAGES)
    assert reader.read(QUESTION, PASSAGES).extra["reading"] == first
    writer.generate(QUESTION, PASSAGES)  # the same model object, now holding another prompt
    assert reader.read(QUESTION, PASSAGES).extra["reading"] == first


@pytest.fixture(scope="module")
def server(smollm2: Path) -> Iterator[str]:
    with llama_server(smollm2, alias="smollm2") as (base_url, _proc):
        yield base_url


def test_openai_reader_sends_the_schema_to_a_real_server(server: str) -> None:
    settings = OpenAISettings(base_url=server, model="smollm2", mode="reader", json_format="json_object", max_tokens=120)
    draft = OpenAICompatibleGenerator(settings).generate(QUESTION, PASSAGES)
    _valid_reading(str(draft.extra["reading"]))


def test_combined_uses_the_typed_extractive_answer_and_says_so(assistant: Assistant, smollm2: Path) -> None:
    llm_built: list[str] = []

    def llm() -> LocalGGUFGenerator:
        llm_built.append("local")
        return LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="reader", max_tokens=120))

    combined = CombinedGenerator(ExtractiveGenerator(assistant.encoder), llm, "local", "typed-first")
    passages = [p.model_copy(update={"dense_score": 0.8}) for p in PASSAGES]
    typed = combined.generate(QUESTION, passages)
    assert typed.extra["answered_by"] == "extractive" and "120,000" in typed.text
    assert llm_built == []  # the model is not even loaded when the extractive reader answers
    near_miss = combined.generate("How many people are held in Vietnam?", passages)  # no passage names Vietnam
    assert near_miss.text == REFUSAL_PHRASE and near_miss.extra["answered_by"] == "extractive"
    assert llm_built == []  # a near miss is refused without asking the model
    untyped = combined.generate("What happens to people on arrival?", passages)
    assert untyped.extra["answered_by"] == "local reader" and llm_built == ["local"]


def test_answer_names_the_reader_that_answered(assistant: Assistant) -> None:
    passages = [p.model_copy(update={"dense_score": 0.8}) for p in PASSAGES]
    answer = assistant.answer_from_passages(QUESTION, passages, backend="combined")
    assert answer.backend_used == "combined" and answer.answered_by == "extractive"


def test_extractive_gates_policy_lets_the_extractive_reader_decide_whether(assistant: Assistant, smollm2: Path) -> None:
    """"extractive-gates": an extractive refusal, metadata answer or typed figure stands without loading
    the model; otherwise the real model's reading is the answer, unless the policy overrules it."""
    built: list[LocalGGUFGenerator] = []

    def llm() -> LocalGGUFGenerator:
        built.append(LocalGGUFGenerator(LocalLLMSettings(model_path=smollm2, mode="reader", max_tokens=120)))
        return built[-1]

    extractive = ExtractiveGenerator(assistant.encoder)
    gates = CombinedGenerator(extractive, llm, "local", "extractive-gates")
    passages = [p.model_copy(update={"dense_score": 0.8}) for p in PASSAGES]
    near_miss = gates.generate("How many people are held in Vietnam?", passages)
    assert near_miss.text == REFUSAL_PHRASE and near_miss.extra["answered_by"] == "extractive"
    outlet = gates.generate("Which outlet published the UN estimate?", passages)
    assert outlet.extra["answer_type"] == "metadata" and outlet.extra["answered_by"] == "extractive"
    assert outlet.text == extractive.generate("Which outlet published the UN estimate?", passages).text

    figure = gates.generate(QUESTION, passages)  # a typed figure: the extractive reader checks its scope
    assert figure.extra["answered_by"] == "extractive" and "120,000" in figure.text
    assert built == []  # none of these loaded the model

    who = "Who wrote the report on the compounds?"
    report = [
        passage(
            3,
            "The report on the compounds was written by Pia Oberoi, a senior adviser at the UN human rights office.",
            dense_score=0.8,
        )
    ]
    named = gates.generate(who, report)
    assert len(built) == 1 and named.extra["policy"] == "extractive-gates"
    reading = built[0].generate(who, report)  # greedy: the reading the policy saw
    if named.extra["answered_by"] == "extractive":
        assert named.text == extractive.generate(who, report).text == "Pia Oberoi [1]."
        assert named.extra["llm_overruled"]
    else:
        assert named.extra["answered_by"] == "local reader" and named.text == reading.text != REFUSAL_PHRASE


def test_combined_policy_is_a_setting(assistant: Assistant) -> None:
    settings = assistant.settings.model_copy(deep=True)
    settings.answer.combined_policy = "typed-first"
    generator = make_generator("combined", settings, assistant.encoder)
    assert isinstance(generator, CombinedGenerator) and generator.policy == "typed-first"
    default = make_generator("combined", assistant.settings, assistant.encoder)
    assert isinstance(default, CombinedGenerator) and default.policy == "extractive-gates"

"""Follow-up questions rewritten into standalone ones (rules, and an LLM callable)."""

from __future__ import annotations

import pytest

from rag.conversation import entities, is_followup, rewrite_followup, rewrite_followup_explained

MYANMAR_2023 = [("How many people were trafficked to Myanmar in 2023?", "About 120,000 were held [1].")]
KENYANS = [("Who trafficked Kenyans to Myanmar?", "Criminal gangs did [2].")]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and in Cambodia?", "How many people were trafficked to Cambodia in 2023?"),
        ("And what about Laos?", "How many people were trafficked to Laos in 2023?"),
        ("How about in the Philippines?", "How many people were trafficked to the Philippines in 2023?"),
        ("what about 2022?", "How many people were trafficked to Myanmar in 2022?"),
        ("Cambodia?", "How many people were trafficked to Cambodia in 2023?"),
        ("Who runs the compounds there?", "Who runs the compounds in Myanmar?"),
    ],
)
def test_rules_rewrite_followups(question: str, expected: str) -> None:
    assert rewrite_followup(question, MYANMAR_2023, llm=None) == expected


def test_pronoun_they_takes_the_group_not_the_place() -> None:
    assert rewrite_followup("How were they recruited?", KENYANS) == "How were Kenyans recruited?"
    assert rewrite_followup("What did their families pay?", KENYANS) == "What did Kenyans' families pay?"


def test_existential_there_is_not_a_place() -> None:
    q = "Are there children in the compounds?"
    assert rewrite_followup(q, MYANMAR_2023) == q


def test_standalone_questions_and_empty_history_unchanged() -> None:
    q = "How many people are held in Cambodia?"
    assert rewrite_followup(q, MYANMAR_2023) == q
    assert rewrite_followup("and in Cambodia?", []) == "and in Cambodia?"
    assert not is_followup(q)
    assert is_followup("and in Cambodia?")


def test_chain_of_followups_uses_the_resolved_previous_question() -> None:
    history = [*KENYANS, ("and to Cambodia?", "Also gangs [1].")]
    assert rewrite_followup("what about Laos?", history) == "Who trafficked Kenyans to Laos?"


def test_followup_without_entity_keeps_context_for_retrieval() -> None:
    out = rewrite_followup("And how many were rescued?", MYANMAR_2023)
    assert out.startswith("How many were rescued")
    assert "Myanmar" in out and "2023" in out


def test_entities_skip_sentence_initial_question_words() -> None:
    names = [s.text for s in entities("How many Kenyans were rescued from KK Park in Myawaddy in 2022")]
    assert names == ["Kenyans", "KK Park", "Myawaddy", "2022"]


def test_llm_rewrite_used_and_checked() -> None:
    prompts: list[str] = []

    def llm(prompt: str) -> str:
        prompts.append(prompt)
        return "Standalone question: How many people were trafficked to Cambodia in 2023?\n(extra line)"

    out = rewrite_followup_explained("and in Cambodia?", MYANMAR_2023, llm=llm)
    assert out.text == "How many people were trafficked to Cambodia in 2023?"
    assert out.method == "llm" and out.problem is None
    assert "User: How many people were trafficked to Myanmar in 2023?" in prompts[0]
    assert "[1]" not in prompts[0]  # citation markers are stripped from the history
    assert prompts[0].rstrip().endswith("Standalone question:")


@pytest.mark.parametrize("bad", ["", "   ", "The sources don't say.", "x" * 2000])
def test_unusable_llm_output_falls_back_to_rules(bad: str) -> None:
    out = rewrite_followup_explained("and in Cambodia?", MYANMAR_2023, llm=lambda _prompt: bad)
    assert out.text == "How many people were trafficked to Cambodia in 2023?"
    assert out.method == "rule" and out.problem == "the LLM's rewrite of the follow-up was unusable"


def test_failing_llm_falls_back_to_rules() -> None:
    def broken(_prompt: str) -> str:
        raise RuntimeError("server down")

    out = rewrite_followup_explained("and in Cambodia?", MYANMAR_2023, llm=broken)
    assert out.text.endswith("Cambodia in 2023?")
    assert out.method == "rule" and out.problem is not None and "server down" in out.problem


def test_llm_not_called_for_standalone_questions() -> None:
    def never(_prompt: str) -> str:
        raise AssertionError("called")

    q = "How many people are held in Cambodia?"
    assert rewrite_followup(q, MYANMAR_2023, llm=never) == q

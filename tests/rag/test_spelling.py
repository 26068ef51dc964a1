"""Misspelt question words: corrected only when the index lacks them and a retrieved word is one slip away."""

from __future__ import annotations

from collections import Counter

import pytest

from rag.assistant import Assistant
from rag.spelling import correct, corrected_question, nearest
from rag.types import AnswerStatus

PASSAGES = [
    "At least 120,000 people in Myanmar are held in scam compounds, the report says.",
    "People from Myanmar and Cambodia were trafficked; the trafficking networks span the Mekong.",
]


def test_unknown_words_are_read_as_the_nearest_retrieved_word() -> None:
    fixed = correct("How many poeple are held in Myanmr?", {"poeple", "Myanmr"}, PASSAGES)
    assert fixed.text == "How many people are held in Myanmar?"  # a swap of two letters is one edit
    assert fixed.replaced == (("poeple", "people"), ("Myanmr", "Myanmar"))
    assert "“Myanmr” as “Myanmar”" in fixed.note


def test_words_the_index_knows_are_never_changed() -> None:
    assert correct("How many poeple are held in Myanmr?", set(), PASSAGES).replaced == ()
    # Only the unknown word is looked at, even if another is one edit from a passage word.
    fixed = correct("How many peoples are held in Myanmr?", {"Myanmr"}, PASSAGES)
    assert fixed.text == "How many peoples are held in Myanmar?"


@pytest.mark.parametrize(
    "question, unknown",
    [
        ("How many are held in Vietnam?", {"Vietnam"}),  # no near word: a near miss stays one
        ("How many are held in Laso?", {"Laso"}),  # under five letters: too many neighbours
        ("How many are held in Nyanmar?", {"Nyanmar"}),  # a different first letter
        ("Who runs the Mekkong compounds?", set()),  # nothing unknown, nothing looked up
    ],
)
def test_no_correction_without_a_close_word(question: str, unknown: set[str]) -> None:
    assert correct(question, unknown, PASSAGES).text == question


def test_long_words_allow_two_edits_short_ones_one() -> None:
    vocabulary = Counter({"trafficking": 3, "people": 2, "compounds": 1})
    assert nearest("trafficing", vocabulary) == "trafficking"
    assert nearest("trafickin", vocabulary) == "trafficking"  # two edits, eleven letters
    assert nearest("pepl", vocabulary) is None
    assert nearest("poepel", vocabulary) is None  # six letters: two swaps is too many


def test_the_passages_are_only_fetched_when_a_word_is_unknown() -> None:
    fetched: list[bool] = []

    def texts() -> list[str]:
        fetched.append(True)
        return PASSAGES

    assert corrected_question("How many people are held?", lambda words: set(), texts).replaced == ()
    assert not fetched
    fixed = corrected_question("How many are held in Myanmr?", lambda words: {"Myanmr"} & set(words), texts)
    assert fixed.text == "How many are held in Myanmar?" and fetched


@pytest.mark.slow
def test_a_misspelt_question_is_answered_and_says_how_it_was_read(assistant: Assistant) -> None:
    answer = assistant.ask("How many poeple are held in Myanmr?")
    assert answer.status is AnswerStatus.ANSWERED and "120,000" in answer.text
    assert answer.standalone_question == "How many people are held in Myanmar?"
    assert any("“Myanmr” as “Myanmar”" in w for w in answer.warnings)

    plain = assistant.ask("How many people are held in Myanmar?")
    assert plain.standalone_question is None and not any("read “" in w for w in plain.warnings)
    assert plain.text == answer.text


def test_english_words_are_not_corrected_though_the_archive_lacks_them() -> None:
    # "share" is one edit from the passages' "shame", and no chunk has "share": it is still a word.
    passages = ["Survivors spoke of their shame at what they had been forced to do."]
    fixed = correct("What share of survivors felt shame?", {"share"}, passages)
    assert fixed.replaced == ()
    fixed = correct("What share of survivors felt shmae?", {"share", "shmae"}, passages)  # a real slip still is
    assert fixed.replaced == (("shmae", "shame"),)

"""Whether an answer from elsewhere (an LLM's reading) is of the asked type: rag.reader.answer_fit."""

from __future__ import annotations

import pytest

from rag.reader.answer_fit import fits_answer_type, locate
from rag.reader.answer_types import AnswerType
from tests.rag.llm_fixtures import passage

SOURCE = [
    passage(
        1,
        "The report was written by Pia Oberoi, a senior adviser at the UN human rights office. "
        "A Border Guard Force spokesman, Lieutenant-Colonel Naing Maung Zaw, gave the figure of 7,968. "
        "INTERPOL has been tracking the crime phenomenon for the past several years. "
        "Raids were held in Kandal province and Stung Treng in July 2025.",
    )
]


def test_the_answer_is_found_in_the_sentence_it_was_copied_from() -> None:
    sentence, start, end = locate("pia  OBEROI", SOURCE) or ("", 0, 0)
    assert sentence.startswith("The report was written") and sentence[start:end] == "Pia Oberoi"
    assert locate("Someone else entirely", SOURCE) is None


@pytest.mark.parametrize(
    "answer_type,question,answer,fits",
    [
        # In context; alone, spaCy's small model gives "Pia Oberoi." no entity at all.
        (AnswerType.PERSON, "Who authored the UN report?", "Pia Oberoi", True),
        (AnswerType.PERSON, "Who gave the figure?", "Lieutenant-Colonel Naing Maung Zaw", True),
        (AnswerType.PERSON, "Who authored the UN report?", "UN", False),  # an agency
        (AnswerType.PERSON, "Who gave the figure?", "The Border Guard Force spokesman", False),  # a title
        (AnswerType.PERSON, "Who is the Interpol chief?", "INTERPOL has been tracking the crime phenomenon", False),
        (AnswerType.COUNT, "How many foreigners were counted?", "7,968", True),
        (AnswerType.COUNT, "How many foreigners were counted?", "a few people", False),
        (AnswerType.PLACE, "Where were the raids held?", "Kandal province and Stung Treng", True),
        (AnswerType.PLACE, "Where were the raids held?", "the border", False),
        (AnswerType.DATE, "When were the raids held?", "July 2025", True),
        (AnswerType.DATE, "When were the raids held?", "recently", False),
        (AnswerType.ORGANISATION, "Which office does she work for?", "the UN human rights office", True),
        # Every type: an answer must say something the question does not.
        (AnswerType.DESCRIPTION, "Who is Pia Oberoi?", "Pia Oberoi", False),
        (AnswerType.DESCRIPTION, "Who is Pia Oberoi?", "a senior adviser at the UN human rights office", True),
        (AnswerType.REASON, "Why were raids held?", "Raids were held", False),
    ],
)
def test_an_answer_fits_the_asked_type(answer_type: AnswerType, question: str, answer: str, fits: bool) -> None:
    assert fits_answer_type(answer_type, question, answer, SOURCE) is fits


FIGURES = [
    passage(
        1,
        "The Border Guard Force said it had spent more than 70 million baht. About 98% of them were men. "
        "Police freed 261 foreigners in February 2025. The fine was 2 million pesos.",
    )
]


@pytest.mark.parametrize(
    "answer_type,answer,fits",
    [
        (AnswerType.MONEY, "more than 70 million baht", True),
        (AnswerType.MONEY, "2 million pesos", True),
        (AnswerType.MONEY, "98%", False),  # a share is no sum of money
        (AnswerType.MONEY, "261", False),  # nor is a count
        (AnswerType.SHARE, "98%", True),
        (AnswerType.SHARE, "261", False),
        (AnswerType.COUNT, "261", True),
        (AnswerType.COUNT, "98%", False),
        (AnswerType.COUNT, "2 million pesos", False),
        (AnswerType.COUNT, "February 2025", False),  # a date is no count
    ],
)
def test_a_figure_is_of_the_asked_kind(answer_type: AnswerType, answer: str, fits: bool) -> None:
    assert fits_answer_type(answer_type, "What figure?", answer, FIGURES) is fits

"""Span answers checked and completed by the asked kind (rag/reader/span_reading.py)."""

from __future__ import annotations

import pytest

from rag.reader.answer_types import AnswerType
from rag.reader.span_model import Span
from rag.reader.span_reading import Context, composed, figure_of_another_place, fitting_spans, other_figure, widened
from rag.types import Passage
from tests.rag.llm_fixtures import passage

TEXT = (
    "The Border Guard Force said on 15 March 2025 that it had spent more than 70 million baht of its own money. "
    "Its spokesman, Lieutenant-Colonel Naing Maung Zaw, said 7,968 foreigners had been sent home."
)


@pytest.mark.parametrize(
    "answer_type,span,expected",
    [
        (AnswerType.MONEY, "70 million", "more than 70 million baht"),  # the entity, and the currency after it
        (AnswerType.PERSON, "Naing Maung", "Naing Maung Zaw"),
        (AnswerType.DATE, "March 2025", "15 March 2025"),
        (AnswerType.REASON, "70 million", "70 million"),  # no entity kind: unchanged
    ],
)
def test_a_span_cut_short_is_widened_to_its_entity(answer_type: AnswerType, span: str, expected: str) -> None:
    start = TEXT.index(span)
    a, b = widened(answer_type, TEXT, start, start + len(span))
    assert TEXT[a:b] == expected


def test_spans_of_another_kind_are_passed_over() -> None:
    source = [passage(1, TEXT)]
    at = TEXT.index("7,968")
    date_at = TEXT.index("15 March")
    spans = [Span(0, date_at, date_at + 8, "15 March", 9.0, 6.0), Span(0, at, at + 5, "7,968", 8.0, 5.0)]
    found = fitting_spans(AnswerType.COUNT, "How many foreigners were sent home?", spans, [Context(1, 0, len(TEXT))], source)
    assert [(s.text, s.margin) for s in found] == [("7,968 foreigners", 5.0)]  # with the noun it counts
    assert fitting_spans(AnswerType.PERSON, "Who spent it?", spans, [Context(1, 0, len(TEXT))], source) == []


def _figure(passages: list[Passage], no: int, figure: str, margin: float) -> Span:
    text = passages[no - 1].text
    return Span(no - 1, text.index(figure), text.index(figure) + len(figure), figure, margin + 2, margin)


def test_another_articles_figure_is_shown_beside_the_answer_with_dates() -> None:
    older = passage(1, "About 100,000 people are held in scam compounds in Laos.", doc_id="o", date="2023-05-02")
    newer = passage(2, "At least 150,000 people are held in scam compounds in Laos.", doc_id="n", date="2025-09-10")
    elsewhere = passage(3, "Some 20,000 people are held in scam compounds in Vietnam.", doc_id="v", date="2024-01-01")
    sources = [older, newer, elsewhere]
    best, same_scope, other_scope = _figure(sources, 2, "150,000", 4.0), _figure(sources, 1, "100,000", 3.5), _figure(sources, 3, "20,000", 3.4)
    assert other_figure(best, [same_scope], sources, threshold=0.0) == same_scope
    assert composed(best, same_scope, sources) == "150,000, dated 2025-09-10 [2]. Sources differ: 100,000, dated 2023-05-02 [1]."
    assert composed(best, other_scope, sources) == "150,000, dated 2025-09-10 [2]. 20,000, dated 2024-01-01 [3]."
    # A source without a date says so once; an estimated date is marked as one.
    undated = [older.model_copy(update={"date": None}), newer.model_copy(update={"date_estimated": True}), elsewhere]
    assert composed(best, same_scope, undated) == "150,000, dated 2025-09-10 (estimated) [2]. Sources differ: 100,000, undated [1]."
    # Far less sure, below the threshold, the same value or the same article: the answer stands alone.
    assert other_figure(best, [_figure(sources, 1, "100,000", 2.0)], sources, threshold=0.0) is None
    assert other_figure(best, [same_scope], sources, threshold=3.8) is None
    assert other_figure(best, [_figure(sources, 2, "150,000", 3.9)], sources, threshold=0.0) is None


def test_a_question_naming_two_places_gets_a_figure_for_each() -> None:
    both = passage(
        1, "Sources say at least 120,000 people are held in Myanmar and around 100,000 in Cambodia.", doc_id="a", date="2023-08-29"
    )
    vague = passage(2, "Hundreds of thousands are held in Cambodia and Myanmar.", doc_id="b", date="2024-01-01")
    sources = [both, vague]
    best = _figure(sources, 1, "100,000", 4.0)
    myanmar, hundreds = _figure(sources, 1, "at least 120,000 people", 2.0), _figure(sources, 2, "Hundreds of thousands", 3.0)
    places = ["Myanmar", "Cambodia"]
    # Far less sure than the best, but of the other named place; a figure without numbers is passed over.
    assert figure_of_another_place(best, [hundreds, myanmar], sources, places, threshold=0.0) == myanmar
    assert composed(best, myanmar, sources, places) == (
        "100,000 in Cambodia, dated 2023-08-29 [1]. At least 120,000 people in Myanmar, dated 2023-08-29 [1]."
    )
    # A best figure whose sentence names neither place has no place to set another beside.
    unplaced = [passage(1, "Officials counted 100,000 people.", doc_id="u"), both]
    counted = _figure(unplaced, 1, "100,000", 4.0)
    assert figure_of_another_place(counted, [_figure(unplaced, 2, "at least 120,000 people", 2.0)], unplaced, places, 0.0) is None
    # One named place, or none below the threshold: no second figure.
    assert figure_of_another_place(best, [myanmar], sources, ["Cambodia"], threshold=0.0) is None
    assert figure_of_another_place(best, [myanmar], sources, places, threshold=2.5) is None


def test_a_share_keeps_its_qualifier() -> None:
    text = "Police said more than 80 per cent of the victims were men."
    start = text.index("80 per cent")
    a, b = widened(AnswerType.SHARE, text, start, start + len("80 per cent"))
    assert text[a:b] == "more than 80 per cent"

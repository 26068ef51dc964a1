"""The helpers every extractor shares (rag/reader/extractors/base.py)."""

from __future__ import annotations

from rag.reader.extractors.base import dated_otherwise
from rag.reader.question import analyse


def test_only_the_year_of_an_act_dates_a_sentence() -> None:
    in_2025 = analyse("How many suspects were arrested in Zambia in April 2025?")
    assert dated_otherwise(in_2025, "In Zambia, 77 suspects were arrested in April 2024.")
    assert not dated_otherwise(in_2025, "In 2025 police arrested 50 people in Zambia.")
    assert not dated_otherwise(in_2025, "Since 2023, 2,800 people have been arrested in Zambia.")
    # A year that dates a noun in passing ("the February 2021 coup") is not when the act happened.
    assert not dated_otherwise(in_2025, "The junta wants to retake territory lost after the February 2021 coup.")


def test_only_the_month_of_an_act_dates_a_sentence() -> None:
    in_april = analyse("How many suspects were arrested in Zambia in April 2025?")
    assert dated_otherwise(in_april, "In Zambia, 77 suspects were arrested in March 2025.")
    assert not dated_otherwise(in_april, "Police arrested 50 people in Zambia in April 2025.")
    assert not dated_otherwise(in_april, "The junta wants to retake territory lost after the February 2025 offensive.")

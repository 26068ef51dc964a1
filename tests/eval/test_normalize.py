from __future__ import annotations

import pytest

from eval.normalize import matches_all, normalize, numbers_in


@pytest.mark.parametrize("text", ["120,000", "120 000", "120k", "120K", "120 thousand", "120.000", "120000"])
def test_number_formats_are_one_canonical_number(text: str) -> None:
    assert normalize(text) == "120000"
    assert matches_all(["120,000"], f"At least {text} people are held.")


def test_scales_decimals_and_percent() -> None:
    assert normalize("$43.8 billion") == normalize("43.8bn") == "43800000000"
    assert normalize("1.5 million") == "1500000"
    assert normalize("70%") == normalize("70 per cent") == "70 percent"
    assert normalize("7.8") == "7.8"


def test_case_diacritics_quotes_dashes() -> None:
    assert normalize("Volker TÜRK") == "volker turk"
    assert normalize("Jürgen Stock’s “wicked problem”") == "jurgen stock s wicked problem"
    assert normalize("three-quarters") == "three quarters"


def test_dates_are_not_taken_for_thousands() -> None:
    assert normalize("September 29, 2023") == "september 29 2023"
    assert normalize("in 2021-22") == "in 2021 22"


def test_numbers_must_match_whole() -> None:
    assert not matches_all(["120,000"], "about 1,120,000 people")
    assert not matches_all(["120,000"], "120,000,000 dollars")
    assert not matches_all(["120,000"], "12,000 people")
    assert not matches_all(["66"], "660 countries")
    assert matches_all(["66"], "from 66 countries")


def test_text_patterns_need_whole_words_and_all_items() -> None:
    assert not matches_all(["men"], "women and adolescents")
    assert matches_all(["thailand", "china"], "the border with Thailand and China")
    assert not matches_all(["thailand", "china"], "the border with Thailand")
    assert not matches_all([], "anything")


def test_any_of_and_regex() -> None:
    patterns = [{"any_of": ["pig butchering", "pig slaughter"]}]
    assert matches_all(patterns, 'the "pig-slaughter scheme"')
    assert matches_all(patterns, "Pig Butchering")
    assert not matches_all(patterns, "romance scams")
    assert matches_all([r"jeremy (lawrence|laurence)"], "Jeremy Laurence said", "regex")
    assert not matches_all([r"jeremy (lawrence|laurence)"], "Jeremy Corbyn said", "regex")


def test_numbers_in() -> None:
    assert numbers_in("at least 120k in Myanmar and 100,000 in Cambodia in 2023") == {"120000", "100000", "2023"}
    assert numbers_in("no figures here") == set()

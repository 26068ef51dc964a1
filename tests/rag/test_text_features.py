"""Small text features: the names a question requires, and dates a month or year falls in."""

from __future__ import annotations

from rag.text_features import dated_in, defined_acronyms, entities


def test_joined_names_are_names_of_their_own() -> None:
    assert entities("Where were the talks on the Norland-Varos ceasefire held?") == ["Norland", "Varos"]
    assert entities("How did Park Min-ho die?") == ["Park", "Min-ho"]  # a hyphenated given name stays whole


def test_a_month_or_year_is_met_by_an_iso_date() -> None:
    assert dated_in("2025-10-27", "October") and dated_in("2025-10-27", "2025")
    assert not dated_in("2025-10-27", "November") and not dated_in("2025-10-27", "2024")
    assert not dated_in(None, "October") and not dated_in("2025-10-27", "Cambodia")


def test_defined_acronyms_follow_the_initials_of_their_long_form() -> None:
    text = (
        "The Border Guard Force (BGF) controls the town. The Office of the High Commissioner for Human "
        "Rights (OHCHR) spoke. Tarsa police (TP) said. He met them (REUTERS)."
    )
    assert defined_acronyms(text) == {
        "BGF": "Border Guard Force",
        "OHCHR": "Office of the High Commissioner for Human Rights",
    }

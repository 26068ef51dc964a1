"""Small text features: the names a question requires, and dates a month or year falls in."""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import product

from rag.text_features import _similar, dated_in, defined_acronyms, entities, mentions


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


def test_the_quick_similarity_filters_change_no_verdict() -> None:
    # The length and letter-count bounds only skip work: every verdict is difflib's own.
    words = ["cambodia", "cambodian", "combodia", "myanmar", "mianmar", "myanmars", "laos", "lao", "thailand",
             "thailands", "scam", "scams", "compound", "compounds", "kk", "park", "parks", "repatriation",
             "repatriated", "shwe", "kokko", "koko", "philippines", "phillipines", "oberoi", "oberio"]
    for a, b in product(words, repeat=2):
        assert _similar(a, b) == (SequenceMatcher(None, a, b).ratio() >= 0.8), (a, b)
    assert mentions("Refugees from Mianmar arrived.", "Myanmar") and not mentions("Refugees arrived.", "Myanmar")

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


def test_a_scale_word_must_end_where_it_ends() -> None:
    """ "64 Koreans" is 64 people, not 64,000 ("k" of "Koreans" is no scale)."""
    from rag.text_features import numbers

    assert numbers("Of the 64 Koreans on board") == {64.0}
    assert numbers("about 120k people") == {120_000.0}
    assert numbers("some 3 thousands") == {3_000.0}
    assert numbers("70 percent") == {70.0}


def test_days_of_months_are_read_in_both_orders_and_months_only_capitalised() -> None:
    from rag.text_features import days_of_months

    assert days_of_months("on Thursday 6 November 2025") == {(11, 6)}
    assert days_of_months("November 6th, 2025 and Sept. 3") == {(11, 6), (9, 3)}
    assert days_of_months("in November 2025") == set()
    assert days_of_months("officials may 5 times refuse") == set()


def test_a_name_is_mentioned_at_the_start_of_a_word() -> None:
    assert mentions("Cambodian police said", "Cambodia")
    assert not mentions("the coming weeks of mining", "Ming")


def test_a_name_with_a_lowercase_suffix_is_the_name() -> None:
    assert entities("How much did the Varos-based ring take from the Norland-backed firm?") == ["Varos", "Norland"]


def test_a_possessive_mentions_the_name_it_is_built_on() -> None:
    """ "Norland's ambassador" mentions the "Norlandic" of a question, as "Norland" does."""
    assert mentions("Norland's ambassador went to the border", "Norlandic")
    assert mentions("Norland ambassador went to the border", "Norlandic")
    assert not mentions("Varos's ambassador went to the border", "Norlandic")


def test_a_country_named_another_way() -> None:
    """ "US" for "American", "Chinese" for "China", "Thai" for "Thailand", "Lao" for "Laos": names of
    one country that do not start one another. Short forms count in capitals only."""
    assert mentions("issued through the US law firm Hollis & Gray", "American")
    assert mentions("the U.S. Treasury said", "American")
    assert mentions("77 Chinese nationals were held", "China")
    assert mentions("taken into Thai custody", "Thailand")
    assert mentions("Lao officials said", "Laos")
    assert not mentions("let us go home", "American")
    assert not mentions("77 Vietnamese nationals were held", "China")

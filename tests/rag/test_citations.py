"""The citation layer: invented keys stripped, unsupported claims dropped, renumbering, quotes."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.citations import check_citations, parse_markers, split_sentences
from rag.types import REFUSAL_PHRASE, Passage

pytestmark = pytest.mark.slow

MYANMAR = (
    "The report cites credible sources that indicate at least 120,000 people across Myanmar are held. "
    "Others are held in Cambodia."
)
MEKONG = "The scam industry in the Mekong region alone is worth an estimated $43.8 billion a year."


def passage(text: str, doc: str, start: int = 100) -> Passage:
    return Passage(
        chunk_id=f"{doc}:0",
        doc_id=doc,
        title=f"Title {doc}",
        text=text,
        start=start,
        end=start + len(text),
        paragraph=0,
    )


PASSAGES = [passage(MEKONG, "a"), passage(MYANMAR, "b", 500)]


def test_parse_markers_forms() -> None:
    assert parse_markers("Held in Myanmar [2][1].") == ("Held in Myanmar.", [2, 1])
    assert parse_markers("Held [1, 2] here [2].") == ("Held here.", [1, 2])
    assert split_sentences("The U.S. report says so [1]. Next one [2].") == [
        "The U.S. report says so [1].",
        "Next one [2].",
    ]


def test_invented_keys_are_stripped_and_used_sources_renumbered(assistant: Assistant) -> None:
    draft = "At least 120,000 people are held in Myanmar [2][7]. The Mekong scam industry is worth $43.8 billion a year [1]."
    checked = check_citations(draft, PASSAGES, assistant.encoder, 0.45)
    assert checked.text == (
        "At least 120,000 people are held in Myanmar [1]. The Mekong scam industry is worth $43.8 billion a year [2]."
    )
    assert [c.doc_id for c in checked.citations] == ["b", "a"]  # numbered in order of first use
    assert any("[7] points to no source" in w for w in checked.warnings)
    quote = checked.citations[0]
    assert "120,000" in quote.quote
    # The quote span points at the source document's characters.
    assert quote.quote_start == 500 and quote.quote_end == 500 + MYANMAR.index(".") + 1


def test_citation_to_a_passage_without_the_number_is_removed(assistant: Assistant) -> None:
    checked = check_citations("At least 120,000 people are held in Myanmar [1][2].", PASSAGES, assistant.encoder, 0.45)
    assert checked.text == "At least 120,000 people are held in Myanmar [1]."
    assert checked.citations[0].doc_id == "b"
    assert "does not contain" in (checked.sentences[0].note or "")


def test_unsupported_sentences_are_dropped_and_all_unsupported_is_a_refusal(assistant: Assistant) -> None:
    draft = "At least 999,000 people are held in Thailand [2]. The Mekong scam industry is worth $43.8 billion [1]."
    checked = check_citations(draft, PASSAGES, assistant.encoder, 0.45)
    assert checked.text == "The Mekong scam industry is worth $43.8 billion [1]."
    assert [s.supported for s in checked.sentences] == [False, True]
    nothing = check_citations("Brazil won the 2002 World Cup [1].", PASSAGES, assistant.encoder, 0.45)
    assert nothing.refused and nothing.text == REFUSAL_PHRASE
    uncited = check_citations("At least 120,000 people are held in Myanmar.", PASSAGES, assistant.encoder, 0.45)
    assert uncited.refused


def test_refusal_phrase_and_quotes(assistant: Assistant) -> None:
    assert check_citations("The sources do not say.", PASSAGES, assistant.encoder, 0.45).refused
    good = check_citations(
        "One source says “worth an estimated $43.8 billion a year” [1].", PASSAGES, assistant.encoder, 0.45
    )
    assert not good.refused
    bad = check_citations(
        "One source says “worth an estimated $99 billion a year” [1].", PASSAGES, assistant.encoder, 0.45
    )
    assert bad.refused


def test_uncited_llm_sentences_attributed_only_when_supported_and_marked(assistant: Assistant) -> None:
    draft = (
        "At least 120,000 people are held in Myanmar. "  # supported by passage 2, no marker
        "At least 999,000 people are held in Thailand. "  # supported by nothing
        "1. Title b | undated. "  # a list item echoed from the prompt: never attributed
        "The Mekong scam industry is worth $43.8 billion a year [1]."
    )
    checked = check_citations(draft, PASSAGES, assistant.encoder, 0.45, attribute_uncited=True)
    assert checked.text == (
        "At least 120,000 people are held in Myanmar [1]. The Mekong scam industry is worth $43.8 billion a year [2]."
    )
    assert [c.doc_id for c in checked.citations] == ["b", "a"]
    verdicts = {s.text: (s.supported, s.cited_by) for s in checked.sentences}
    assert verdicts["At least 120,000 people are held in Myanmar."] == (True, "checker")
    assert verdicts["At least 999,000 people are held in Thailand."] == (False, "model")
    assert verdicts["The Mekong scam industry is worth $43.8 billion a year."] == (True, "model")
    assert sum(supported for supported, _ in verdicts.values()) == 2  # the echoed list item is not kept
    assert any("added by the checker" in w for w in checked.warnings)
    strict = check_citations(draft, PASSAGES, assistant.encoder, 0.45)  # the default: no attribution
    assert strict.text == "The Mekong scam industry is worth $43.8 billion a year [1]."


def test_citation_carries_the_pages_of_its_quote(assistant: Assistant) -> None:
    """A PDF passage over a page break: the quote is cited with the page(s) it lies on, not the passage's."""
    draft = "At least 120,000 people are held in Myanmar [1]."
    others = 500 + MYANMAR.index("Others")
    after = Passage(**{**PASSAGES[1].model_dump(), "pages": [2, 3], "page_breaks": [others]})
    assert check_citations(draft, [after], assistant.encoder, 0.45).citations[0].pages == [2]
    inside = Passage(**{**PASSAGES[1].model_dump(), "pages": [2, 3], "page_breaks": [500 + MYANMAR.index("120,000")]})
    assert check_citations(draft, [inside], assistant.encoder, 0.45).citations[0].pages == [2, 3]
    assert check_citations(draft, [PASSAGES[1]], assistant.encoder, 0.45).citations[0].pages == []


def test_the_sources_own_dates_are_not_figures_to_find_in_the_passage(assistant: Assistant) -> None:
    """'according to sources dated 2023-08-29' states metadata: a dated source still supports the figure."""
    dated = passage(MYANMAR, "b", 500).model_copy(update={"date": "2023-08-29", "date_estimated": True})
    other = passage(MEKONG, "a").model_copy(update={"date": "2024-01-05"})
    draft = "At least 120,000 people, according to sources dated 2023-08-29 (estimated) [2]."
    checked = check_citations(draft, [other, dated], assistant.encoder, 0.45)
    assert checked.text == "At least 120,000 people, according to sources dated 2023-08-29 (estimated) [1]."
    assert [c.doc_id for c in checked.citations] == ["b"]
    # A date that is no source's is still a number the passage must hold.
    wrong = check_citations("At least 120,000 people were held on 2021-03-04 [2].", [other, dated],
                            assistant.encoder, 0.45)
    assert wrong.citations == [] and wrong.warnings


def test_citation_to_a_passage_that_does_not_name_the_place_is_removed(assistant: Assistant) -> None:
    """Every other word of "held in Laos" is in the Myanmar passage; the name is not."""
    checked = check_citations("People are held in Laos [2].", PASSAGES, assistant.encoder, 0.45)
    assert checked.refused and "does not name Laos" in " ".join(checked.warnings)
    named = check_citations("People are held in Myanmar [2].", PASSAGES, assistant.encoder, 0.45)
    assert not named.refused and named.citations[0].doc_id == "b"
    # A small misspelling of the name still counts as naming it.
    assert not check_citations("People are held in Myanmr [2].", PASSAGES, assistant.encoder, 0.45).refused

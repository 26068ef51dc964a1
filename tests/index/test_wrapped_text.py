"""Hard-wrapped plain text (e-mail, text exports, PDF text): lines are joined into paragraphs,
so sentences are not cut at line ends; text with one paragraph per line is left as it is."""

from __future__ import annotations

from index.cleaning import split_paragraphs
from index.sentences import sentence_spans

WRAPPED = (
    "The remains of the worker who died in the compound reached the airport on Monday, two months\n"
    "after his body was found near the river. His family had paid a ransom of several thousand\n"
    "dollars before contact stopped.\n"
    "\n"
    "What happened\n"
    "\n"
    "He had answered an advertisement for a job in a call centre that promised a good monthly wage\n"
    "and free housing. Recruiters met him at the bus station and took his passport on the first day.\n"
)


def test_wrapped_lines_join_into_paragraphs_and_headings_stay_apart() -> None:
    paragraphs = [WRAPPED[s:e] for s, e in split_paragraphs(WRAPPED)]
    assert len(paragraphs) == 3
    assert paragraphs[1] == "What happened"
    assert paragraphs[0].startswith("The remains") and paragraphs[0].endswith("contact stopped.")


def test_sentences_of_wrapped_text_are_whole_and_offsets_exact() -> None:
    sentences = [WRAPPED[s:e] for s, e in sentence_spans(WRAPPED)]
    assert "two months\nafter his body was found near the river." in sentences[0]
    assert sentences[1].startswith("His family") and sentences[1].endswith("contact stopped.")
    assert "What happened" in sentences


def test_one_paragraph_per_line_is_unchanged() -> None:
    text = "A short first paragraph.\nA much longer second paragraph that goes on for quite a while longer.\nThird.\n"
    assert len(split_paragraphs(text)) == 3


def test_a_short_passage_cut_from_wrapped_text_is_joined_where_lines_stop_mid_sentence() -> None:
    # Three lines: too few to find the wrap width, as in a retrieved chunk of a wrapped document.
    passage = (
        "In October, police had already found a call centre operating under a new-style gaming\n"
        "licence next to the trade centre in the port district, where 261 people were arrested: 188\n"
        "foreigners and 73 locals.\n"
        "A heading-like line that ends a sentence.\n"
        "Next line."
    )
    sentences = [passage[s:e] for s, e in sentence_spans(passage)]
    assert sentences[0].endswith("188\nforeigners and 73 locals.")
    assert sentences[0].startswith("In October") and "gaming\nlicence" in sentences[0]
    assert "Next line." in sentences  # a line ending its sentence is not joined to the next


def test_a_heading_above_a_paragraph_on_one_line_stays_apart_in_a_passage() -> None:
    # One paragraph per line (lines wider than any wrap width): a long heading without a full stop
    # is its own line, not the start of the paragraph's first sentence.
    passage = (
        "Army says it has cleared the compound, a scam hub on the river border\n"
        "The military government says its troops have taken the compound, one of the best-known scam "
        "sites in the region, which sits on the river just south of the border town.\n"
    )
    sentences = [passage[s:e] for s, e in sentence_spans(passage)]
    assert sentences[0] == "Army says it has cleared the compound, a scam hub on the river border"
    assert sentences[1].startswith("The military government says")


def test_a_text_is_split_once_and_its_spans_shifted_by_each_offset() -> None:
    from index.sentences import _spans

    text = WRAPPED + " A sentence only this test uses, so the first split below is not cached."
    before = _spans.cache_info()
    spans = sentence_spans(text)
    assert sentence_spans(text, offset=1000) == [(s + 1000, e + 1000) for s, e in spans]
    after = _spans.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)  # the second call reused the split
    assert [text[s:e] for s, e in spans][-1].startswith("A sentence only this test uses")

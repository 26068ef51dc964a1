"""The parse cache (rag/reader/nlp.py)."""

from __future__ import annotations

from rag.reader.nlp import parse


def test_an_empty_text_parsed_before_comes_back_with_new_ones() -> None:
    """The Doc of "" is empty (false): a cache lookup written `get(t) or fresh[t]` raised KeyError
    when "" was cached and another text was new (a first sentence has no sentence before it)."""
    parse([""])
    docs = parse(["", "Police detained 29 workers on Friday."])
    assert len(docs[0]) == 0 and docs[1][0].text == "Police"

"""Page numbers of a span of an article's text, from the offsets where its pages begin."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from index.documents import DocumentMeta, pages_of_span

STARTS = [0, 100, 250]  # page 1: 0-99, page 2: 100-249, page 3: 250-


@pytest.mark.parametrize(
    "start,end,pages",
    [
        (0, 10, [1]),
        (90, 100, [1]),  # ends right before page 2 begins
        (100, 120, [2]),  # starts exactly where page 2 begins
        (90, 110, [1, 2]),  # across one page break
        (50, 300, [1, 2, 3]),  # across two
        (260, 260, [3]),  # empty span: the page it sits on
    ],
)
def test_pages_of_span(start: int, end: int, pages: list[int]) -> None:
    assert pages_of_span(STARTS, start, end) == pages


def test_text_without_pages_has_none() -> None:
    assert pages_of_span([], 0, 50) == []


def test_page_starts_are_kept_in_the_sidecar_and_checked() -> None:
    meta = DocumentMeta(doc_id="d", title="t", page_starts=STARTS)
    assert DocumentMeta.model_validate_json(meta.model_dump_json()).page_starts == STARTS
    assert DocumentMeta(doc_id="d", title="t").page_starts == []
    for bad in ([5, 100], [0, 100, 100], [0, 250, 100]):
        with pytest.raises(ValidationError, match="page_starts"):
            DocumentMeta(doc_id="d", title="t", page_starts=bad)

"""PDF extraction keeps page boundaries: where each physical page begins in the extracted text."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.documents import pages_of_span
from index.extraction import PAGE_SEPARATOR, drop_running_lines, extract_text, join_pages
from tests.pdf_pages import FACT_PAGE, PAGED_REPORT, make_paged_pdf


def test_pdf_gives_the_offset_where_each_page_begins(tmp_path: Path) -> None:
    extracted = extract_text(make_paged_pdf(tmp_path / "report.pdf"))
    assert len(extracted.page_starts) == len(PAGED_REPORT) and extracted.page_starts[0] == 0
    for start, page_text in zip(extracted.page_starts, PAGED_REPORT, strict=True):
        assert extracted.text[start:].startswith(page_text.split()[0] + " ")
    fact = extracted.text.index("4,271")
    assert pages_of_span(extracted.page_starts, fact, fact + 5) == [FACT_PAGE]
    first_page_end = extracted.page_starts[1] - len(PAGE_SEPARATOR)
    assert "Marrowgate compound (test report)" in extracted.text[:first_page_end]
    assert "4,271" not in extracted.text[:extracted.page_starts[FACT_PAGE - 1]]


def test_running_headers_and_footers_are_dropped_from_pdf_pages(tmp_path: Path) -> None:
    header = "Harbour Watch briefing | Raids at the Marrowgate compound, 3 March"
    pages = [
        f"{header}\n\n{body}\n\nPage {n} of {len(PAGED_REPORT)}" for n, body in enumerate(PAGED_REPORT, start=1)
    ]
    extracted = extract_text(make_paged_pdf(tmp_path / "report.pdf", pages))
    assert "Harbour Watch briefing" not in extracted.text and "Page 2 of 3" not in extracted.text
    assert "4,271 workers were freed" in extracted.text and "Marrowgate compound (test report)" in extracted.text
    fact = extracted.text.index("4,271")
    assert pages_of_span(extracted.page_starts, fact, fact + 5) == [FACT_PAGE]


def test_a_line_on_one_page_only_or_inside_the_text_is_kept() -> None:
    pages = ["Title of the report\nFirst page text.\nPage 1", "Second page.\nIts text.\nTitle of the report\nMore.\nEnd.\nPage 2"]
    assert drop_running_lines(pages) == [
        "Title of the report\nFirst page text.",
        "Second page.\nIts text.\nTitle of the report\nMore.\nEnd.",
    ]
    assert drop_running_lines(["Only one page\nPage 1"]) == ["Only one page\nPage 1"]


def test_join_pages_normalises_newlines_before_counting_and_keeps_empty_pages() -> None:
    text, starts = join_pages(["one\r\ntwo", "", "three\rfour"])
    assert text == "one\ntwo\n\n\n\nthree\nfour"
    assert starts == (0, 9, 11)
    assert text[starts[2]:] == "three\nfour"


@pytest.mark.parametrize("name,content", [("a.txt", "Plain text article about a raid.\n"),
                                          ("b.md", "# Heading\n\nMarkdown article about a raid.\n")])
def test_other_formats_have_no_pages(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert extract_text(path).page_starts == ()


def test_markdown_emphasis_is_not_article_text(tmp_path: Path) -> None:
    """ "**58** survivors" reads "58 survivors": the parser sees the figure, quotes match the page."""
    path = tmp_path / "report.md"
    path.write_text(
        "# Report\n\nInvestigators interviewed **58** survivors, *nine* of them children.\n\n"
        "* first item\n* second item with a snake_case_name\n",
        encoding="utf-8",
    )
    text = extract_text(path).text
    assert "interviewed 58 survivors, nine of them children." in text
    assert "* first item\n* second item with a snake_case_name" in text

"""A multi-page PDF made by the tests themselves, one given text per physical page (fpdf2)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

# Three pages; the fact the page tests ask about is on page 3 only. The compound and figures are invented.
PAGED_REPORT = (
    "Briefing on the invented Marrowgate compound (test report)\n\n"
    "This report is a test fixture written for the page-citation tests; the place and the figures are "
    "invented. It describes a raid in three parts, one per page.",
    "Background. Families had reported relatives missing for months after they answered job adverts for "
    "customer-service posts abroad. Local officers kept a list of the missing and shared it with embassies.",
    "Outcome. Officials said 4,271 workers were freed from the Marrowgate compound during the raid, and that "
    "most of them had been forced to run online investment scams.",
)
FACT_PAGE = 3
FACT_QUESTION = "How many workers were freed from the Marrowgate compound?"


def make_paged_pdf(path: Path, pages: Sequence[str] = PAGED_REPORT, title: str = "Marrowgate briefing") -> Path:
    """Write `pages` to `path`, each text on a page of its own (paragraphs split on blank lines)."""
    pdf = FPDF(format=(148, 210))  # A5 in mm
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=False)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 10)
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(pdf.epw, 5, paragraph)
            pdf.ln(3)
    pdf.output(str(path))
    return path

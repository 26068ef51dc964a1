"""Build the dev set's PDF articles from their text sources (eval/devset/pdf_text/*.txt).

Each source starts with a header block ("Title: ...", "Author: ...", "Subject: ..."), a blank
line, then the body: paragraphs separated by blank lines, "- " list items, and "N. Heading"
section headings. The PDF carries the header as document metadata, a running header and a
"Page n of m" footer on every page (page chrome, as in real reports), and flows over several
A5 pages. The creation date is fixed so that the same source always gives the same file.

    python -m eval.devset.make_pdf [--out eval/devset/articles]
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

DEVSET_DIR = Path(__file__).resolve().parent
SOURCES_DIR = DEVSET_DIR / "pdf_text"
ARTICLES_DIR = DEVSET_DIR / "articles"
FIXED_DATE = datetime(2025, 10, 15, tzinfo=UTC)
_HEADING = re.compile(r"^\d+\. \S")


class _Report(FPDF):
    running_title = ""

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 6, f"Scamwatch Dev Desk briefing | {self.running_title}", align="C")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")


def parse_source(text: str) -> tuple[dict[str, str], list[str]]:
    """(header fields, body blocks) of a source file; blocks are separated by blank lines."""
    head, _, body = text.partition("\n\n")
    fields = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"header line without 'Key: value': {line!r}")
        fields[key.strip().lower()] = value.strip()
    if "title" not in fields:
        raise ValueError("the header block needs a Title line")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    return fields, blocks


def build_pdf(source: Path, out_dir: Path) -> Path:
    fields, blocks = parse_source(source.read_text(encoding="utf-8"))
    pdf = _Report(format=(148, 210))  # A5 in mm
    pdf.running_title = fields["title"][:60]
    pdf.set_title(fields["title"])
    pdf.set_author(fields.get("author", ""))
    pdf.set_subject(fields.get("subject", ""))
    pdf.set_creator("eval/devset/make_pdf.py")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw
    for index, block in enumerate(blocks):
        if index == 0:  # the title line of the body
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(width, 7, block)
            pdf.ln(3)
        elif _HEADING.match(block):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(width, 6, block)
            pdf.ln(1)
        elif block.startswith("- "):
            pdf.set_font("Helvetica", "", 10)
            for item in block.splitlines():
                pdf.multi_cell(width, 5, "  * " + item.removeprefix("- ").strip())
            pdf.ln(2)
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(width, 5, " ".join(block.split()))
            pdf.ln(2)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (source.stem + ".pdf")
    pdf.output(str(target))
    return target


def build_all(out_dir: Path = ARTICLES_DIR, sources_dir: Path = SOURCES_DIR) -> list[Path]:
    return [build_pdf(source, out_dir) for source in sorted(sources_dir.glob("*.txt"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ARTICLES_DIR, help="folder for the PDFs")
    args = parser.parse_args()
    for path in build_all(args.out):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

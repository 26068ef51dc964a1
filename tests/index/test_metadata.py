"""Metadata read from what users add (header block, front matter, PDF info, HTML meta) and set by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.corpus_store import CorpusStore, MetadataError
from index.extraction import extract_text
from index.metadata import byline_date, heading_title, normalise_date, split_header_block

BODY = (
    "Police in an invented port town said on Monday that they had freed 312 workers from a scam compound.\n\n"
    "The workers said they had been promised jobs in customer service.\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_block_is_parsed_and_removed_from_the_text(tmp_path: Path) -> None:
    header = (
        "Title: Workers freed from a port-town compound\nDate: March 3, 2025\nURL: https://example.org/a/1\n"
        "Source: Harbour Gazette\nAuthor: A. Writer\n\n"
    )
    found = extract_text(write(tmp_path, "a.txt", header + BODY))
    assert found.text == BODY
    assert "Title:" not in found.text and "https://example.org" not in found.text
    assert (found.title, found.date, found.url, found.outlet, found.author) == (
        "Workers freed from a port-town compound", "2025-03-03", "https://example.org/a/1", "Harbour Gazette", "A. Writer"
    )


def test_headline_with_a_colon_is_no_header_block(tmp_path: Path) -> None:
    text = "UN: hundreds of thousands trafficked into scam centres\n\n" + BODY
    found = extract_text(write(tmp_path, "b.txt", text))
    assert found.text == text and found.title is None
    # Unknown keys, or no blank line after the block, keep the text whole too.
    assert split_header_block("Title: x\nMood: grim\n\n" + BODY) is None
    assert split_header_block("Title: only a line") is None


def test_unreadable_date_is_kept_out_and_noted(tmp_path: Path) -> None:
    found = extract_text(write(tmp_path, "c.txt", "Title: Something\nPublished: sometime last spring\n\n" + BODY))
    assert found.date is None and found.date_note and "sometime last spring" in found.date_note
    assert found.text == BODY


def test_markdown_front_matter(tmp_path: Path) -> None:
    text = (
        "---\ntitle: \"Freed: 312 workers\"\ndate: 2025-06-26\noutlet: Harbour Gazette\n"
        "authors: [A. Writer, B. Writer]\nsource_url: https://example.org/b\ntags: [x, y]\n---\n\n# Freed\n\n" + BODY
    )
    found = extract_text(write(tmp_path, "d.md", text))
    assert found.text == "# Freed\n\n" + BODY
    assert (found.title, found.date, found.outlet, found.author, found.url) == (
        "Freed: 312 workers", "2025-06-26", "Harbour Gazette", "A. Writer, B. Writer", "https://example.org/b"
    )


def test_pdf_document_info(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    from datetime import UTC, datetime

    pdf = fpdf.FPDF()
    pdf.set_title("Briefing on the port-town compound")
    pdf.set_author("C. Analyst")
    pdf.set_creation_date(datetime(2025, 10, 15, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, BODY.replace("\n", " "))
    path = tmp_path / "e.pdf"
    pdf.output(str(path))
    found = extract_text(path)
    assert found.title == "Briefing on the port-town compound" and found.author == "C. Analyst"
    # A creation date is when the file was made: kept, but marked as an estimate of the publication date.
    assert found.date == "2025-10-15" and found.date_estimated and "creation date" in (found.date_note or "")
    assert "312 workers" in found.text


def test_html_meta_tags(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Freed | Harbour Gazette</title>"
        '<meta property="og:site_name" content="Harbour Gazette">'
        '<meta name="author" content="Ann Writer">'
        '<meta property="article:published_time" content="2025-09-30T08:00:00+00:00">'
        '<link rel="canonical" href="https://example.org/c"></head><body><article><h1>Freed</h1>'
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    )
    found = extract_text(write(tmp_path, "f.html", html))
    assert (found.outlet, found.author, found.date, found.url) == (
        "Harbour Gazette", "Ann Writer", "2025-09-30", "https://example.org/c"
    )


def test_normalise_date_forms() -> None:
    assert normalise_date("Wednesday , 30 August 2023 13:3 PM GMT") == "2023-08-30"
    assert normalise_date("2025-09-30T08:00:00+00:00") == "2025-09-30"
    assert normalise_date("next week") is None  # relative dates are not publication dates
    assert normalise_date("2025-13-40") is None


def test_added_file_stores_text_without_header_and_metadata_beside_it(tmp_path: Path) -> None:
    source = write(tmp_path, "g.txt", "Title: Workers freed\nDate: 2025-03-03\nOutlet: Harbour Gazette\n\n" + BODY)
    store = CorpusStore(tmp_path / "corpus")
    (doc_id,) = store.add(source).added
    (doc,) = store.documents()
    assert doc.doc_id == doc_id and doc.text == BODY
    assert (doc.meta.title, doc.meta.date, doc.meta.outlet) == ("Workers freed", "2025-03-03", "Harbour Gazette")


def test_set_meta_writes_the_sidecar_and_refuses_bad_values(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path / "corpus")
    (doc_id,) = store.add(write(tmp_path, "h.txt", BODY)).added
    text_before = (tmp_path / "corpus" / f"{doc_id}.txt").read_bytes()
    meta = store.set_meta(doc_id, outlet="Harbour Gazette", date="2025-03-03", url="https://example.org/h")
    assert (meta.outlet, meta.date, meta.url, meta.date_estimated) == (
        "Harbour Gazette", "2025-03-03", "https://example.org/h", False
    )
    sidecar = json.loads((tmp_path / "corpus" / f"{doc_id}.meta.json").read_text(encoding="utf-8"))
    assert sidecar["outlet"] == "Harbour Gazette" and sidecar["date"] == "2025-03-03"
    assert (tmp_path / "corpus" / f"{doc_id}.txt").read_bytes() == text_before
    assert store.set_meta(doc_id, outlet="").outlet is None  # "" clears a field
    for bad, message in [
        ({"date": "3 March 2025"}, "YYYY-MM-DD"),
        ({"date": "2025-02-30"}, "YYYY-MM-DD"),
        ({"url": "javascript:alert(1)"}, "http"),
        ({"title": "  "}, "empty"),
        ({"language": "French"}, "ISO 639-1"),
        ({"author_email": "x@example.org"}, "cannot set"),
    ]:
        with pytest.raises(MetadataError, match=message):
            store.set_meta(doc_id, **bad)
    for missing in ("no-such-article", "../corpus/x"):
        with pytest.raises(MetadataError, match="no article"):
            store.set_meta(missing, outlet="x")
    assert not list((tmp_path / "corpus").glob("*.tmp"))


def test_seed_dates_that_are_inferred_say_so_and_from_what() -> None:
    from index.documents import load_corpus
    from rag.types import date_label

    seeds = load_corpus(Path(__file__).resolve().parents[2] / "corpus")
    estimated = [d.meta for d in seeds if d.meta.date_estimated]
    assert estimated, "the undated seeds got an estimated date"
    for meta in estimated:
        assert meta.date and meta.date_note and meta.date_note.startswith("Estimated")
        assert date_label(meta.date, meta.date_estimated) == f"estimated {meta.date}"
    assert all(d.meta.date_note is None or d.meta.date or "Undated" in d.meta.date_note for d in seeds)


def test_markdown_headline_and_byline_give_title_and_date(tmp_path: Path) -> None:
    text = "# Port town frees 312 workers\n\n**Harbour Desk** · 22 April 2025 · by Lee Wren\n\n" + BODY
    extracted = extract_text(write(tmp_path, "port.md", text))
    assert extracted.title == "Port town frees 312 workers"
    assert extracted.date == "2025-04-22"
    assert "312 workers from a scam compound" in extracted.text


@pytest.mark.parametrize(
    "text, date",
    [
        pytest.param("# Headline\n\n*Desk, posted 8 February 2026. Written from reports of 6 February.*\n\n" + BODY, "2026-02-08", id="posted"),
        pytest.param("Port town frees workers\n\nBy Lee Wren | March 3, 2024\n\n" + BODY, "2024-03-03", id="plain-headline"),
        # A lede that holds a date is no byline: no cue word, and it is the article's first sentence.
        pytest.param("# Headline\n\nOn 12 February 2025 police freed 312 workers from a compound.\n\n" + BODY, None, id="lede"),
        pytest.param("# Headline\n\nBy Lee Wren\n\n" + BODY, None, id="byline-without-date"),
        pytest.param("# Headline\n\nby " + "long words " * 60 + "on 3 March 2024.\n\n" + BODY, None, id="too-long"),
    ],
)
def test_byline_date(text: str, date: str | None) -> None:
    assert byline_date(text) == date


def test_heading_title_only_from_a_markdown_heading() -> None:
    assert heading_title("## Port town frees workers ##\n\nText.") == "Port town frees workers"
    assert heading_title("Port town frees workers\n\nText.") is None


def test_a_header_block_date_comes_before_the_byline(tmp_path: Path) -> None:
    text = "Title: Port town\nDate: 2025-01-05\n\n# Port town\n\nBy Lee Wren · 22 April 2025\n\n" + BODY
    assert extract_text(write(tmp_path, "port.txt", text)).date == "2025-01-05"

"""Turn a user file (.txt, .md, .html, .pdf) into plain text, refusing what is not text."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


class ExtractionError(ValueError):
    """A file that cannot be read as an article; the message says why."""


@dataclass(frozen=True)
class ExtractedText:
    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    outlet: str | None = None
    encoding: str | None = None  # how the bytes were decoded, for the user to check (None: UTF-8 or PDF)
    date_estimated: bool = False  # the date is a proxy (a PDF's creation date), not a stated publication date
    date_note: str | None = None
    page_starts: tuple[int, ...] = ()  # PDFs: offset in `text` where each page begins (page 1 at 0)


def extract_text(path: Path, max_bytes: int = 20_000_000) -> ExtractedText:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(f"{path.name}: unsupported file type '{suffix}' (use {', '.join(SUPPORTED_SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise ExtractionError(f"{path.name}: the file is empty")
    if size > max_bytes:
        raise ExtractionError(f"{path.name}: {size} bytes is over the {max_bytes}-byte limit")
    data = path.read_bytes()
    if suffix == ".pdf":
        return _pdf(path, data)
    text, encoding = _decode(path, data)
    if suffix in (".html", ".htm"):
        return replace(_html(path, text), encoding=encoding)
    if suffix in (".md", ".markdown"):
        text = without_emphasis(text)
    return replace(_plain(path, text), encoding=encoding)


# Markdown emphasis around words: "**58** survivors" is "58 survivors" to a reader (and to a parser).
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")


def without_emphasis(markdown: str) -> str:
    """Markdown text without bold and italic markers; list bullets ("* item") and words with
    underscores are left alone."""
    return _EMPHASIS.sub(r"\1", _STRONG.sub(r"\2", markdown))


# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Among equally plausible single-byte encodings, the one most Western news text is written in.
_PREFERRED_LEGACY = "cp1252"


def _decode(path: Path, data: bytes) -> tuple[str, str | None]:
    """Text and the encoding assumed (None for plain UTF-8): a BOM, then strict UTF-8, then charset detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.removesuffix("-sig")
            except UnicodeDecodeError as err:
                raise ExtractionError(f"{path.name}: starts with a {codec} byte-order mark but is not {codec} text") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"  # not UTF-8: detect below
    if "\x00" not in text:  # NULs: UTF-16/32 without a BOM, or binary; detection tells which
        return text, None
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None or "\x00" in str(best):
        raise ExtractionError(f"{path.name}: looks like a binary file, not text in any known encoding")
    # Ties (same chaos and coherence) are common for short Latin text: prefer Windows-1252 when it fits.
    for match in matches:
        if match.chaos <= best.chaos and match.coherence >= best.coherence and _PREFERRED_LEGACY in match.could_be_from_charset:
            return data.decode(_PREFERRED_LEGACY), _PREFERRED_LEGACY
    return str(best), best.encoding


def _require_text(path: Path, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    if not text.strip():
        raise ExtractionError(f"{path.name}: contains no text")
    if printable / len(text) < 0.95:
        raise ExtractionError(f"{path.name}: mostly non-printable characters; is it really text?")
    return text


def _plain(path: Path, text: str) -> ExtractedText:
    # Front matter or a "Title:/Date:/URL:" header block is metadata, not article text: split it off.
    from index.metadata import byline_date, heading_title, split_metadata

    found, body = split_metadata(_require_text(path, text))
    return ExtractedText(
        text=_require_text(path, body),
        title=found.title or heading_title(body),
        author=found.author,
        # No date in a header: the one a byline under the headline states.
        date=found.date or (byline_date(body) if found.date_note is None else None),
        url=found.url,
        outlet=found.outlet,
        date_note=found.date_note,
    )


def _html(path: Path, html: str) -> ExtractedText:
    # trafilatura finds the main article and its metadata; boilerplate menus are dropped there.
    import trafilatura

    from index.metadata import normalise_date

    # favor_recall: without it, a list of facts under a heading (<ul> of sentences) was dropped as if a menu.
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_recall=True)
    doc: dict[str, Any] = found.as_dict() if found is not None and hasattr(found, "as_dict") else dict(found or {})
    if not (doc.get("text") or "").strip():
        raise ExtractionError(f"{path.name}: no article text found in the HTML")
    return ExtractedText(
        text=_require_text(path, doc["text"]),
        title=doc.get("title"),
        author=doc.get("author"),
        date=normalise_date(doc["date"]) if doc.get("date") else None,
        url=doc.get("url"),
        outlet=doc.get("sitename"),
    )


def _pdf(path: Path, data: bytes) -> ExtractedText:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text, page_starts = join_pages(drop_running_lines([page.extract_text() or "" for page in reader.pages]))
    except (PdfReadError, ValueError, KeyError, OSError) as err:
        raise ExtractionError(f"{path.name}: broken or unreadable PDF ({err})") from err
    info = reader.metadata
    return ExtractedText(
        text=_require_text(path, text),
        page_starts=page_starts,
        title=(info.title if info else None) or None,
        author=(info.author if info else None) or None,
        **_pdf_date(info),
    )


def _pdf_date(info: Any) -> dict[str, Any]:
    """The PDF's creation date, marked as an estimate: it is when the file was made, not published."""
    try:
        created = info.creation_date if info else None
    except ValueError:  # a malformed /CreationDate string
        created = None
    if created is None:
        return {}
    return {"date": created.date().isoformat(), "date_estimated": True, "date_note": "the PDF's creation date"}


PAGE_SEPARATOR = "\n\n"
_RUNNING_EDGE = 2  # lines at the top and at the bottom of a page that may be a running header or footer


def _line_key(line: str) -> str:
    """A line with its digits masked: "Page 2 of 3" and "Page 3 of 3" are the same footer."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def drop_running_lines(pages: Sequence[str]) -> list[str]:
    """The pages without their running headers and footers: a line among the first or last two of
    a page that recurs (digits aside) at the edge of at least half the pages, and of two or more.
    Pasted into the text they split sentences ("...did on 14 October 202 | The money was then...")."""
    if len(pages) < 2:
        return list(pages)
    edges: list[set[str]] = []
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        edges.append({_line_key(line) for line in lines[:_RUNNING_EDGE] + lines[-_RUNNING_EDGE:]})
    counts = Counter(key for keys in edges for key in keys)
    running = {key for key, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
    if not running:
        return list(pages)
    cleaned = []
    for page in pages:
        lines = page.split("\n")
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(filled[:_RUNNING_EDGE] + filled[-_RUNNING_EDGE:])
        cleaned.append("\n".join(line for i, line in enumerate(lines) if not (i in edge and _line_key(line) in running)))
    return cleaned


def join_pages(pages: Sequence[str]) -> tuple[str, tuple[int, ...]]:
    """The pages as one text and the offset where each begins. Newlines are normalised here, page by
    page, so that no later clean-up shifts the offsets that citations turn into page numbers."""
    parts = [page.replace("\r\n", "\n").replace("\r", "\n") for page in pages]
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), tuple(starts)

"""Turn a user file (.txt, .md, .html, .pdf) into plain text, refusing what is not text."""

from __future__ import annotations

from dataclasses import dataclass
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
    text = _decode(path, data)
    if suffix in (".html", ".htm"):
        return _html(path, text)
    return ExtractedText(text=_require_text(path, text))


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"{path.name}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ExtractionError(f"{path.name}: not valid UTF-8 text ({err.reason} at byte {err.start})") from err


def _require_text(path: Path, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    if not text.strip():
        raise ExtractionError(f"{path.name}: contains no text")
    if printable / len(text) < 0.95:
        raise ExtractionError(f"{path.name}: mostly non-printable characters; is it really text?")
    return text


def _html(path: Path, html: str) -> ExtractedText:
    # trafilatura finds the main article and its metadata; boilerplate menus are dropped there.
    import trafilatura

    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, as_dict=True)
    doc: dict[str, Any] = found if isinstance(found, dict) else {}
    if not (doc.get("text") or "").strip():
        raise ExtractionError(f"{path.name}: no article text found in the HTML")
    return ExtractedText(
        text=_require_text(path, doc["text"]),
        title=doc.get("title"),
        author=doc.get("author"),
        date=doc.get("date"),
        url=doc.get("url"),
        outlet=doc.get("sitename"),
    )


def _pdf(path: Path, data: bytes) -> ExtractedText:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as err:
        raise ExtractionError(f"{path.name}: broken or unreadable PDF ({err})") from err
    info = reader.metadata
    return ExtractedText(
        text=_require_text(path, "\n\n".join(pages)),
        title=(info.title if info else None) or None,
        author=(info.author if info else None) or None,
    )

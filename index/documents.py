"""A corpus article: verbatim text plus the metadata the text (or its curator) gives."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

TEXT_SUFFIX = ".txt"
META_SUFFIX = ".meta.json"


def content_hash(text: str) -> str:
    """Hash of the text itself, so renamed copies of one article count as duplicates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentMeta(BaseModel):
    """Metadata kept beside each article; None means the text does not tell."""

    doc_id: str
    title: str
    outlet: str | None = None
    date: str | None = Field(default=None, description="ISO date of publication, if the text gives one")
    date_note: str | None = None
    date_estimated: bool = Field(default=False, description="the date is inferred (see date_note), not stated")
    author: str | None = None
    url: str | None = None
    # ISO 639-1 code identified when the article is added (index/language.py); "und" when undetermined.
    # Sidecars from before identification hold none: those articles were English.
    language: str = "en"
    source_file: str | None = Field(default=None, description="original file name when added")
    notes: str | None = None
    page_starts: list[int] = Field(
        default_factory=list, description="PDFs: offset in the text where each page begins; empty otherwise"
    )

    @field_validator("page_starts")
    @classmethod
    def _pages_in_order(cls, starts: list[int]) -> list[int]:
        if starts and (starts[0] != 0 or any(b <= a for a, b in pairwise(starts))):
            raise ValueError("page_starts must begin at 0 and increase (one offset per page)")
        return starts


class Document(BaseModel):
    meta: DocumentMeta
    text: str

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    @property
    def meta_hash(self) -> str:
        return content_hash(self.meta.model_dump_json())


def load_document(text_path: Path) -> Document:
    """Read one article (`<id>.txt`) and its sidecar (`<id>.meta.json`), if any."""
    text = text_path.read_text(encoding="utf-8")
    meta_path = text_path.with_name(text_path.stem + META_SUFFIX)
    if meta_path.exists():
        meta = DocumentMeta.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
    else:
        meta = DocumentMeta(doc_id=text_path.stem, title=guess_title(text) or text_path.stem)
    return Document(meta=meta, text=text)


def load_corpus(corpus_dir: Path) -> list[Document]:
    """All articles of a corpus folder, in file-name order (stable doc order)."""
    return [load_document(p) for p in sorted(corpus_dir.glob(f"*{TEXT_SUFFIX}"))]


def guess_title(text: str) -> str | None:
    """First line that reads like a headline: no final period, 3 to 25 words."""
    for line in text.splitlines():
        line = line.strip()
        if 3 <= len(line.split()) <= 25 and not line.endswith((".", ":")):
            return line
    return None


def pages_of_span(page_starts: Sequence[int], start: int, end: int) -> list[int]:
    """1-based pages that text[start:end] lies on, given where each page begins; [] without pages."""
    if not page_starts:
        return []
    first = max(1, bisect_right(page_starts, start))
    last = max(first, bisect_right(page_starts, max(start, end - 1)))
    return list(range(first, last + 1))

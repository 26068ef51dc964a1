"""The corpus folder: verbatim article texts with metadata sidecars; add and remove files."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.documents import (
    META_SUFFIX,
    TEXT_SUFFIX,
    Document,
    DocumentMeta,
    content_hash,
    guess_title,
    load_corpus,
)
from index.extraction import SUPPORTED_SUFFIXES, ExtractionError, extract_text


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # "file: same content as doc_id"
    errors: list[str] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "article"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class CorpusStore:
    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)

    def documents(self) -> list[Document]:
        return load_corpus(self.corpus_dir) if self.corpus_dir.exists() else []

    def add(self, path: Path, max_bytes: int = 20_000_000) -> AddReport:
        """Add one file or every supported file under a folder; bad files are reported, not fatal."""
        report = AddReport()
        if not path.exists():
            report.errors.append(f"{path}: no such file or folder")
            return report
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        known = {d.content_hash: d.doc_id for d in self.documents()}
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        for file in files:
            if path.is_dir() and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            try:
                extracted = extract_text(file, max_bytes=max_bytes)
            except (ExtractionError, OSError) as err:
                report.errors.append(str(err))
                continue
            digest = content_hash(extracted.text)
            if digest in known:
                report.duplicates.append(f"{file.name}: same content as {known[digest]}")
                continue
            doc_id = f"{_slug(file.stem)}_{digest[:12]}"
            meta = DocumentMeta(
                doc_id=doc_id,
                title=extracted.title or guess_title(extracted.text) or file.stem,
                outlet=extracted.outlet,
                date=extracted.date,
                author=extracted.author,
                url=extracted.url,
                source_file=file.name,
            )
            # Text first, metadata last: a crash between them leaves a readable article.
            _write_atomic(self.corpus_dir / f"{doc_id}{TEXT_SUFFIX}", extracted.text)
            _write_atomic(self.corpus_dir / f"{doc_id}{META_SUFFIX}", json.dumps(meta.model_dump(), indent=2))
            known[digest] = doc_id
            report.added.append(doc_id)
        return report

    def remove(self, doc_id: str) -> bool:
        text = self.corpus_dir / f"{doc_id}{TEXT_SUFFIX}"
        if not text.exists():
            return False
        text.unlink()
        (self.corpus_dir / f"{doc_id}{META_SUFFIX}").unlink(missing_ok=True)
        return True

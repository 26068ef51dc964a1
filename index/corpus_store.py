"""The corpus folder: verbatim article texts with metadata sidecars; add and remove files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from filelock import FileLock

from index.documents import (
    META_SUFFIX,
    TEXT_SUFFIX,
    Document,
    DocumentMeta,
    content_hash,
    guess_title,
    load_corpus,
    load_document,
)
from index.extraction import SUPPORTED_SUFFIXES, ExtractionError, extract_text
from index.language import identify_language


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # "file: same content as doc_id"
    duplicate_ids: list[str] = field(default_factory=list)  # the doc_ids those duplicates already have
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "file: decoded as cp1252"


def _files_under(folder: Path, report: AddReport) -> list[Path]:
    """Regular files under `folder`, never through a symbolic link (each link found is reported)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in sorted(dirs):
            if (Path(root) / name).is_symlink():
                report.errors.append(f"{Path(root) / name}: is a symbolic link to a folder; not followed")
        for name in sorted(names):
            file = Path(root) / name
            if file.is_symlink():
                if file.suffix.lower() in SUPPORTED_SUFFIXES:
                    report.errors.append(f"{file}: is a symbolic link; not followed (add the file it points to)")
            elif file.is_file() and file.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(file)
    return sorted(found)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "article"


EDITABLE_FIELDS = ("title", "outlet", "date", "author", "url")  # on the page's form
# `rag meta --language` also corrects a misidentified language (it decides how the article is searched).
SETTABLE_FIELDS = (*EDITABLE_FIELDS, "language")


class MetadataError(ValueError):
    """Metadata that cannot be set; the message says why."""


def _is_doc_id(doc_id: str) -> bool:
    """A plain file stem: never a path that could reach outside the corpus folder."""
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", doc_id)) and ".." not in doc_id


def _checked(name: str, value: str) -> str | None:
    """A field's new value, or None to clear it; bad values raise MetadataError with the fix."""
    value = " ".join(value.split())
    if name == "language":
        if not re.fullmatch(r"[a-z]{2}|und", value):
            raise MetadataError(f"language {value!r} must be an ISO 639-1 code such as en, zh or th, or und")
        return value
    if name == "title" and not value:
        raise MetadataError("the title cannot be empty")
    if not value:
        return None
    if len(value) > 500:
        raise MetadataError(f"{name} is over 500 characters")
    if name == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return date.fromisoformat(value).isoformat()
        except ValueError as err:
            raise MetadataError(f"date {value!r} is not a date as YYYY-MM-DD") from err
    if name == "url" and not re.fullmatch(r"https?://[^\s/]+\S*", value):
        raise MetadataError(f"url {value!r} must start with http:// or https://")
    return value


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class CorpusStore:
    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)

    def _lock(self) -> FileLock:
        """One writer at a time per corpus folder. The lock file lives in the temporary folder, keyed by the
        corpus path, so the corpus holds nothing but articles."""
        key = hashlib.sha256(str(self.corpus_dir.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return FileLock(str(Path(tempfile.gettempdir()) / f"rag-corpus-{key}.lock"), timeout=600)

    def documents(self) -> list[Document]:
        return load_corpus(self.corpus_dir) if self.corpus_dir.exists() else []

    def add(self, path: Path, max_bytes: int = 20_000_000) -> AddReport:
        """Add one file or every supported file under a folder; bad files are reported, not fatal."""
        report = AddReport()
        if path.is_symlink():
            report.errors.append(f"{path}: is a symbolic link; not followed (add the file it points to)")
            return report
        if not path.exists():
            report.errors.append(f"{path}: no such file or folder")
            return report
        files = _files_under(path, report) if path.is_dir() else [path]
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        # One writer at a time; a crash mid-add leaves at most *.tmp files, removed by the next add.
        with self._lock():
            for leftover in self.corpus_dir.glob("*.tmp"):
                leftover.unlink(missing_ok=True)
            known = {d.content_hash: d.doc_id for d in self.documents()}
            for file in files:
                self._add_file(file, max_bytes, known, report)
        return report

    def _add_file(self, file: Path, max_bytes: int, known: dict[str, str], report: AddReport) -> None:
        try:
            extracted = extract_text(file, max_bytes=max_bytes)
        except (ExtractionError, OSError) as err:
            report.errors.append(str(err))
            return
        if extracted.encoding:
            report.notes.append(f"{file.name}: decoded as {extracted.encoding}")
        digest = content_hash(extracted.text)
        doc_id = known.get(digest) or f"{_slug(file.stem)}_{digest[:12]}"
        meta = DocumentMeta(
            doc_id=doc_id,
            title=extracted.title or guess_title(extracted.text) or file.stem,
            outlet=extracted.outlet,
            date=extracted.date,
            date_estimated=extracted.date_estimated,
            date_note=extracted.date_note,
            author=extracted.author,
            url=extracted.url,
            language=identify_language(extracted.text),
            source_file=file.name,
            page_starts=list(extracted.page_starts),
        )
        meta_path = self.corpus_dir / f"{doc_id}{META_SUFFIX}"
        if digest in known:
            report.duplicates.append(f"{file.name}: same content as {doc_id}")
            report.duplicate_ids.append(doc_id)
            if not meta_path.exists():  # an earlier add was cut off between the text and its metadata
                _write_atomic(meta_path, json.dumps(meta.model_dump(), indent=2))
                report.notes.append(f"{doc_id}: metadata restored (an earlier add was interrupted)")
            return
        if meta.language != "en":
            report.notes.append(f"{file.name}: language {meta.language}, not English (see README, Limits)")
        # Text first, metadata last: a crash between them leaves a readable article.
        _write_atomic(self.corpus_dir / f"{doc_id}{TEXT_SUFFIX}", extracted.text)
        _write_atomic(meta_path, json.dumps(meta.model_dump(), indent=2))
        known[digest] = doc_id
        report.added.append(doc_id)

    def meta(self, doc_id: str) -> DocumentMeta:
        """The article's metadata as stored (or as guessed when it has no sidecar)."""
        text = self.corpus_dir / f"{doc_id}{TEXT_SUFFIX}"
        if not _is_doc_id(doc_id) or not text.is_file():
            raise MetadataError(f"no article with id {doc_id!r} in {self.corpus_dir}")
        return load_document(text).meta

    def set_meta(self, doc_id: str, **changes: str | None) -> DocumentMeta:
        """Change title, outlet, date, author, URL or language in the article's sidecar; the text stays as it is.

        A value of "" clears the field (the title cannot be cleared). A date set here is stated, so an
        earlier estimate and its note go."""
        unknown = set(changes) - set(SETTABLE_FIELDS)
        if unknown:
            raise MetadataError(f"cannot set {', '.join(sorted(unknown))}; editable: {', '.join(SETTABLE_FIELDS)}")
        with self._lock():
            current = self.meta(doc_id)
            update: dict[str, object] = {}
            for name, value in changes.items():
                if value is not None:
                    update[name] = _checked(name, value)
            if "date" in update:
                update |= {"date_estimated": False, "date_note": None}
            meta = current.model_copy(update=update)
            _write_atomic(self.corpus_dir / f"{doc_id}{META_SUFFIX}", json.dumps(meta.model_dump(), indent=2))
        return meta

    def remove(self, doc_id: str) -> bool:
        text = self.corpus_dir / f"{doc_id}{TEXT_SUFFIX}"
        if not text.exists():
            return False
        with self._lock():
            text.unlink(missing_ok=True)
            (self.corpus_dir / f"{doc_id}{META_SUFFIX}").unlink(missing_ok=True)
        return True

"""The index manifest: what built the index, from which documents, and file checksums."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

SCHEMA_VERSION = 2  # 2: Chinese and Thai words segmented for BM25; cross-language vectors


class IndexMismatchError(RuntimeError):
    """The index on disk was built with other settings than the ones asked for now."""


class CorruptIndexError(RuntimeError):
    """An index file is missing, unreadable or not what the manifest recorded."""


class DocumentEntry(BaseModel):
    content_hash: str
    meta_hash: str = ""
    n_chunks: int
    title: str


class Manifest(BaseModel):
    schema_version: int = SCHEMA_VERSION
    embedder_id: str
    dimension: int
    embedder_precision: str = Field(description="informational: bf16 and fp32 vectors agree to cosine >= 0.998")
    chunker: dict[str, object]
    index_type: str
    n_chunks: int
    documents: dict[str, DocumentEntry]
    files: dict[str, str] = Field(default_factory=dict, description="relative path -> sha256")
    created_at: str

    def check_compatible(self, embedder_id: str, dimension: int, chunker: dict[str, object]) -> None:
        problems = []
        if self.schema_version != SCHEMA_VERSION:
            problems.append(f"schema version {self.schema_version} (this program writes {SCHEMA_VERSION})")
        if self.embedder_id != embedder_id:
            problems.append(f"embedder {self.embedder_id!r} (settings ask for {embedder_id!r})")
        if self.dimension != dimension:
            problems.append(f"dimension {self.dimension} (the embedder gives {dimension})")
        if self.chunker != chunker:
            problems.append(f"chunker {self.chunker} (settings ask for {chunker})")
        if problems:
            raise IndexMismatchError(
                "The index on disk does not match the current settings: it was built with "
                + "; ".join(problems)
                + ". Rebuild it with `rag index --rebuild` (or point --data-dir elsewhere)."
            )


MANIFEST_FILE = "manifest.json"
MANIFEST_CHECKSUM_FILE = "manifest.sha256"


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write manifest.json and, beside it, the sha256 of its exact bytes (the other files' checksums
    live inside the manifest, so the manifest needs its own)."""
    data = manifest.model_dump_json(indent=2).encode("utf-8")
    (folder / MANIFEST_FILE).write_bytes(data)
    (folder / MANIFEST_CHECKSUM_FILE).write_text(hashlib.sha256(data).hexdigest() + "\n", encoding="ascii")


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a generation folder, refused (CorruptIndexError) unless its bytes match their checksum."""
    try:
        data = (folder / MANIFEST_FILE).read_bytes()
        recorded = (folder / MANIFEST_CHECKSUM_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise CorruptIndexError(f"index manifest in {folder} is unreadable ({err}); run `rag index --rebuild`") from err
    if hashlib.sha256(data).hexdigest() != recorded:
        raise CorruptIndexError(
            f"index manifest in {folder} is unreadable or altered: its bytes do not match {MANIFEST_CHECKSUM_FILE}; "
            "the index is corrupt: run `rag index --rebuild`"
        )
    try:
        return Manifest.model_validate_json(data)
    except ValueError as err:
        raise CorruptIndexError(f"index manifest in {folder} is unreadable ({err}); run `rag index --rebuild`") from err


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (MANIFEST_FILE, MANIFEST_CHECKSUM_FILE)
    }

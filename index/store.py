"""Persisted hybrid index: generations on disk, switched atomically, updated incrementally.

Layout of the data directory:
    CURRENT            name of the live generation (replaced atomically with os.replace)
    gen-<stamp>/       manifest.json, docs.jsonl, chunks.jsonl, vectors.npy, faiss.index, bm25/
    .gen-<stamp>.tmp/  a generation being written; never read, removed by the next writer
A crash while writing leaves CURRENT pointing at the previous, complete generation.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from filelock import FileLock
from tqdm import tqdm

from index.chunking import Chunk, ChunkerConfig, chunk_document
from index.documents import Document, DocumentMeta
from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.keyword_index import KeywordIndex
from index.manifest import CorruptIndexError, DocumentEntry, Manifest, tree_checksums
from index.vector_index import build_index, choose_index_type, read_index, write_index


class NoIndexError(FileNotFoundError):
    """No index has been built in this data directory yet."""


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    n_chunks: int = 0
    generation: str = ""

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_jsonl(path: Path, rows: Sequence[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


class IndexStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    @property
    def pointer(self) -> Path:
        return self.data_dir / "CURRENT"

    def current_generation(self) -> Path | None:
        if not self.pointer.exists():
            return None
        return self.data_dir / self.pointer.read_text(encoding="utf-8").strip()

    def exists(self) -> bool:
        return self.current_generation() is not None

    def is_stale(self, documents: Sequence[Document]) -> bool:
        """Whether the corpus differs from what the index was built from (text or metadata)."""
        entries = self.read_manifest().documents
        return entries.keys() != {d.doc_id for d in documents} or any(
            (entries[d.doc_id].content_hash, entries[d.doc_id].meta_hash) != (d.content_hash, d.meta_hash)
            for d in documents
        )

    def read_manifest(self) -> Manifest:
        gen = self.current_generation()
        if gen is None:
            raise NoIndexError(f"no index in {self.data_dir}; build one with `rag index`")
        try:
            return Manifest.model_validate_json((gen / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise CorruptIndexError(
                f"index manifest in {gen} is unreadable ({err}); run `rag index --rebuild`"
            ) from err

    def load(self, embedder_id: str, dimension: int, chunker: ChunkerConfig, verify: bool = True) -> HybridIndex:
        manifest = self.read_manifest()
        manifest.check_compatible(embedder_id, dimension, chunker.model_dump())
        gen = self.current_generation()
        assert gen is not None
        if verify:
            actual = tree_checksums(gen)
            bad = sorted(
                name for name in set(manifest.files) | set(actual) if manifest.files.get(name) != actual.get(name)
            )
            if bad:
                raise CorruptIndexError(
                    f"index files in {gen} do not match their manifest checksums: {', '.join(bad)}. "
                    "The index is corrupt; rebuild it with `rag index --rebuild`."
                )
        try:
            return HybridIndex(
                manifest=manifest,
                documents={
                    m.doc_id: m for m in (DocumentMeta.model_validate_json(x) for x in _lines(gen / "docs.jsonl"))
                },
                chunks=[Chunk.model_validate_json(line) for line in _lines(gen / "chunks.jsonl")],
                vectors=np.load(gen / "vectors.npy"),
                vector_index=read_index(gen / "faiss.index"),
                keyword_index=KeywordIndex.load(gen / "bm25"),
            )
        except (OSError, ValueError, RuntimeError) as err:
            raise CorruptIndexError(f"cannot read the index in {gen} ({err}); run `rag index --rebuild`") from err

    def update(
        self,
        documents: Sequence[Document],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport:
        """Make the index hold exactly `documents`, embedding only new or changed ones."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.data_dir / ".lock"), timeout=600):
            self._remove_stale()
            previous = None if rebuild or not self.exists() else self._previous(embedder, chunker)
            tmp = self.data_dir / f".gen-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}.tmp"
            tmp.mkdir()
            report = UpdateReport()
            chunks, vectors = self._collect(documents, previous, embedder, chunker, report, tmp, show_progress)
            self._write(tmp, documents, chunks, vectors, embedder, chunker)
            final = self.data_dir / tmp.name.removeprefix(".").removesuffix(".tmp")
            os.replace(tmp, final)
            pointer_tmp = self.data_dir / "CURRENT.tmp"
            pointer_tmp.write_text(final.name, encoding="utf-8")
            with pointer_tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(pointer_tmp, self.pointer)
            _fsync_dir(self.data_dir)
            self._remove_stale()
            report.generation, report.n_chunks = final.name, len(chunks)
            return report

    def _previous(self, embedder: Embedder, chunker: ChunkerConfig) -> HybridIndex | None:
        try:
            return self.load(embedder.model_id, embedder.dimension, chunker)
        except CorruptIndexError:
            return None  # a corrupt index is rebuilt from scratch, never reused

    def _collect(
        self,
        documents: Sequence[Document],
        previous: HybridIndex | None,
        embedder: Embedder,
        chunker: ChunkerConfig,
        report: UpdateReport,
        tmp: Path,
        show_progress: bool,
    ) -> tuple[list[Chunk], np.ndarray]:
        old_entries = previous.manifest.documents if previous else {}
        wanted = {d.doc_id for d in documents}
        report.removed = sorted(set(old_entries) - wanted)
        chunks: list[Chunk] = []
        blocks: list[np.ndarray] = []
        # Progress is streamed to disk so an interrupted run is visible (and discarded) as a .tmp dir.
        with (tmp / "chunks.partial.jsonl").open("w", encoding="utf-8") as partial:
            for doc in tqdm(documents, desc="indexing", unit="doc", disable=not show_progress):
                entry = old_entries.get(doc.doc_id)
                if previous is not None and entry is not None and entry.content_hash == doc.content_hash:
                    rows = previous.rows_of(doc.doc_id)
                    doc_chunks = [previous.chunks[r] for r in rows]
                    doc_vectors = previous.vectors[rows]
                    report.unchanged.append(doc.doc_id)
                else:
                    doc_chunks = chunk_document(doc, chunker)
                    doc_vectors = embedder.embed([c.text for c in doc_chunks])
                    report.chunks_embedded += len(doc_chunks)
                    (report.changed if entry else report.added).append(doc.doc_id)
                chunks.extend(doc_chunks)
                blocks.append(doc_vectors)
                partial.write("".join(c.model_dump_json() + "\n" for c in doc_chunks))
                partial.flush()
        (tmp / "chunks.partial.jsonl").unlink()
        vectors = np.vstack(blocks) if blocks else np.zeros((0, embedder.dimension), dtype=np.float32)
        return chunks, vectors.astype(np.float32)

    def _write(
        self,
        tmp: Path,
        documents: Sequence[Document],
        chunks: list[Chunk],
        vectors: np.ndarray,
        embedder: Embedder,
        chunker: ChunkerConfig,
    ) -> None:
        _write_jsonl(tmp / "docs.jsonl", [d.meta.model_dump() for d in documents])
        _write_jsonl(tmp / "chunks.jsonl", [c.model_dump() for c in chunks])
        with (tmp / "vectors.npy").open("wb") as handle:
            np.save(handle, vectors)
            os.fsync(handle.fileno())
        index_type = choose_index_type(len(vectors))
        write_index(build_index(vectors, index_type), tmp / "faiss.index")
        (tmp / "bm25").mkdir()
        KeywordIndex.build([c.text for c in chunks]).save(tmp / "bm25")
        counts: dict[str, int] = {}
        for chunk in chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        manifest = Manifest(
            embedder_id=embedder.model_id,
            dimension=embedder.dimension,
            embedder_precision=embedder.precision,
            chunker=chunker.model_dump(),
            index_type=index_type,
            n_chunks=len(chunks),
            documents={
                d.doc_id: DocumentEntry(
                    content_hash=d.content_hash,
                    meta_hash=d.meta_hash,
                    n_chunks=counts.get(d.doc_id, 0),
                    title=d.meta.title,
                )
                for d in documents
            },
            files=tree_checksums(tmp),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        _fsync_dir(tmp)

    def _remove_stale(self) -> None:
        """Delete unfinished .tmp generations and generations no longer pointed at."""
        live = self.current_generation()
        for path in self.data_dir.iterdir():
            if path.is_dir() and (path.name.endswith(".tmp") or (path.name.startswith("gen-") and path != live)):
                shutil.rmtree(path, ignore_errors=True)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

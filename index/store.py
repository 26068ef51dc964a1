"""Persisted hybrid index: generations on disk, switched atomically, updated incrementally.

Layout of the data directory:
    CURRENT            name of the live generation (replaced atomically with os.replace)
    gen-<stamp>/       manifest.json, docs.jsonl, chunks.jsonl, vectors.npy, faiss.index, bm25/,
                       cross_rows.npy + cross_vectors.npy (chunks in other languages than English)
    .gen-<stamp>.tmp/  a generation being written; never read, removed by the next writer
A crash while writing leaves CURRENT pointing at the previous, complete generation.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from filelock import FileLock
from tqdm import tqdm

from index.chunking import Chunk, ChunkerConfig, chunk_document
from index.cross_language import DIMENSION as CROSS_DIMENSION
from index.cross_language import cross_language_encoder, is_cross_language
from index.documents import Document, DocumentMeta
from index.embedder import Embedder
from index.hybrid import Hit, HybridIndex
from index.keyword_index import KeywordIndex
from index.manifest import (
    CorruptIndexError,
    DocumentEntry,
    IndexMismatchError,
    Manifest,
    read_manifest,
    tree_checksums,
    write_manifest,
)
from index.store_protocol import DocIdFilter, NoIndexError, StoreHit, UpdateReport
from index.vector_index import build_index, choose_index_type, read_index, write_index

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Kept:
    """A document the index already holds, kept as it is by upsert/delete (its text is not needed)."""

    meta: DocumentMeta
    content_hash: str
    meta_hash: str

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id


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
    """The embedded store (implements `index.store_protocol.Store`).

    Searches go to the generation loaded by `open`; `reload_if_changed` reads `CURRENT` (one small
    file) and, when another process has switched it, loads the new generation and swaps it in with
    one assignment. A search already running keeps the `HybridIndex` object it started with.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._live: HybridIndex | None = None
        self._live_generation: str | None = None
        self._failed_generation: str | None = None  # a generation that would not load: not retried
        self._opened_with: tuple[str, int, ChunkerConfig] | None = None
        self._reload_lock = threading.Lock()

    @property
    def location(self) -> str:
        return str(self.data_dir)

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
        return read_manifest(gen)

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
            cross_rows, cross_vectors = _read_cross(gen)
            return HybridIndex(
                manifest=manifest,
                documents={
                    m.doc_id: m for m in (DocumentMeta.model_validate_json(x) for x in _lines(gen / "docs.jsonl"))
                },
                chunks=[Chunk.model_validate_json(line) for line in _lines(gen / "chunks.jsonl")],
                vectors=np.load(gen / "vectors.npy"),
                vector_index=read_index(gen / "faiss.index"),
                keyword_index=KeywordIndex.load(gen / "bm25"),
                cross_rows=cross_rows,
                cross_vectors=cross_vectors,
                cross_index=build_index(cross_vectors, choose_index_type(len(cross_vectors))) if len(cross_rows) else None,
            )
        except (OSError, ValueError, RuntimeError) as err:
            raise CorruptIndexError(f"cannot read the index in {gen} ({err}); run `rag index --rebuild`") from err

    # -- reading (the Store protocol) ----------------------------------------------------------------
    def open(self, embedder_id: str, dimension: int, chunker: ChunkerConfig) -> None:
        name = self._pointer_name()
        self._live = self.load(embedder_id, dimension, chunker)
        self._live_generation, self._opened_with = name, (embedder_id, dimension, chunker)

    def reload_if_changed(self) -> bool:
        if self._opened_with is None:
            return False
        name = self._pointer_name()
        if name is None or name in (self._live_generation, self._failed_generation):
            return False
        with self._reload_lock:
            if name == self._live_generation:
                return False  # another thread reloaded it meanwhile
            try:
                live = self.load(*self._opened_with)
            except (CorruptIndexError, IndexMismatchError, NoIndexError, OSError) as err:
                # Keep answering from the generation in memory; the log says why the new one was not taken.
                _log.warning("not switching to index generation %s: %s", name, err)
                self._failed_generation = name
                return False
            self._live, self._live_generation = live, name
        return True

    def documents(self) -> dict[str, DocumentMeta]:
        return dict(self._require_live().documents)

    def search_dense(self, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]:
        index = self._require_live()
        return [
            _hit(index, Hit(row, index.chunks[row], s, s, None, rank, None))
            for rank, (row, s) in enumerate(index.dense(query_vector, k, index.rows_of_docs(doc_ids)))
        ]

    def search_keyword(
        self, query: str, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None
    ) -> list[StoreHit]:
        index = self._require_live()
        query_vector = query_vector.reshape(-1)
        # Cosine is still reported, so the relevance check works the same in every mode.
        return [
            _hit(index, Hit(row, index.chunks[row], s, float(index.vectors[row] @ query_vector), s, None, rank))
            for rank, (row, s) in enumerate(index.keyword(query, k, index.rows_of_docs(doc_ids)))
        ]

    def search_cross_language(self, query: str, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]:
        index = self._require_live()
        if not len(index.cross_rows):
            return []  # an English archive never loads the cross-language encoder
        vector = cross_language_encoder().embed([query])[0]
        return [
            _hit(index, Hit(row, index.chunks[row], s, s, None, rank, None))
            for rank, (row, s) in enumerate(index.cross_language(vector, k, index.rows_of_docs(doc_ids)))
        ]

    def unknown_words(self, words: Sequence[str]) -> set[str]:
        return self._require_live().keyword_index.unknown_words(words)

    def next_chunk(self, doc_id: str, chunk_id: str) -> Chunk | None:
        index = self._require_live()
        chunks = sorted((index.chunks[row] for row in index.rows_of(doc_id)), key=lambda c: c.ordinal)
        ordinals = [c.ordinal for c in chunks if c.chunk_id == chunk_id]
        return next((c for c in chunks if ordinals and c.ordinal == ordinals[0] + 1), None)

    def search_hybrid(
        self,
        query: str,
        query_vector: np.ndarray,
        k: int,
        candidates: int = 30,
        rrf_k: int = 60,
        doc_ids: DocIdFilter = None,
    ) -> list[StoreHit]:
        index = self._require_live()
        rows = index.rows_of_docs(doc_ids)
        return [_hit(index, hit) for hit in index.hybrid(query, query_vector, k, candidates, rrf_k, rows)]

    def close(self) -> None:
        self._live, self._live_generation, self._opened_with = None, None, None

    def _require_live(self) -> HybridIndex:
        live = self._live
        if live is None:
            raise RuntimeError(f"the index in {self.data_dir} is not open; call open() first")
        return live

    def _pointer_name(self) -> str | None:
        try:
            return self.pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    # -- writing ----------------------------------------------------------------------------------
    def update(
        self,
        documents: Sequence[Document],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport:
        """Make the index hold exactly `documents`, embedding only new or changed ones."""
        return self._commit(lambda _previous: list(documents), embedder, chunker, rebuild, show_progress)

    def upsert(self, documents: Sequence[Document], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport:
        """Add `documents`, or replace the indexed ones with the same id; every other document stays."""
        new = {d.doc_id: d for d in documents}

        def wanted(previous: HybridIndex | None) -> list[Document | _Kept]:
            kept = [k for k in _kept(previous) if k.doc_id not in new]
            return [*kept, *new.values()]

        return self._commit(wanted, embedder, chunker)

    def delete(self, doc_ids: Sequence[str], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport:
        """Remove these documents' chunks; every other document stays (nothing is embedded)."""
        gone = set(doc_ids)
        return self._commit(lambda previous: [k for k in _kept(previous) if k.doc_id not in gone], embedder, chunker)

    def _commit(
        self,
        wanted: Callable[[HybridIndex | None], Sequence[Document | _Kept]],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport:
        """Write a new generation holding `wanted(previous)` and switch CURRENT to it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.data_dir / ".lock"), timeout=600):
            self._remove_stale()
            previous = None if rebuild or not self.exists() else self._previous(embedder, chunker)
            documents = wanted(previous)
            tmp = self.data_dir / f".gen-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}.tmp"
            tmp.mkdir()
            report = UpdateReport()
            chunks, vectors = self._collect(documents, previous, embedder, chunker, report, tmp, show_progress)
            self._write_cross(tmp, documents, chunks, previous, show_progress)
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
        documents: Sequence[Document | _Kept],
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
                    if not isinstance(doc, _Kept):  # kept by upsert/delete: not one of the documents given
                        report.unchanged.append(doc.doc_id)
                elif isinstance(doc, _Kept):
                    raise CorruptIndexError(f"document {doc.doc_id} is missing from the index; run `rag index --rebuild`")
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

    @staticmethod
    def _write_cross(
        tmp: Path, documents: Sequence[Document | _Kept], chunks: list[Chunk], previous: HybridIndex | None,
        show_progress: bool,
    ) -> None:
        """Cross-language vectors of the chunks of articles in other languages; an unchanged chunk keeps its own."""
        foreign = {d.doc_id for d in documents if is_cross_language(d.meta.language)}
        rows = [row for row, chunk in enumerate(chunks) if chunk.doc_id in foreign]
        kept: dict[str, np.ndarray] = {}
        if previous is not None:
            kept = {previous.chunks[r].chunk_id + "\0" + previous.chunks[r].text: v
                    for r, v in zip(previous.cross_rows, previous.cross_vectors, strict=True)}
        keys = [chunks[r].chunk_id + "\0" + chunks[r].text for r in rows]
        missing = [i for i, key in enumerate(keys) if key not in kept]
        fresh = cross_language_encoder().embed([chunks[rows[i]].text for i in missing], show_progress)
        kept |= {keys[i]: fresh[j] for j, i in enumerate(missing)}
        vectors = np.array([kept[key] for key in keys], dtype=np.float32).reshape(len(rows), CROSS_DIMENSION)
        for name, array in (("cross_rows.npy", np.array(rows, dtype=np.int64)), ("cross_vectors.npy", vectors)):
            with (tmp / name).open("wb") as handle:
                np.save(handle, array)
                os.fsync(handle.fileno())

    def _write(
        self,
        tmp: Path,
        documents: Sequence[Document | _Kept],
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
        write_manifest(tmp, manifest)
        _fsync_dir(tmp)

    def _remove_stale(self) -> None:
        """Delete unfinished .tmp generations and generations no longer pointed at."""
        live = self.current_generation()
        for path in self.data_dir.iterdir():
            if path.is_dir() and (path.name.endswith(".tmp") or (path.name.startswith("gen-") and path != live)):
                shutil.rmtree(path, ignore_errors=True)


def _kept(previous: HybridIndex | None) -> list[_Kept]:
    """The documents of the previous generation, in index order, as they are."""
    if previous is None:
        return []
    entries = previous.manifest.documents
    return [
        _Kept(meta, entries[doc_id].content_hash, entries[doc_id].meta_hash)
        for doc_id, meta in previous.documents.items()
        if doc_id in entries
    ]


def _hit(index: HybridIndex, hit: Hit) -> StoreHit:
    return StoreHit(
        chunk=hit.chunk,
        document=index.documents[hit.chunk.doc_id],
        score=hit.score,
        dense_score=hit.dense_score,
        keyword_score=hit.keyword_score,
        dense_rank=hit.dense_rank,
        keyword_rank=hit.keyword_rank,
    )


def _read_cross(gen: Path) -> tuple[np.ndarray, np.ndarray]:
    rows, vectors = np.load(gen / "cross_rows.npy"), np.load(gen / "cross_vectors.npy")
    if len(rows) != len(vectors):
        raise ValueError(f"{len(rows)} cross-language rows but {len(vectors)} vectors")
    return rows.astype(np.int64), vectors.astype(np.float32)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

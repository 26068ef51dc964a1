"""What the question-answering layer needs of an index, whichever engine holds it.

Two implementations: the embedded store (`index.store.IndexStore`: FAISS + bm25s files in a data
folder, one process writes a new generation and switches `CURRENT`) and the shared PostgreSQL +
pgvector store (`index.pg_store.PgStore`: one database that several processes read live).
`open_store` picks one from a URL; nothing above `index/` needs to know which one it got.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.chunking import Chunk, ChunkerConfig
from index.documents import Document, DocumentMeta
from index.embedder import Embedder
from index.manifest import Manifest

# The documents a search may return (None: all of them). Filters by outlet, date and so on are
# resolved into document ids above the index, from `Store.documents()` metadata.
DocIdFilter = Collection[str] | None


class NoIndexError(FileNotFoundError):
    """No index has been built in this store yet."""


class StoreUnavailableError(RuntimeError):
    """The store cannot be reached (database down, wrong URL, missing client package)."""


@dataclass(frozen=True)
class StoreHit:
    """One retrieved chunk, its article's metadata and the evidence for its rank."""

    chunk: Chunk
    document: DocumentMeta
    score: float  # the score the mode ranks by: fused RRF, cosine or keyword score
    dense_score: float | None  # cosine to the query (always filled in by both stores)
    keyword_score: float | None  # None when the keyword search did not return the chunk
    dense_rank: int | None = None
    keyword_rank: int | None = None


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


@runtime_checkable
class Store(Protocol):
    """An index of chunks with vectors and keywords, its manifest, and its documents.

    Reading: `open` checks the manifest against the settings (IndexMismatchError with the fix)
    and makes the store searchable; `reload_if_changed` is called before each question and is
    cheap. Writing: `update` makes the store hold exactly the given documents; `upsert` adds or
    replaces documents, `delete` removes them. Documents are compared by content hash, so only new
    or changed text is chunked and embedded. A write is all or nothing: a crash leaves the
    previous state, and a reader never sees half of an update.
    """

    @property
    def location(self) -> str:
        """Where the index lives, for messages (never a password)."""
        ...

    def exists(self) -> bool: ...

    def read_manifest(self) -> Manifest:
        """Embedder id, dimension, chunker settings and the indexed documents' hashes."""
        ...

    def is_stale(self, documents: Sequence[Document]) -> bool:
        """Whether `documents` differ from what the index holds (text or metadata)."""
        ...

    def open(self, embedder_id: str, dimension: int, chunker: ChunkerConfig) -> None:
        """Check compatibility and make the store searchable (NoIndexError, IndexMismatchError,
        CorruptIndexError, StoreUnavailableError say why not)."""
        ...

    def reload_if_changed(self) -> bool:
        """Pick up a newer index written by another process; True when something was reloaded."""
        ...

    def documents(self) -> dict[str, DocumentMeta]: ...

    # `doc_ids` (a DocIdFilter): search only these documents' chunks. The restriction applies before
    # ranking, so the k hits are the best k of those documents; an empty collection finds nothing.
    def search_dense(self, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]: ...

    def search_keyword(
        self, query: str, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None
    ) -> list[StoreHit]: ...

    def search_cross_language(self, query: str, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]:
        """The chunks of articles in other languages than English closest to `query` in the cross-language
        space (index/cross_language.py; `dense_score` is that cosine); [] when the store holds none."""
        ...

    def unknown_words(self, words: Sequence[str]) -> set[str]:
        """The words that no chunk contains, compared as the keyword index stems them (a question's
        misspellings: "Myanmr"); stop words are never unknown."""
        ...

    def next_chunk(self, doc_id: str, chunk_id: str) -> Chunk | None:
        """The chunk after `chunk_id` in its article (a list cut by a chunk boundary goes on there),
        or None for the article's last chunk or an unknown one."""
        ...

    def search_hybrid(
        self,
        query: str,
        query_vector: np.ndarray,
        k: int,
        candidates: int = 30,
        rrf_k: int = 60,
        doc_ids: DocIdFilter = None,
    ) -> list[StoreHit]: ...

    def update(
        self,
        documents: Sequence[Document],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport: ...

    def upsert(self, documents: Sequence[Document], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport: ...

    def delete(self, doc_ids: Sequence[str], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport: ...

    def close(self) -> None: ...


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))


def open_store(data_dir: Path, url: str | None = None, ef_search: int = 100) -> Store:
    """The store named by `url` (postgresql://...), else the embedded store in `data_dir`."""
    if not url:
        from index.store import IndexStore

        return IndexStore(data_dir)
    if is_postgres_url(url):
        from index.pg_store import PgStore

        return PgStore(url, ef_search=ef_search)
    raise ValueError(f"unknown store URL scheme in {url.split('://')[0]!r}; use postgresql://... or leave it unset")

"""Passage-sentence vectors computed when the index is built, so a cold `rag ask` does not embed them.

The extractive reader and the citation check compare the question and the answer with every
sentence of the retrieved passages: ~50-100 sentences, about a second of a cold process on two
cores. Those sentences are the chunks' sentences, known at index time, so `build` embeds them then
(with the query embedder, so the vectors are the ones a warm process would compute) and keeps them
in one file beside the index, keyed by a hash of the sentence text and the embedder id.

It is a cache: a missing, partial or unreadable file costs time, never correctness (the sentences
are embedded at question time as before). The file is replaced atomically; an update embeds only
sentences it has not seen. Above `RAG_RETRIEVAL__SENTENCE_CACHE_MAX` sentences it is not built
(memory: 1.5 kB a sentence; time: ~150 sentences/s on two cores).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from filelock import FileLock

from index.chunking import ChunkerConfig, chunk_document
from index.documents import Document
from index.embedder import Embedder
from index.sentences import sentence_spans

log = logging.getLogger(__name__)

_KEY_BYTES = 16


def cache_path(data_dir: Path, model_id: str) -> Path:
    slug = hashlib.sha256(model_id.encode()).hexdigest()[:12]
    return Path(data_dir) / f"sentence-vectors-{slug}.npz"


def sentence_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_KEY_BYTES).digest()


def chunk_sentences(documents: Iterable[Document], chunker: ChunkerConfig) -> list[str]:
    """Every sentence of every chunk, as the reader splits a passage (a passage is one chunk)."""
    texts: dict[str, None] = {}
    for doc in documents:
        for chunk in chunk_document(doc, chunker):
            for start, end in sentence_spans(chunk.text):
                texts[chunk.text[start:end]] = None
    return list(texts)


def load(data_dir: Path, model_id: str, dimension: int) -> dict[bytes, np.ndarray]:
    """The cached vectors by sentence key; empty when there is no usable file."""
    path = cache_path(data_dir, model_id)
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError) as err:
        log.warning("ignoring the sentence-vector cache %s (%s); it is rebuilt at the next `rag index`", path, err)
        return {}
    if keys.ndim != 2 or keys.shape[1] != _KEY_BYTES or vectors.shape != (len(keys), dimension):
        log.warning("ignoring the sentence-vector cache %s: shapes %s / %s do not fit", path, keys.shape, vectors.shape)
        return {}
    return {bytes(key): vector for key, vector in zip(keys, vectors, strict=True)}


def build(
    data_dir: Path, documents: Iterable[Document], chunker: ChunkerConfig, embedder: Embedder, max_sentences: int
) -> int:
    """Make the cache hold the vectors of exactly the current chunks' sentences; returns how many
    were embedded now (the rest are reused)."""
    texts = chunk_sentences(documents, chunker)
    path = cache_path(data_dir, embedder.model_id)
    if len(texts) > max_sentences:
        log.info("%d sentences: no sentence-vector cache (limit %d); sentences embed at question time",
                 len(texts), max_sentences)
        path.unlink(missing_ok=True)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    # One writer at a time (two `rag add` at once): each may then clear what a killed one left.
    with FileLock(str(path.parent / ".sentence-cache.lock"), timeout=3600):
        known = load(data_dir, embedder.model_id, embedder.dimension)
        keys = [sentence_key(t) for t in texts]
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in known]
        fresh = dict(zip((sentence_key(t) for t in missing), embedder.embed(missing), strict=True)) if missing else {}
        _write(path, keys, {**known, **fresh}, embedder.dimension)
    return len(missing)


def _write(path: Path, keys: list[bytes], vectors: Mapping[bytes, np.ndarray], dimension: int) -> None:
    """Replace the file atomically (called under the writers' lock)."""
    for stale in path.parent.glob(f".{path.name}-*.tmp"):  # left by a process killed while writing
        stale.unlink(missing_ok=True)
    key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), _KEY_BYTES)
    vector_array = (
        np.stack([vectors[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dimension), np.float32)
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, keys=key_array, vectors=vector_array)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the index beside it is readable by its users
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)

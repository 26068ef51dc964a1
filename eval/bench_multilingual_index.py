"""Indexing time of a mixed-language corpus beside an English one of the same size, in one run.

Both corpora hold about `--chunks` chunks, built from the seed and dev articles (English) and the
multilingual dev articles (Chinese and Thai), each copy marked so that it is a distinct text. The
mixed corpus has `--foreign-share` of its chunks in Chinese and Thai. Each corpus is indexed from
scratch into a fresh embedded store (what `rag index --rebuild` does, with its progress bars), `--rounds`
times; medians are printed, with the cross-language vectors and the word segmentation timed alone.

    python -m eval.bench_multilingual_index --chunks 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from eval.devset.split import ARTICLES_DIR, MULTILINGUAL_ARTICLES_DIR
from index.chunking import ChunkerConfig, chunk_document
from index.corpus_store import CorpusStore
from index.cross_language import cross_language_encoder, is_cross_language
from index.documents import Document
from index.embedder import load_embedder
from index.store import IndexStore
from index.word_segmentation import segment_words

SEEDS = Path(__file__).resolve().parents[1] / "corpus"


def articles(folders: Sequence[Path]) -> list[Document]:
    """The articles of `folders` as `rag add` stores them (extraction, metadata, language)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp))
        for folder in folders:
            store.add(folder)
        return store.documents()


def copies(documents: Sequence[Document], chunks: int, chunker: ChunkerConfig) -> list[Document]:
    """Marked copies of `documents`, in turn, until they make about `chunks` chunks."""
    out: list[Document] = []
    total, k = 0, 0
    while total < chunks:
        for doc in documents:
            copy = Document(meta=doc.meta.model_copy(update={"doc_id": f"{doc.doc_id}-copy{k}"}),
                            text=f"{doc.text}\n\n(copy {k})")
            total += len(chunk_document(copy, chunker))
            out.append(copy)
            if total >= chunks:
                break
        k += 1
    return out


def index_seconds(documents: Sequence[Document], chunker: ChunkerConfig) -> float:
    embedder = load_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        IndexStore(Path(tmp)).update(documents, embedder, chunker, rebuild=True, show_progress=True)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--foreign-share", type=float, default=0.3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    chunker = ChunkerConfig()
    english = articles([SEEDS, ARTICLES_DIR])
    foreign = [d for d in articles([MULTILINGUAL_ARTICLES_DIR]) if is_cross_language(d.meta.language)]
    n_foreign = round(args.chunks * args.foreign_share)
    corpora = {
        "English": copies(english, args.chunks, chunker),
        "mixed": copies(english, args.chunks - n_foreign, chunker) + copies(foreign, n_foreign, chunker),
    }
    foreign_texts = [c.text for d in corpora["mixed"] if is_cross_language(d.meta.language)
                     for c in chunk_document(d, chunker)]
    cross_language_encoder().embed(foreign_texts[:1])  # loaded once, as a long-running indexer has it
    rows = []
    for name, documents in corpora.items():
        n_chunks = sum(len(chunk_document(d, chunker)) for d in documents)
        rounds = [index_seconds(documents, chunker) for _ in range(args.rounds)]
        rows.append((name, len(documents), n_chunks, statistics.median(rounds)))
    start = time.perf_counter()
    cross_language_encoder().embed(foreign_texts)
    cross_s = time.perf_counter() - start
    start = time.perf_counter()
    for text in foreign_texts:
        segment_words(text)
    segment_s = time.perf_counter() - start
    print("| corpus | articles | chunks | median index s | chunks/s |\n|---|---|---|---|---|")
    for name, n_docs, n_chunks, seconds in rows:
        print(f"| {name} | {n_docs} | {n_chunks} | {seconds:.1f} | {n_chunks / seconds:.1f} |")
    print(f"\nmixed / English time: {rows[1][3] / rows[0][3]:.2f}; of the mixed run, {len(foreign_texts)} Chinese and "
          f"Thai chunks: cross-language vectors {cross_s:.1f} s, word segmentation {segment_s:.1f} s (timed alone, "
          f"encoder loaded).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scale benchmark on vectors shaped like real embeddings: FAISS exact, HNSW and IVF, pgvector HNSW
and pgvector hybrid, side by side, at each size given.

Uniform random vectors (eval/bench_ann.py) have no neighbourhood structure, so approximate search
looks far worse on them than on real embeddings. Here the vectors are built from real ones: the
seed articles (corpus/) and the dev-set articles (eval/devset/articles) are cut into chunks and
sentences and embedded with the project's embedder; a random fifth of the sentences is held out
for queries. Each database vector is a random convex mixture of 2 or 3 real vectors plus Gaussian
noise, normalised, so topics form clusters and neighbourhoods as in an archive; each query is
made the same way from the held-out sentences (a question close to, not copied from, the text).

Measured per method: build time, memory (size of the index), p50/p95 latency of single queries
(FAISS with one thread, as `rag` searches; PostgreSQL over loopback, client-side), and recall@10
against exact inner-product search. pgvector hybrid fuses HNSW and BM25 by reciprocal rank in the
store's own SQL (index/pg_store.py HYBRID_SQL) over the texts the vectors were mixed from, so its
"recall" is its agreement with the dense top 10, not a quality figure.

    python -m eval.bench_scale --sizes 100000,1000000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.chunking import ChunkerConfig, chunk_document
from index.documents import Document, DocumentMeta, load_corpus
from index.embedder import load_embedder
from index.extraction import extract_text
from index.sentences import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
K = 10
HNSW_M = 32  # as index/vector_index.py
HNSW_EF_SEARCH = (32, 64, 128, 256)
IVF_NPROBE = (8, 16, 32, 64)
PG_EF_SEARCH = (40, 100, 200)  # pgvector's default, the store's default, more
ROWS_PER_DOCUMENT = 10
TARGET_RECALL = 0.95


@dataclass
class Row:
    size: int
    method: str
    setting: str
    build_s: float
    memory_mb: float
    p50_ms: float
    p95_ms: float
    recall_at_10: float


# -- realistic vectors ---------------------------------------------------------------------------


def real_texts(seed: int) -> tuple[list[str], list[str]]:
    """(texts the database is mixed from: chunks and sentences; held-out sentences for queries)."""
    documents = load_corpus(ROOT / "corpus")
    for path in sorted((ROOT / "eval" / "devset" / "articles").iterdir()):
        if path.is_file():  # dev-set articles, chunked as the store would chunk them
            meta = DocumentMeta(doc_id=path.stem, title=path.stem)
            documents.append(Document(meta=meta, text=extract_text(path).text))
    chunks = [c.text for d in documents for c in chunk_document(d, ChunkerConfig())]
    sentences = sorted(
        {d.text[a:b] for d in documents for a, b in sentence_spans(d.text) if len(d.text[a:b].split()) >= 4}
    )
    rng = np.random.default_rng(seed)
    held = set(rng.choice(len(sentences), len(sentences) // 5, replace=False).tolist())
    pool = chunks + [s for i, s in enumerate(sentences) if i not in held]
    return pool, [s for i, s in enumerate(sentences) if i in held]


def mixtures(
    real: np.ndarray, n: int, rng: np.random.Generator, noise: float, block: int = 50_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of (unit vectors, index of each one's heaviest source): convex mixtures of 2 or 3
    rows of `real` (Dirichlet weights) plus Gaussian noise of norm about `noise`."""
    dim = real.shape[1]
    for start in range(0, n, block):
        m = min(block, n - start)
        picks = rng.integers(0, len(real), size=(m, 3))
        weights = rng.dirichlet(np.ones(3), size=m).astype(np.float32)
        weights[rng.random(m) < 0.5, 2] = 0.0  # half mix two vectors, half three
        weights /= weights.sum(axis=1, keepdims=True)
        mixed = np.einsum("nk,nkd->nd", weights, real[picks])
        mixed += rng.normal(0.0, noise / math.sqrt(dim), size=mixed.shape).astype(np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        yield np.ascontiguousarray(mixed, dtype=np.float32), picks[np.arange(m), weights.argmax(axis=1)]


def build_vectors(
    pool: np.ndarray, n: int, seed: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = np.empty((n, pool.shape[1]), dtype=np.float32)
    sources = np.empty(n, dtype=np.int64)
    at = 0
    for block, source in mixtures(pool, n, rng, noise):
        vectors[at : at + len(block)], sources[at : at + len(block)] = block, source
        at += len(block)
    return vectors, sources


# -- measuring -----------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def recall(found: list[list[int]], exact: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(e.tolist())) / K for f, e in zip(found, exact, strict=True)]))


def timed_queries(search: Callable[[int], list[int]], n_queries: int, warmup: int = 10) -> tuple[list[list[int]], list[float]]:
    for i in range(min(warmup, n_queries)):
        search(i)
    found, times = [], []
    for i in range(n_queries):
        start = time.perf_counter()
        found.append(search(i))
        times.append(time.perf_counter() - start)
    return found, times


def faiss_rows(size: int, vectors: np.ndarray, queries: np.ndarray, exact: np.ndarray, hnsw: bool) -> list[Row]:
    dim = vectors.shape[1]
    rows: list[Row] = []

    def search_with(index: faiss.Index) -> Callable[[int], list[int]]:
        return lambda i: [int(x) for x in index.search(queries[i : i + 1], K)[1][0]]

    def measure(index: faiss.Index, method: str, setting: str, build_s: float, memory_mb: float) -> None:
        faiss.omp_set_num_threads(1)  # single queries, one thread: how `rag` searches
        found, times = timed_queries(search_with(index), len(queries))
        p50, p95 = percentiles(times)
        rows.append(Row(size, method, setting, build_s, memory_mb, p50, p95, recall(found, exact)))
        print(f"  {method:16s} {setting:14s} p50 {p50:8.2f} ms  recall@10 {rows[-1].recall_at_10:.3f}", flush=True)

    faiss.omp_set_num_threads(2)
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    measure(flat, "faiss exact", "IndexFlatIP", time.perf_counter() - start, vectors.nbytes / 2**20)
    del flat

    if hnsw:
        faiss.omp_set_num_threads(2)
        start = time.perf_counter()
        graph = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        graph.add(vectors)
        build_s, memory_mb = time.perf_counter() - start, len(faiss.serialize_index(graph)) / 2**20
        for ef in HNSW_EF_SEARCH:
            graph.hnsw.efSearch = ef
            measure(graph, "faiss hnsw", f"M={HNSW_M} ef={ef}", build_s, memory_mb)
        del graph

    faiss.omp_set_num_threads(2)
    nlist = int(4 * math.sqrt(size))
    start = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    train = vectors[np.random.default_rng(0).choice(size, min(size, 40 * nlist), replace=False)]
    ivf.train(train)
    ivf.add(vectors)
    build_s, memory_mb = time.perf_counter() - start, len(faiss.serialize_index(ivf)) / 2**20
    for nprobe in IVF_NPROBE:
        ivf.nprobe = nprobe
        measure(ivf, "faiss ivf", f"nlist={nlist} nprobe={nprobe}", build_s, memory_mb)
    return rows


def pg_rows(
    size: int,
    vectors: np.ndarray,
    texts: list[str],
    sources: np.ndarray,
    queries: np.ndarray,
    query_texts: list[str],
    exact: np.ndarray,
    hybrid_queries: int,
) -> list[Row]:
    """Load the store's own schema in a throwaway server, build its indexes, time its queries."""
    import psycopg
    from pgvector.psycopg import register_vector

    from index.pg_local import local_postgres
    from index.pg_store import (
        BM25_B,
        BM25_K1,
        COMMON_TERMS,
        HNSW_EF_CONSTRUCTION,
        HNSW_M,
        HYBRID_SQL,
        _vector,
        schema_sql,
    )

    rows: list[Row] = []
    # Buffers as a server given this much data would be set up (the default 128 MB caches little of
    # a 1M-row HNSW graph); the table and indexes otherwise come from the OS page cache.
    shared_buffers = f"{max(128, int(vectors.nbytes * 1.5 / 2**20))}MB"
    with local_postgres({"shared_buffers": shared_buffers}) as server, psycopg.connect(server.new_database(), autocommit=True) as conn:
        statements = schema_sql(vectors.shape[1])
        for statement in statements:
            if not statement.startswith("CREATE INDEX"):  # indexes after the load, as a bulk build should
                conn.execute(statement)
        register_vector(conn)
        conn.execute("SET maintenance_work_mem = '4GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")  # two cores: the leader and one worker
        start = time.perf_counter()
        unique = sorted(set(sources.tolist()))
        n_terms: dict[int, int] = dict(
            conn.execute(
                "SELECT i, (SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(to_tsvector('english', t))) "
                "FROM unnest(%s::text[], %s::int[]) AS x(t, i)",
                ([texts[i] for i in unique], unique),
            ).fetchall()
        )
        n_docs = (size + ROWS_PER_DOCUMENT - 1) // ROWS_PER_DOCUMENT
        with conn.cursor().copy("COPY rag_documents (doc_id, content_hash, meta_hash, meta, n_chunks) FROM STDIN") as copy:
            for d in range(n_docs):
                copy.write_row((f"d{d}", "-", "-", json.dumps({"doc_id": f"d{d}", "title": f"d{d}"}), ROWS_PER_DOCUMENT))
        with conn.cursor().copy(
            "COPY rag_chunks (doc_id, ordinal, chunk_id, start_char, end_char, paragraph, token_count, text, n_terms, "
            "embedding) FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["text", "int4", "text", "int4", "int4", "int4", "int4", "text", "int4", "vector"])
            for i in range(size):
                src = int(sources[i])
                copy.write_row((f"d{i // ROWS_PER_DOCUMENT}", i, f"c{i}", 0, len(texts[src]), 0, 0, texts[src],
                                n_terms[src], vectors[i]))  # fmt: skip
        conn.execute(
            "INSERT INTO rag_terms SELECT lexeme, count(*) FROM rag_chunks, unnest(tsvector_to_array(tsv)) AS lexeme "
            "GROUP BY lexeme"
        )
        conn.execute(
            "INSERT INTO rag_manifest (schema_version, embedder_id, dimension, embedder_precision, chunker, n_chunks, "
            "total_terms, created_at, updated_at) SELECT 1, 'bench', %s, 'fp32', '{}', count(*), sum(n_terms), now(), now() "
            "FROM rag_chunks",
            (vectors.shape[1],),
        )
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        conn.execute(next(s for s in statements if "USING hnsw" in s))
        hnsw_s = time.perf_counter() - start
        start = time.perf_counter()
        conn.execute(next(s for s in statements if "USING gin" in s))
        gin_s = time.perf_counter() - start
        conn.execute("VACUUM ANALYZE")
        size_of: dict[str, float] = dict(
            conn.execute(
                "SELECT relname, pg_total_relation_size(oid) / 1048576.0 FROM pg_class "
                "WHERE relname IN ('rag_chunks', 'rag_chunks_embedding_hnsw', 'rag_chunks_tsv_gin')"
            ).fetchall()
        )
        print(f"  pgvector load {load_s:.0f} s, HNSW build {hnsw_s:.0f} s, GIN build {gin_s:.0f} s", flush=True)
        q = [_vector(v) for v in queries]

        def dense(i: int) -> list[int]:
            sql = "SELECT ordinal FROM rag_chunks ORDER BY embedding <#> %s LIMIT %s"
            return [r[0] for r in conn.execute(sql, (q[i], K)).fetchall()]

        def hybrid_with(common: dict[str, float]) -> Callable[[int], list[int]]:
            def hybrid(i: int) -> list[int]:
                params = {"q": q[i], "text": query_texts[i], "k": K, "candidates": 30, "rrf_k": 60, "k1": BM25_K1,
                          "b": BM25_B, **common}  # fmt: skip
                return [r[1] for r in conn.execute(HYBRID_SQL, params).fetchall()]

            return hybrid

        hnsw_mb = float(size_of["rag_chunks_embedding_hnsw"])
        setting = f"m={HNSW_M} efc={HNSW_EF_CONSTRUCTION}"
        for ef in PG_EF_SEARCH:
            conn.execute(f"SET hnsw.ef_search = {ef}")
            plan = str(conn.execute("EXPLAIN SELECT ordinal FROM rag_chunks ORDER BY embedding <#> %s LIMIT 10", (q[0],)).fetchall())
            # The planner may price a wide ef_search above a full scan and sort: say so in the row.
            used = "" if "rag_chunks_embedding_hnsw" in plan else " (planner: seq scan)"
            found, times = timed_queries(dense, len(queries))
            rows.append(
                Row(size, "pgvector hnsw", f"{setting} ef={ef}{used}", hnsw_s, hnsw_mb, *percentiles(times),
                    recall(found, exact))
            )  # fmt: skip
            print(f"  pgvector hnsw    ef={ef:<11d} p50 {rows[-1].p50_ms:8.2f} ms  recall@10 {rows[-1].recall_at_10:.3f}", flush=True)
        conn.execute("SET hnsw.ef_search = 100")  # the store's default
        # The store's keyword half (common words only scored, see index/pg_store.py) against plain
        # BM25 over every chunk holding a query word; "same" is how much of the plain top 10 it keeps.
        n_hybrid = min(hybrid_queries, len(queries))
        plain, plain_times = timed_queries(hybrid_with({"common_from": 1e18, "common_share": 1.0}), n_hybrid, warmup=2)
        store, store_times = timed_queries(hybrid_with(COMMON_TERMS), n_hybrid, warmup=2)
        same = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(store, plain, strict=True)]))
        gin_mb = hnsw_mb + float(size_of["rag_chunks_tsv_gin"])
        for label, found, times in (("plain BM25", plain, plain_times), (f"common terms, same {same:.2f}", store, store_times)):
            rows.append(
                Row(size, "pgvector hybrid", f"ef=100 cand=30 {label} ({n_hybrid} q)", hnsw_s + gin_s, gin_mb,
                    *percentiles(times), recall(found, exact[:n_hybrid]))
            )  # fmt: skip
            print(f"  pgvector hybrid  {label}: p50 {rows[-1].p50_ms:8.2f} ms", flush=True)
        print(f"  table with indexes {size_of['rag_chunks']:.0f} MB", flush=True)
    return rows


# -- report --------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| size | method | setting | build s | index MB | p50 ms | p95 ms | recall@10 |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size:,} | {r.method} | {r.setting} | {r.build_s:.1f} | {r.memory_mb:.0f} | "
            f"{r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.recall_at_10:.3f} |"
        )
    return "\n".join(lines)


def fastest_meeting_target(rows: list[Row], size: int) -> Row | None:
    """The embedded (FAISS) configuration with the lowest p50 at recall@10 >= TARGET_RECALL."""
    good = [r for r in rows if r.size == size and r.method.startswith("faiss") and r.recall_at_10 >= TARGET_RECALL]
    return min(good, key=lambda r: r.p50_ms, default=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated numbers of vectors (e.g. 100000,1000000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.3, help="norm of the Gaussian noise added to each mixture")
    parser.add_argument("--pg-max-size", type=int, default=100_000, help="run pgvector only up to this size")
    parser.add_argument("--pg-hybrid-queries", type=int, default=200,
                        help="time pgvector hybrid on at most this many of the queries (it is the slow one)")  # fmt: skip
    parser.add_argument("--hnsw-max-size", type=int, default=1_000_000, help="build FAISS HNSW only up to this size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_scale.json")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes comma-separated integers, not {args.sizes!r}")
    if not sizes or min(sizes) < 1000 or args.queries < 1:
        parser.error("--sizes must be at least 1000 each and --queries at least 1")

    start = time.perf_counter()
    pool_texts, held_texts = real_texts(args.seed)
    embedder = load_embedder()
    pool, held = embedder.embed(pool_texts), embedder.embed(held_texts)
    print(f"real vectors: {len(pool)} to mix from, {len(held)} held out for queries "
          f"(embedded in {time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
    queries, query_sources = next(mixtures(held, args.queries, np.random.default_rng(args.seed + 1), args.noise))
    query_texts = [held_texts[i] for i in query_sources]

    rows: list[Row] = []
    for size in sizes:
        vectors, sources = build_vectors(pool, size, args.seed + size, args.noise)
        faiss.omp_set_num_threads(2)
        exact_index = faiss.IndexFlatIP(vectors.shape[1])
        exact_index.add(vectors)
        exact = exact_index.search(queries, K)[1]
        nearest = exact_index.search(queries, K + 1)[0]
        del exact_index
        gap = float(np.mean(nearest[:, K - 1] - nearest[:, K]))
        print(f"{size:,} vectors: mean cosine of the 1st/10th neighbour {nearest[:, 0].mean():.3f}/"
              f"{nearest[:, K - 1].mean():.3f}, 10th-11th gap {gap:.4f}", flush=True)  # fmt: skip
        rows += faiss_rows(size, vectors, queries, exact, hnsw=size <= args.hnsw_max_size)
        if size <= args.pg_max_size:
            rows += pg_rows(size, vectors, pool_texts, sources, queries, query_texts, exact, args.pg_hybrid_queries)
        del vectors

    print()
    print(table(rows))
    for size in sizes:
        best = fastest_meeting_target(rows, size)
        choice = f"{best.method} {best.setting}, p50 {best.p50_ms:.2f} ms" if best else "none"
        print(f"fastest embedded index at recall@10 >= {TARGET_RECALL} with {size:,} vectors: {choice}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"queries": args.queries, "noise": args.noise, "k": K, "real_vectors": len(pool)}
    args.out.write_text(json.dumps({"settings": meta, "rows": [asdict(r) for r in rows]}, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

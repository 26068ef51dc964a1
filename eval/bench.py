"""Benchmarks (printed numbers, not timed tests): `python -m eval.bench [--quick]`.

  * embedding speed, fp32 (and bf16 where the CPU has AMX / AVX512-BF16, or with --force-bf16)
  * index build throughput (chunks/s) on the real corpus, embedding included
  * query latency on the real index per search mode, and end-to-end extractive answer latency
  * FAISS flat vs HNSW (M=32, several efSearch) vs IVF on synthetic unit vectors (eval.bench_ann):
    median single-query latency, recall@10 against exact search, 1 vs 2 OpenMP threads, memory
Sizes: 100k and 1M vectors (the 1M HNSW build alone takes ~4-5 min on 2 idle cores); --quick uses
100k and 300k and fewer queries. An HNSW build whose time, extrapolated from the previous size,
exceeds --hnsw-budget-s (default 600) is skipped and the estimate recorded, so a loaded machine
still finishes. Results go to <out>/bench.json or bench_quick.json (default eval/reports/), with
the load average at the start: timings on a shared machine are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _median_s(fn: Any, items: list[Any]) -> tuple[float, float]:
    from eval.metrics import percentile

    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times), percentile(times, 95)


def bench_embedding(texts: list[str], force_bf16: bool) -> dict[str, Any]:
    from index.embedder import EmbedderConfig, SentenceTransformerEmbedder, cpu_has_fast_bf16

    out: dict[str, Any] = {"cpu_has_fast_bf16": cpu_has_fast_bf16(), "n_texts": len(texts)}
    precisions = ["fp32"] + (["bf16"] if cpu_has_fast_bf16() or force_bf16 else [])
    for precision in precisions:
        embedder = SentenceTransformerEmbedder(EmbedderConfig(precision=precision))
        embedder.embed(texts[:8])  # warm-up
        start = time.perf_counter()
        embedder.embed(texts)
        out[precision] = {"texts_per_s": len(texts) / (time.perf_counter() - start)}
    if "bf16" not in out:
        out["bf16"] = "skipped: no AMX/AVX512-BF16 on this CPU (bf16 would be slower); use --force-bf16"
    return out


def bench_real(settings: Any, n_questions: int) -> dict[str, Any]:
    from eval.gold import load_gold
    from index.documents import load_corpus
    from index.embedder import load_embedder
    from index.store import IndexStore
    from rag.assistant import Assistant

    embedder = load_embedder(settings.embedder)
    documents = load_corpus(settings.paths.corpus_dir)
    builds, n_chunks = [], 0
    for _ in range(3):
        store = IndexStore(settings.paths.data_dir)
        start = time.perf_counter()
        n_chunks = store.update(documents, embedder, settings.chunker, rebuild=True).n_chunks
        builds.append(time.perf_counter() - start)
    build_s = statistics.median(builds)
    assistant = Assistant.load(settings)
    questions = [r.question for r in load_gold()][:n_questions]
    out: dict[str, Any] = {"n_docs": len(documents), "n_chunks": n_chunks, "build_s": build_s,
                           "build_chunks_per_s": n_chunks / build_s, "search": {}}
    for mode in ("dense", "keyword", "hybrid"):
        median, p95 = _median_s(lambda q, m=mode: assistant.search(q, mode=m), questions)
        out["search"][mode] = {"median_s": median, "p95_s": p95}
    median, p95 = _median_s(lambda q: assistant.ask(q, backend="extractive"), questions)
    out["answer_extractive"] = {"n": len(questions), "median_s": median, "p95_s": p95}
    from index.chunking import chunk_document

    texts = [c.text for d in documents for c in chunk_document(d, settings.chunker)]
    return out | {"chunk_texts": texts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k and 300k vectors, fewer queries")
    parser.add_argument("--sizes", help="comma-separated vector counts (overrides --quick)")
    parser.add_argument("--questions", type=int, default=30, help="gold questions for latency")
    parser.add_argument("--skip-ann", action="store_true")
    parser.add_argument("--force-bf16", action="store_true")
    parser.add_argument("--hnsw-budget-s", type=float, default=600.0,
                        help="skip an HNSW build whose time, extrapolated from the previous size, exceeds this")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("reports"))
    args = parser.parse_args(argv)
    from eval.bench_ann import bench_size, peak_rss_mb
    from rag.settings import Settings

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([100_000, 300_000] if args.quick
                                                                        else [100_000, 1_000_000])
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(),
                              "load_average_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.paths.data_dir = Path(tmp) / "data"
        real = bench_real(settings, args.questions)
    texts = real.pop("chunk_texts")
    result["real_corpus"] = real
    print(json.dumps(real, indent=1))
    result["embedding"] = bench_embedding((texts * (256 // max(1, len(texts)) + 1))[:256], args.force_bf16)
    print(json.dumps(result["embedding"], indent=1))
    result["ann"] = []
    rate: tuple[int, float] | None = None  # (n, HNSW build seconds) of the previous size
    for n in [] if args.skip_ann else sizes:
        start = time.perf_counter()
        estimate = rate[1] * n / rate[0] * math.log(n) / math.log(rate[0]) if rate else 0.0
        skip = f"estimated build {estimate:.0f} s > --hnsw-budget-s {args.hnsw_budget_s:.0f}" if (
            estimate > args.hnsw_budget_s) else None
        row = bench_size(n, n_queries=100 if (args.quick or n > 300_000) else 200, skip_hnsw=skip)
        if "build_s" in row["hnsw_m32"]:
            rate = (n, row["hnsw_m32"]["build_s"])
        row["total_s"] = time.perf_counter() - start
        result["ann"].append(row)
        print(json.dumps(row, indent=1), flush=True)
    result["peak_rss_mb"] = peak_rss_mb()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / ("bench_quick.json" if args.quick else "bench.json")
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written {path}; peak RSS {result['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

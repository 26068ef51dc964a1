"""Indexing throughput: local embedding vs a Ray cluster of one node vs two nodes, in one run.

The texts are the seed corpus's chunks repeated `--repeat` times, each copy marked so that it
is a distinct text (as a changed document id would make it a distinct chunk). Each Ray cluster
is real (`ray start` processes on loopback, one CPU per node), but all of them share this
machine's cores, so the Ray rows show Ray's overhead here, not a speed-up: a second node on the
same two cores adds no compute. On separate machines the steady rate grows with the nodes (each
node's actors embed at the one-node rate).

Per row: `startup s` is what an `embed` call costs before any text is embedded (local: loading
the model; Ray: starting one actor per CPU, each loading the model; measured by embedding one
text per node, after an untimed warm-up job), `steady chunks/s` is chunks / (total - startup),
`end-to-end chunks/s` is chunks / total for this corpus size.

    python -m eval.bench_ray --repeat 20
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.chunking import chunk_document
from index.corpus_store import CorpusStore
from index.embedder import EmbedderConfig, SentenceTransformerEmbedder
from index.ray_embedder import RayEmbedder
from index.ray_local import local_ray_cluster


@dataclass
class Row:
    name: str
    chunks: int
    startup_s: float
    total_s: float
    nodes_used: int

    @property
    def steady(self) -> float:
        return self.chunks / max(self.total_s - self.startup_s, 1e-9)

    @property
    def end_to_end(self) -> float:
        return self.chunks / self.total_s


def corpus_texts(corpus_dir: str, repeat: int) -> list[str]:
    """The seed chunks `repeat` times, each copy marked: `RayEmbedder` embeds a repeated text once."""
    texts = [c.text for doc in CorpusStore(Path(corpus_dir)).documents() for c in chunk_document(doc)]
    return [f"{text} (copy {k})" for k in range(repeat) for text in texts]


def timed(fn: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_local(texts: Sequence[str], threads: int | None) -> tuple[Row, np.ndarray]:
    """`threads=None`: torch's default (all cores); 1: what one Ray actor on a 1-CPU node gets."""
    import torch

    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    try:
        start = time.perf_counter()
        embedder = SentenceTransformerEmbedder(EmbedderConfig(precision="fp32", query_backend="torch"))
        embedder.embed(texts[:1])
        startup = time.perf_counter() - start
        seconds, vectors = timed(lambda: embedder.embed(texts))
    finally:
        torch.set_num_threads(default_threads)
    name = f"local, torch {threads or default_threads} thread(s)"
    return Row(name, len(texts), startup, startup + seconds, 1), vectors


def bench_ray(texts: Sequence[str], nodes: int) -> tuple[Row, np.ndarray]:
    with local_ray_cluster(nodes=nodes, cpus_per_node=1) as cluster:
        embedder = RayEmbedder(cluster.address)
        try:
            embedder.connect()
            # Every `embed` starts its actor pool afresh: a few texts measure that fixed cost, after
            # one untimed job (the first start also loads libraries from disk into the page cache).
            embedder.embed(texts[:nodes])
            startup, _ = timed(lambda: embedder.embed(texts[:nodes]))
            embedder.rows_per_node.clear()
            total, vectors = timed(lambda: embedder.embed(texts))
            used = len(embedder.rows_per_node)
        finally:
            embedder.close()
    return Row(f"Ray, {nodes} node(s) x 1 CPU", len(texts), startup, total, used), vectors


def table(rows: Sequence[Row]) -> str:
    head = f"| {'configuration':<26} | chunks | nodes used | startup s | total s | steady chunks/s | end-to-end chunks/s |"
    lines = [head, "|" + "|".join("-" * (len(cell) + 0) for cell in head.split("|")[1:-1]) + "|"]
    for r in rows:
        lines.append(
            f"| {r.name:<26} | {r.chunks:>6} | {r.nodes_used:>10} | {r.startup_s:>9.1f} | {r.total_s:>7.1f} "
            f"| {r.steady:>15.1f} | {r.end_to_end:>19.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus-dir", default="corpus")
    parser.add_argument("--repeat", type=int, default=10, help="copies of the seed chunks to embed")
    args = parser.parse_args(argv)
    texts = corpus_texts(args.corpus_dir, args.repeat)
    local, reference = bench_local(texts, None)
    rows = [local, bench_local(texts, 1)[0]]
    for nodes in (1, 2):
        row, vectors = bench_ray(texts, nodes)
        diff = float(np.abs(vectors - reference).max())
        if diff > 1e-5:
            raise SystemExit(f"{row.name}: vectors differ from the local ones by {diff:.2e}")
        rows.append(row)
    print(table(rows))
    print(f"\n{len(texts)} chunks; Ray vectors equal the local ones (max abs diff <= 1e-5).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

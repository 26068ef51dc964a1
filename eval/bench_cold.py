"""Cold `rag ask`: wall time of a fresh `rag ask` process, queries embedded with torch vs ONNX.

    python -m eval.bench_cold [--runs 5] [--question "..."]

Each run is a new process (imports, index load, one answer), the two query backends alternating so
that both see the same machine noise. Prints the median, min and max of each and their ratio. The
index must exist (`make index`); the ONNX export is made first so that no timed run pays for it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BACKENDS = ("torch", "onnx")
QUESTION = "How many people are held in scam compounds in Myanmar?"


def time_ask(backend: str, question: str) -> float:
    env = {**os.environ, "RAG_EMBEDDER__QUERY_BACKEND": backend, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rag")), "ask", question], env=env, capture_output=True, text=True, timeout=600
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"`rag ask` with {backend} query embedding failed:\n{done.stderr[-2000:]}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    from index.embedder import EmbedderConfig
    from index.onnx_embedder import ensure_export

    ensure_export(EmbedderConfig())
    for backend in BACKENDS:  # one untimed run each: the OS file cache holds the model files for both
        time_ask(backend, args.question)
    times: dict[str, list[float]] = {b: [] for b in BACKENDS}
    for _ in range(args.runs):
        for backend in BACKENDS:
            times[backend].append(time_ask(backend, args.question))
    print(f"cold `rag ask`, {args.runs} runs each, alternating, {os.cpu_count()} CPUs")
    print("| query embedding | median s | min s | max s |")
    print("|---|---|---|---|")
    for backend in BACKENDS:
        runs = times[backend]
        print(f"| {backend} | {statistics.median(runs):.2f} | {min(runs):.2f} | {max(runs):.2f} |")
    ratio = statistics.median(times["torch"]) / statistics.median(times["onnx"])
    print(f"torch / onnx median ratio: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

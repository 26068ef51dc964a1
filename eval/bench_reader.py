"""Warm extractive answers: how long the reader itself takes, next to the whole answer.

    python -m eval.bench_reader [--rounds 2]

Loads the assistant once, answers every gold question once to warm the caches (spaCy parses,
sentence vectors), then answers them all again `--rounds` times and prints the median and p95 of
the reader step (`timings["generate_s"]`: question analysis, ranking, extraction) and of the whole
answer (`timings["total_s"]`: retrieval, reader, citation check). The index must exist (`make index`).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

from eval.gold import GOLD_PATH, load_gold
from eval.metrics import percentile
from rag.assistant import Assistant


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    assistant = Assistant.load()
    questions = [row.question for row in load_gold(GOLD_PATH)]
    for question in questions:  # warm-up, not timed
        assistant.ask(question, backend="extractive")
    reader: list[float] = []
    total: list[float] = []
    for _ in range(args.rounds):
        for question in questions:
            answer = assistant.ask(question, backend="extractive")
            reader.append(answer.timings.get("generate_s", 0.0))
            total.append(answer.timings.get("total_s", 0.0))
    for name, values in (("reader (generate_s)", reader), ("whole answer", total)):
        print(f"{name:22} median {statistics.median(values) * 1000:6.1f} ms  p95 {percentile(values, 95) * 1000:6.1f} ms"
              f"  ({len(values)} answers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Warm extractive answers: how long the reader itself takes, next to the whole answer.

    python -m eval.bench_reader [--rounds 2]

Loads the assistant and answers one question that is not in the gold set (models and the spaCy
pipeline load there, untimed). Then it answers every gold question once, timed as "first time":
each question is new to the process, though the passages it retrieves may have been read for an
earlier question, as in real use over one archive. Then it answers them all again `--rounds`
times, timed as "repeated": everything a question needs is cached. For each it prints the median
and p95 of the reader step (`timings["generate_s"]`: question analysis, ranking, extraction) and
of the whole answer (`timings["total_s"]`: retrieval, reader, citation check). The index must
exist (`make index`).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

from eval.gold import GOLD_PATH, load_gold
from eval.metrics import percentile
from rag.assistant import Assistant
from rag.types import Answer

WARM_UP_QUESTION = "What does this archive say about the weather?"  # loads the models; not a gold question


def _print(label: str, answers: Sequence[Answer]) -> None:
    for name, key in (("reader (generate_s)", "generate_s"), ("whole answer", "total_s")):
        values = [a.timings.get(key, 0.0) for a in answers]
        print(f"{label:11} {name:20} median {statistics.median(values) * 1000:6.1f} ms"
              f"  p95 {percentile(values, 95) * 1000:6.1f} ms  ({len(values)} answers)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    assistant = Assistant.load()
    questions = [row.question for row in load_gold(GOLD_PATH)]
    assistant.ask(WARM_UP_QUESTION, backend="extractive")
    first = [assistant.ask(question, backend="extractive") for question in questions]
    repeated = [assistant.ask(q, backend="extractive") for _ in range(args.rounds) for q in questions]
    _print("first time", first)
    _print("repeated", repeated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

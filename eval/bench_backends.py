"""Benchmark the answer backends on gold questions: speed, memory and accuracy (not a timed test).

Every answer goes through the product's own pipeline (`Assistant.answer_from_passages`: relevance
gate, prompt, citation checks) and is graded with the eval's `is_correct`, so "accuracy" here is the
same metric as `rag eval`. Per backend and passage count (k): median time to first token, median
answer time, decode speed (streamed pieces per second after the first; llama.cpp and OpenAI-style
servers stream one token per piece), peak memory, passages in the prompt, accuracy, and correct
answers per minute of answering.

Retrieval runs once, in this process; each backend then runs in a fresh worker process so its peak
memory is its own. Memory: `peak MB` is the worker's peak RSS (embedder and torch included, as in
the product); `model MB` is what loading the model added (local) or the server's peak RSS (openai).

    python -m eval.bench_backends                       # 16 questions spread over the types
    python -m eval.bench_backends --backends local-smollm2 --max-passages 2,3,4,6 --limit 24
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.gold import GOLD_PATH, GoldRow, load_gold

ALL_BACKENDS = ("extractive", "local-smollm2", "local-qwen", "openai")


@dataclass
class Row:
    backend: str
    k: int
    questions: int = 0
    load_s: float = 0.0
    ttft_s: float | None = None
    total_s: float | None = None
    decode_tok_s: float | None = None
    peak_mb: float | None = None
    model_mb: float | None = None
    passages_used: float | None = None
    accuracy: float | None = None
    answered_correct: float | None = None  # of the answerable questions
    refusal_correct: float | None = None  # of the unanswerable ones
    failed: int = 0
    note: str = ""
    answers: list[str] = field(default_factory=list)

    @property
    def correct_per_min(self) -> float | None:
        if self.accuracy is None or not self.total_s:
            return None
        return 60 * self.accuracy / self.total_s


def spread(rows: Sequence[GoldRow], limit: int | None) -> list[GoldRow]:
    """`limit` rows taken round-robin over the question types, so every type is represented."""
    if not limit or limit >= len(rows):
        return list(rows)
    by_type: dict[str, list[GoldRow]] = defaultdict(list)
    for row in rows:
        by_type[row.type].append(row)
    queues = [list(v) for _, v in sorted(by_type.items())]
    out: list[GoldRow] = []
    while len(out) < limit:
        for queue in queues:
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out


def memory_mb(pid: int | str = "self", key: str = "VmHWM") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _median(values: Sequence[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def run_worker(backend: str, data_path: Path, k: int) -> Row:
    """In a fresh process: load the assistant and the backend, answer every question, measure."""
    from eval.metrics import is_correct
    from rag.assistant import Assistant
    from rag.settings import Settings
    from rag.types import AnswerStatus, Passage

    items = json.loads(data_path.read_text(encoding="utf-8"))
    row = Row(backend=backend, k=k)
    assistant = Assistant.load(Settings())
    assistant.settings.answer.max_passages_llm = k
    before_model = memory_mb(key="VmRSS")
    t0 = time.perf_counter()
    with _backend(backend, assistant) as (name, server_pid):
        row.load_s = time.perf_counter() - t0
        ttft: list[float | None] = []
        totals: list[float] = []
        decode: list[float] = []
        used: list[float] = []
        correct: list[bool] = []
        answered: list[bool] = []
        refused: list[bool] = []
        for item in items:
            gold = GoldRow.model_validate(item["gold"])
            passages = [Passage.model_validate(p) for p in item["passages"]]
            start = time.perf_counter()
            answer = assistant.answer_from_passages(gold.question, passages, name)
            total = time.perf_counter() - start
            row.answers.append(f"{answer.status.value}: {answer.text or answer.reason}")
            if answer.status == AnswerStatus.FAILED:
                row.failed += 1
                row.note = (answer.reason or "")[:160]
                continue
            totals.append(total)
            first = answer.timings.get("first_token_s")
            ttft.append(first)
            pieces = answer.timings.get("pieces", 0)
            if first is not None and pieces > 1 and answer.timings["generate_s"] > first:
                decode.append((pieces - 1) / (answer.timings["generate_s"] - first))
            if "pieces" in answer.timings:  # the relevance gate refuses before any prompt is built
                used.append(float(len(answer.passages)))
            ok = is_correct(answer, gold)
            correct.append(ok)
            (answered if gold.answerable else refused).append(ok)
        row.questions = len(totals)
        row.ttft_s, row.total_s, row.decode_tok_s = _median(ttft), _median(totals), _median(decode)
        row.passages_used = _median(used)
        row.accuracy, row.answered_correct, row.refusal_correct = _share(correct), _share(answered), _share(refused)
        if server_pid:
            row.model_mb = memory_mb(server_pid)
        row.peak_mb = memory_mb()
        if not server_pid and backend != "extractive" and row.peak_mb and before_model:
            row.model_mb = row.peak_mb - before_model
    return row


@contextmanager
def _backend(backend: str, assistant: Any) -> Iterator[tuple[str, int | None]]:
    """Configure the assistant for the backend; yield (backend name, server pid or None)."""
    from rag import models

    if backend == "extractive":
        yield "extractive", None
        return
    model_name = backend.removeprefix("local-") if backend.startswith("local-") else "smollm2"
    path = models.resolve_model(model_name)
    if path is None:
        raise RuntimeError(f"{backend}: model {model_name} not installed")
    if backend.startswith("local-"):
        assistant.settings.local.model_path = path
        generator = assistant.generator("local")
        generator.n_ctx()  # load now, so load time is not counted as time to first token
        yield "local", None
        return
    if backend == "openai":
        from rag.llama_server import llama_server

        with llama_server(path, alias="bench", n_ctx=assistant.settings.local.n_ctx) as (base_url, proc):
            assistant.settings.openai.base_url = base_url
            assistant.settings.openai.model = "bench"
            yield "openai", proc.pid
        return
    raise ValueError(f"unknown backend {backend}")


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: Sequence[Row]) -> None:
    head = ("backend", "k", "n", "load s", "TTFT s", "answer s", "tok/s", "peak MB", "model MB", "used",
            "accuracy", "answered", "refusals", "correct/min", "failed")  # fmt: skip
    lines = [head]
    for r in rows:
        lines.append((
            r.backend, str(r.k), str(r.questions), _fmt(r.load_s, ".1f"), _fmt(r.ttft_s), _fmt(r.total_s),
            _fmt(r.decode_tok_s, ".1f"), _fmt(r.peak_mb, ".0f"), _fmt(r.model_mb, ".0f"), _fmt(r.passages_used, ".1f"),
            _fmt(r.accuracy, ".0%"), _fmt(r.answered_correct, ".0%"), _fmt(r.refusal_correct, ".0%"),
            _fmt(r.correct_per_min, ".1f"), str(r.failed),
        ))  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for i, line in enumerate(lines):
        print("  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in enumerate(zip(line, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r.note:
            print(f"{r.backend} k={r.k}: {r.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=16, help="questions, spread over the types (0 = all 91)")
    parser.add_argument("--backends", default=",".join(ALL_BACKENDS))
    parser.add_argument("--max-passages", default="3", help="passages in the LLM prompt; comma list, e.g. 2,3,4,6")
    parser.add_argument("--show-answers", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ks = [int(k) for k in args.max_passages.split(",")]
    if args.worker:
        print("ROW " + json.dumps(asdict(run_worker(args.worker, args.data, ks[0]))))
        return 0

    from rag import models
    from rag.assistant import Assistant

    gold = spread(load_gold(GOLD_PATH), args.limit)
    assistant = Assistant.load()
    top_k = assistant.settings.retrieval.top_k
    items: list[dict[str, Any]] = [{"gold": g.model_dump(), "passages": [p.model_dump() for p in assistant.search(g.question, top_k)]}
             for g in gold]  # fmt: skip
    del assistant
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "questions.json"
        data.write_text(json.dumps(items), encoding="utf-8")
        for backend in args.backends.split(","):
            if backend == "local-qwen" and models.find_qwen() is None:
                print("local-qwen skipped: run `make llm-qwen`", file=sys.stderr)
                continue
            for k in ks if backend != "extractive" else [top_k]:
                cmd = [sys.executable, "-m", "eval.bench_backends", "--worker", backend, "--data", str(data),
                       "--max-passages", str(k)]  # fmt: skip
                proc = subprocess.run(cmd, capture_output=True, text=True)
                found = [ln for ln in proc.stdout.splitlines() if ln.startswith("ROW ")]
                if proc.returncode or not found:
                    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
                    rows.append(Row(backend=backend, k=k, failed=len(items), note=tail[0][:160]))
                    continue
                rows.append(Row(**json.loads(found[-1][4:])))
                print(f"done: {backend} k={k}", file=sys.stderr)
    print(f"{len(items)} gold questions ({sum(not i['gold']['answerable'] for i in items)} unanswerable)")
    print_table(rows)
    if args.show_answers:
        for r in rows:
            for item, text in zip(items, r.answers, strict=False):
                print(f"\n[{r.backend} k={r.k}] {item['gold']['question']}\n  {text}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

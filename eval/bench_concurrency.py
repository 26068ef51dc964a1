"""Many readers at once: 50 concurrent clients against a real `rag serve`, answers one at a time vs in parallel.

    python -m eval.bench_concurrency [--clients 50] [--rounds 2] [--backend extractive]

For each setting of `RAG_UI__ANSWER_CONCURRENCY` (1, then one per core) a server is started on
loopback, warmed with a few questions, then `--clients` threads each POST one question to the
`/ask` API at the same moment (questions from the gold set; only the question text is used).
Rounds alternate the settings so both see the same machine noise. Prints per setting: median and
p95 latency per client, answers per second, and the ratios. Servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from gradio_client import Client

from eval.gold import GOLD_PATH, load_gold


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call_ask(client: Client, question: str, backend: str) -> dict[str, object]:
    """One question through the `/ask` API, as a program would call it (other parameters: defaults)."""
    result = client.predict(question, backend, api_name="/ask")
    if not isinstance(result, dict) or "status" not in result:
        raise RuntimeError(f"unexpected reply: {str(result)[:300]}")
    return result


class Server:
    """`rag serve` in a child process on a free loopback port, stopped by `stop`."""

    def __init__(self, concurrency: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "RAG_UI__ANSWER_CONCURRENCY": str(concurrency), "HF_HUB_OFFLINE": "1"}
        rag = str(Path(sys.executable).with_name("rag"))
        self.process = subprocess.Popen(
            [rag, "serve", "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def wait(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rag serve exited: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{self.url}/gradio_api/info", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"rag serve on {self.url} did not start in {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def burst(url: str, questions: list[str], backend: str) -> tuple[list[float], float]:
    """All clients at once (a barrier releases them together); per-client latency and the wall time."""
    latencies: list[float] = [0.0] * len(questions)
    errors: list[str] = []
    clients = [Client(url, verbose=False, httpx_kwargs={"timeout": 600}) for _ in questions]  # one session each, made before timing
    barrier = threading.Barrier(len(questions) + 1)

    def client(i: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            call_ask(clients[i], questions[i], backend)
        except Exception as err:  # reported below: a failed client is not a fast one
            errors.append(f"{questions[i]!r}: {err}")
        latencies[i] = time.perf_counter() - start

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed, e.g. {errors[0]}")
    return latencies, wall


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backend", default="extractive")
    args = parser.parse_args(argv)
    gold = [row.question for row in load_gold(GOLD_PATH)]
    questions = [gold[i % len(gold)] for i in range(args.clients)]
    settings = [1, os.cpu_count() or 1]
    results: dict[int, dict[str, list[float]]] = {c: {"latency": [], "throughput": []} for c in settings}
    servers = {c: Server(c) for c in settings}
    try:
        for server in servers.values():
            server.wait()
            warm = Client(server.url, verbose=False, httpx_kwargs={"timeout": 600})
            for question in gold[:3]:
                call_ask(warm, question, args.backend)  # warm: models loaded, caches primed alike
        for _ in range(args.rounds):
            for concurrency, server in servers.items():
                latencies, wall = burst(server.url, questions, args.backend)
                results[concurrency]["latency"] += latencies
                results[concurrency]["throughput"].append(len(questions) / wall)
    finally:
        for server in servers.values():
            server.stop()
    print(f"{args.clients} concurrent clients x {args.rounds} rounds, backend {args.backend}, {os.cpu_count()} CPUs")
    print("| answers at once | median s | p95 s | answers/s |")
    print("|---|---|---|---|")
    summary: dict[int, tuple[float, float, float]] = {}
    for concurrency in settings:
        lat = sorted(results[concurrency]["latency"])
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        rate = statistics.median(results[concurrency]["throughput"])
        summary[concurrency] = (statistics.median(lat), p95, rate)
        print(f"| {concurrency} | {summary[concurrency][0]:.2f} | {p95:.2f} | {rate:.1f} |")
    one, many = summary[settings[0]], summary[settings[-1]]
    print(f"parallel / serial: throughput {many[2] / one[2]:.2f}x, median latency {many[0] / one[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run llama-cpp-python's OpenAI-compatible server on loopback for a packaged or given GGUF model.

Used by the tests and the backend benchmark (a real server for the `openai` backend), and by users
who want the hosted path offline:

    python -m rag.llama_server --port 8080   # Qwen2.5-Coder-1.5B; --model smollm2 for the small one
    # then: RAG_OPENAI__BASE_URL=http://127.0.0.1:8080/v1 rag ask --backend openai ...
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from rag import models


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# llama_cpp.server's own main, with its model closed at exit: uvicorn ends normally on SIGTERM and
# Ctrl-C, and a model left to llama.cpp's __del__ at interpreter teardown prints a traceback.
SERVER_CODE = """
import atexit, sys
from llama_cpp.server import __main__ as server, app

def free():
    proxy = getattr(app, "_llama_proxy", None)
    if proxy is not None and getattr(proxy, "_current_model", None) is not None:
        proxy.free()

atexit.register(free)
sys.argv[0] = "llama_cpp.server"
server.main()
"""


def server_command(model: Path, port: int, alias: str, n_ctx: int, n_threads: int = 2) -> list[str]:
    return [
        sys.executable, "-c", SERVER_CODE, "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(n_threads),
    ]  # fmt: skip


@contextmanager
def llama_server(
    model: Path, alias: str = "local-model", n_ctx: int = 2048, startup_s: float = 120.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start the server on a free loopback port; yield (base_url, process); stop it afterwards."""
    port = free_port()
    # The log goes to a file: llama.cpp writes more than a pipe holds and would block on it.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(server_command(model, port, alias, n_ctx), stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            _wait_ready(proc, base_url, startup_s, log)
            yield base_url, proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, startup_s: float, log: IO[bytes]) -> None:
    deadline = time.monotonic() + startup_s
    while True:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}: {tail}")
        try:
            if httpx.get(f"{base_url}/models", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"llama_cpp.server did not answer within {startup_s:g} s")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a GGUF model over the OpenAI API on 127.0.0.1")
    parser.add_argument(
        "--model", default=models.DEFAULT_MODEL, help="qwen (the default), smollm2, or a path to a .gguf file"
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--alias", default="local-model", help="the model name clients send")
    parser.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    path = models.resolve_model(args.model)
    if path is None:
        print(f"error: {models.missing_model_hint(args.model)}", file=sys.stderr)
        return 2
    proc = subprocess.Popen(server_command(path, args.port, args.alias, args.n_ctx))
    try:
        return proc.wait()
    except KeyboardInterrupt:  # the server got the same Ctrl-C: let it close its model and stop
        return proc.wait()


if __name__ == "__main__":
    raise SystemExit(main())

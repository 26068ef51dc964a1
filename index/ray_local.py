"""A real Ray cluster on loopback, started with `ray start` as separate processes (the tests and
`eval/bench_ray.py` use it): a head node, then more nodes joining it, each with its own CPUs.

Stopping kills exactly this cluster's processes (found by its own temp folder), never other Ray
clusters on the machine, which `ray stop` would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ray_cli() -> str:
    """The `ray` script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("ray")
    return str(beside) if beside.exists() else (shutil.which("ray") or "ray")


@dataclass
class LocalRayCluster:
    temp_dir: Path  # short: Ray's socket paths have a length limit (~107 bytes)
    port: int = field(default_factory=free_port)
    nodes: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self, *args: str) -> None:
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        command = [_ray_cli(), "start", *args, f"--temp-dir={self.temp_dir}", "--disable-usage-stats"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S)
        if done.returncode != 0:
            raise RuntimeError(f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stderr[-2000:]}")
        self.nodes += 1

    def start_head(self, num_cpus: int = 1) -> None:
        self._start("--head", f"--port={self.port}", f"--num-cpus={num_cpus}", "--include-dashboard=false")

    def add_node(self, num_cpus: int = 1) -> None:
        self._start(f"--address={self.address}", f"--num-cpus={num_cpus}")

    def processes(self) -> list[psutil.Process]:
        """This cluster's daemons (their command lines name its temp folder) and all their children."""
        marker = str(self.temp_dir)
        found: dict[int, psutil.Process] = {}
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if any(marker in part for part in proc.info["cmdline"] or ()):
                    found[proc.pid] = proc
                    found.update((child.pid, child) for child in proc.children(recursive=True))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        found.pop(os.getpid(), None)
        return list(found.values())

    def stop(self) -> None:
        procs = self.processes()
        for proc in procs:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                continue
        psutil.wait_procs(procs, timeout=10)
        self.nodes = 0


@contextmanager
def local_ray_cluster(nodes: int = 2, cpus_per_node: int = 1) -> Iterator[LocalRayCluster]:
    """A head and `nodes - 1` more nodes on loopback; stopped and its folder deleted on exit, also
    after a failure."""
    temp_dir = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    cluster = LocalRayCluster(temp_dir)
    try:
        cluster.start_head(cpus_per_node)
        for _ in range(nodes - 1):
            cluster.add_node(cpus_per_node)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(temp_dir, ignore_errors=True)

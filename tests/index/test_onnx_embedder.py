"""The ONNX query embedder: same vectors as sentence-transformers, no torch on the query path,
a damaged export is made again, and a fallback to torch is said in the answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.documents import load_corpus
from index.embedder import EmbedderConfig, load_embedder
from index.onnx_embedder import MODEL_FILE, OnnxQueryEmbedder, ensure_export, export_dir, read_export
from rag.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def onnx_config(tmp_path_factory: pytest.TempPathFactory) -> EmbedderConfig:
    return EmbedderConfig(onnx_dir=str(tmp_path_factory.mktemp("onnx")))


def test_onnx_vectors_equal_the_torch_vectors(onnx_config: EmbedderConfig) -> None:
    texts = [
        "How many people are held in scam compounds in Myanmar?",
        "Who runs KK Park?",
        "",
        "Trafficking — «Menschenhandel» — 人口贩卖 😀",
        *[doc.text[:3000] for doc in load_corpus(ROOT / "corpus")],  # past max_seq_length: truncated alike
    ]
    onnx = OnnxQueryEmbedder(onnx_config, ensure_export(onnx_config))
    torch_vectors = load_embedder(EmbedderConfig(precision="fp32")).embed(texts)
    onnx_vectors = onnx.embed(texts)
    assert onnx_vectors.shape == torch_vectors.shape
    cosines = np.sum(onnx_vectors * torch_vectors, axis=1)
    assert float(cosines.min()) >= 1 - 1e-3, cosines
    assert onnx.model_id == load_embedder().model_id and onnx.dimension == 384


def test_a_damaged_export_is_not_used(onnx_config: EmbedderConfig) -> None:
    ensure_export(onnx_config)
    model = export_dir(onnx_config) / MODEL_FILE
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    assert read_export(onnx_config) is None  # the checksum no longer matches
    record = ensure_export(onnx_config)  # exported again
    assert read_export(onnx_config) == record


def _ask_in_a_fresh_process(env: dict[str, str]) -> dict[str, object]:
    script = (
        "import json, sys\n"
        "from rag.assistant import Assistant\n"
        "assistant = Assistant.load()\n"
        "answer = assistant.ask('How many people are held in scam compounds in Myanmar?')\n"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'backend': type(assistant.retriever.embedder).__name__,"
        " 'refused': answer.refused, 'cited': len(answer.citations), 'warnings': answer.warnings}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_cold_ask_never_imports_torch(seed_settings: Settings) -> None:
    """The point of the ONNX path: a `rag ask` process answers from the index without loading torch.
    (`seed_settings` built the index with torch, as `rag index` does; that made the export.)"""
    env = {
        **os.environ,
        "RAG_PATHS__DATA_DIR": str(seed_settings.paths.data_dir),
        "RAG_PATHS__CORPUS_DIR": str(seed_settings.paths.corpus_dir),
    }
    result = _ask_in_a_fresh_process(env)
    assert (result["torch"], result["backend"], result["refused"], result["warnings"]) == (
        False, "OnnxQueryEmbedder", False, []
    )
    assert isinstance(result["cited"], int) and result["cited"] >= 1


def test_a_fallback_to_torch_is_said_in_the_answer(seed_settings: Settings, tmp_path: Path) -> None:
    onnx_dir = tmp_path / "not-a-folder"
    onnx_dir.write_text("a file where the export folder should be")  # the export cannot be made here
    env = {
        **os.environ,
        "RAG_PATHS__DATA_DIR": str(seed_settings.paths.data_dir),
        "RAG_PATHS__CORPUS_DIR": str(seed_settings.paths.corpus_dir),
        "RAG_EMBEDDER__ONNX_DIR": str(onnx_dir),
    }
    result = _ask_in_a_fresh_process(env)
    assert result["backend"] == "SentenceTransformerEmbedder" and result["torch"] is True
    assert any("ONNX query embedding unavailable" in str(w) for w in result["warnings"])  # type: ignore[union-attr]

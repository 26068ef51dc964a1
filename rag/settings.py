"""One typed settings object for the library, the CLI and the UI (pydantic-settings).

Sources, later wins: defaults < environment (RAG_*, nested with __, e.g.
RAG_RETRIEVAL__TOP_K=6) < preset (when one is named) < explicit arguments. Secrets (API keys) are SecretStr: never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.chunking import ChunkerConfig
from index.embedder import EmbedderConfig

Backend = Literal["extractive", "local", "openai", "combined"]
CombinedPolicy = Literal["typed-first", "extractive-gates"]
# How an LLM backend answers: "writer" (cited sentences, free form) or "reader" (a JSON-schema
# constrained answer span plus the ids of its supporting sentences: rag/generators/reading.py).
LLMMode = Literal["writer", "reader"]


class PathSettings(BaseModel):
    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path(".data")


class StoreSettings(BaseModel):
    """Which index store answers: the embedded one in paths.data_dir, or a shared PostgreSQL."""

    url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:port/db: the shared PostgreSQL + pgvector store (extra `pg`); "
        "unset: the embedded FAISS + BM25 store in paths.data_dir. A SecretStr: it may hold a password",
    )
    ef_search: int = Field(default=100, ge=10, le=1000, description="pgvector hnsw.ef_search (candidates per search)")


class RetrievalSettings(BaseModel):
    top_k: int = Field(default=6, ge=1, le=50, description="passages given to the generator")
    candidates: int = Field(default=30, ge=1, description="per-retriever candidates before fusion")
    rrf_k: int = 60
    cross_language_slots: int = Field(
        default=2, ge=0, le=10,
        description="places in the top_k for the passages in other languages closest to the question "
        "(rag/retriever.py); 0 turns cross-language retrieval off",
    )
    cross_language_margin: float = Field(
        default=0.05, ge=0.0, le=1.0,
        description="a passage in another language takes a place when its cross-language cosine is at least "
        "the best English passage's minus this (measured on eval/devset/multilingual, tune half)",
    )
    min_relevance: float = Field(
        default=0.18, description="refuse when no passage has cosine >= this to the question (calibrated on eval/)"
    )
    faiss_threads: int = 1
    sentence_cache_max: int = Field(
        default=200_000, ge=0,
        description="embed up to this many passage sentences at index time (rag/sentence_cache.py), so a cold "
        "`rag ask` does not; 0 turns the cache off",
    )


class AnswerSettings(BaseModel):
    backend: Backend = "extractive"
    max_passages_llm: int = Field(
        default=4,
        ge=1,
        le=20,
        description="passages in an LLM prompt (4: best accuracy with Qwen in eval.bench_backends)",
    )
    reader_sentences: int = Field(
        default=3,
        ge=1,
        le=60,
        description="sentences an LLM in reader mode sees: the best for the question by the extractive ranking "
        "(3: Qwen2.5-1.5B both fastest and most accurate on a gold sample, see README)",
    )
    max_question_chars: int = 2000
    support_threshold: float = Field(default=0.45, description="min support score for a citation to stand")
    attribute_uncited: bool = Field(
        default=True,
        description="keep an LLM sentence without [n] if a passage supports it; marked as cited by the checker",
    )
    combined_llm: Literal["local", "openai"] = Field(
        default="local", description="the LLM the combined backend asks (when, see combined_policy)"
    )
    combined_policy: CombinedPolicy = Field(
        default="extractive-gates",
        description="typed-first: the extractive reader answers when it finds a typed answer, the LLM otherwise; "
        "extractive-gates: the extractive reader decides whether to answer (its refusal stands), the LLM reader "
        "what (rag/generators/combined.py; figures in the README)",
    )
    fallback_to_extractive: bool = Field(
        default=False, description="if the LLM fails, answer extractively instead (reported in the answer)"
    )
    deadline_s: float = Field(
        default=90.0,
        gt=0,
        description="overall time limit for one answer (follow-up rewrite, every LLM attempt and retry included); "
        "past it the answer fails with the reason",
    )


class OpenAISettings(BaseModel):
    mode: LLMMode = "writer"
    # How the reader's JSON schema is sent: "json_schema" (OpenAI, vLLM) or "json_object" with a
    # "schema" key (llama-cpp-python's server, which has no json_schema type).
    json_format: Literal["json_schema", "json_object"] = "json_schema"
    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "local-model"
    api_key: SecretStr = SecretStr("not-needed")
    timeout_s: float = 60.0
    max_retries: int = 2
    temperature: float = 0.0
    max_tokens: int = 300


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# llama.cpp threads: one per usable CPU, at most 8 (a 1.5B model's decoding is bound by memory
# bandwidth, and more threads than cores contend on a laptop's hyper-threads).
MAX_LLAMA_THREADS = 8


class LocalLLMSettings(BaseModel):
    # "reader": on a 23-question gold sample Qwen2.5-1.5B scored 0.70 as a reader (5.9 s median) and
    # 0.52 as a writer (33 s); SmolLM2 0.30 and 0.26 (README, "LLM as reader").
    mode: LLMMode = "reader"
    # None: Qwen2.5-Coder-1.5B (`make llm-qwen`), never silently another; "smollm2" (fast, weaker: the
    # tests' model), "qwen", or a path to a .gguf file.
    model_path: Path | None = None
    n_ctx: int = 4096
    n_threads: int = Field(
        default_factory=lambda: min(usable_cpus(), MAX_LLAMA_THREADS), ge=1,
        description="llama.cpp threads; default: the usable CPUs, at most 8",
    )
    temperature: float = 0.0
    max_tokens: int = 300


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(default=None, description="user:password, enables Gradio login for the whole page")
    editor_auth: str | None = Field(
        default=None, description="user:password for adding, removing and editing articles on the page (asking stays open)"
    )
    single_user: bool = Field(
        default=False, description="the page is one person's: anyone who reaches it may edit the corpus without a login"
    )
    max_upload_mb: int = 20
    answer_concurrency: int = Field(
        default=0, ge=0, le=64,
        description="questions answered at once by the page and API; 0: one per CPU core. Retrieval and the "
        "extractive reader are read-only; an in-process LLM still answers one at a time (its own lock)",
    )

    def effective_answer_concurrency(self) -> int:
        return self.answer_concurrency or os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_nested_delimiter="__", extra="ignore")

    paths: PathSettings = PathSettings()
    store: StoreSettings = StoreSettings()
    chunker: ChunkerConfig = ChunkerConfig()
    embedder: EmbedderConfig = EmbedderConfig()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    openai: OpenAISettings = OpenAISettings()
    local: LocalLLMSettings = LocalLLMSettings()
    ui: UISettings = UISettings()

    @classmethod
    def from_preset(cls, name: str = "default", **overrides: Any) -> Settings:
        """Presets bundle choices over defaults and environment; `overrides` still win."""
        preset = PRESETS.get(name)
        if preset is None:
            raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
        settings = cls(**overrides)
        for section, values in preset.items():
            current = getattr(settings, section)
            explicit = overrides.get(section, {})
            keep = explicit.model_dump(exclude_unset=True) if isinstance(explicit, BaseModel) else dict(explicit)
            setattr(settings, section, current.model_copy(update={k: v for k, v in values.items() if k not in keep}))
        return settings


PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {},
    "fast": {"retrieval": {"top_k": 4, "candidates": 20}},
    "thorough": {"retrieval": {"top_k": 10, "candidates": 50}},
    "local-llm": {"answer": {"backend": "local", "max_passages_llm": 4}},
    "hosted-llm": {"answer": {"backend": "openai", "max_passages_llm": 4}},
}

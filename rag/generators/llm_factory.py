"""Build the LLM generators from Settings (called by rag.generators.registry)."""

from __future__ import annotations

from typing import Protocol

from rag.generators.base import Generator, GeneratorUnavailable
from rag.settings import Settings
from rag.support import SentenceEncoder


def build_llm_generator(settings: Settings, backend: str, encoder: SentenceEncoder | None = None) -> Generator:
    """'local' (GGUF in process) or 'openai' (any OpenAI-compatible endpoint). The encoder ranks the
    sentences a reader-mode model sees."""
    max_passages = settings.answer.max_passages_llm
    sentences = settings.answer.reader_sentences
    if backend == "local":
        from rag.generators.local_gguf import LocalGGUFGenerator

        return LocalGGUFGenerator(
            settings.local, max_passages=max_passages, sentence_encoder=encoder, reader_sentences=sentences
        )
    if backend == "openai":
        from rag.generators.openai_compatible import OpenAICompatibleGenerator

        return OpenAICompatibleGenerator(
            settings.openai, max_passages=max_passages, sentence_encoder=encoder, reader_sentences=sentences
        )
    raise GeneratorUnavailable(f"not an LLM backend: {backend!r}; use local or openai")


class PlainCompletion(Protocol):
    """One plain chat turn with an LLM (ChatGenerator.complete)."""

    def __call__(self, prompt: str, system: str | None = None) -> str: ...


def rewriter_for(generator: Generator) -> PlainCompletion | None:
    """The generator's plain-completion function, for rag.conversation.rewrite_followup; None if none."""
    complete = getattr(generator, "complete", None)
    return complete if callable(complete) else None

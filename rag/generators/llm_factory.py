"""Build the LLM generators from Settings (called by rag.generators.registry)."""

from __future__ import annotations

from collections.abc import Callable

from rag.generators.base import Generator, GeneratorUnavailable
from rag.settings import Settings


def build_llm_generator(settings: Settings, backend: str) -> Generator:
    """'local' (GGUF in process) or 'openai' (any OpenAI-compatible endpoint)."""
    max_passages = settings.answer.max_passages_llm
    if backend == "local":
        from rag.generators.local_gguf import LocalGGUFGenerator

        return LocalGGUFGenerator(settings.local, max_passages=max_passages)
    if backend == "openai":
        from rag.generators.openai_compatible import OpenAICompatibleGenerator

        return OpenAICompatibleGenerator(settings.openai, max_passages=max_passages)
    raise GeneratorUnavailable(f"not an LLM backend: {backend!r}; use local or openai")


def rewriter_for(generator: Generator) -> Callable[[str], str] | None:
    """The generator's plain-completion function, for rag.conversation.rewrite_followup; None if none."""
    complete = getattr(generator, "complete", None)
    return complete if callable(complete) else None

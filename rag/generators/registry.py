"""Choose a generator by name; LLM backends are imported only when asked for."""

from __future__ import annotations

from collections.abc import Sequence

from rag.generators.base import Generator, GeneratorUnavailable
from rag.generators.extractive import ExtractiveGenerator
from rag.settings import Settings
from rag.support import SentenceEncoder
from rag.types import Passage

BACKENDS = ("extractive", "local", "openai", "combined")


def make_generator(backend: str, settings: Settings, encoder: SentenceEncoder) -> Generator:
    if backend == "extractive":
        return ExtractiveGenerator(encoder)
    if backend == "combined":
        from rag.citations import check_citations
        from rag.generators.combined import CombinedGenerator

        llm_name, answer = settings.answer.combined_llm, settings.answer

        def supported(draft: str, passages: Sequence[Passage]) -> bool:
            # The same check the assistant applies to the answer: an LLM draft is checked as its own.
            return not check_citations(draft, passages, encoder, answer.support_threshold, answer.attribute_uncited).refused

        return CombinedGenerator(
            ExtractiveGenerator(encoder),
            lambda: make_generator(llm_name, settings, encoder),
            llm_name,
            answer.combined_policy,
            supported,
        )
    if backend in ("local", "openai"):
        try:
            from rag.generators.llm_factory import build_llm_generator
        except ImportError as err:
            raise GeneratorUnavailable(f"the {backend} backend is not installed ({err})") from err
        return build_llm_generator(settings, backend, encoder)
    raise GeneratorUnavailable(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")

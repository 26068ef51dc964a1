"""The generator protocol: passages in, draft text with [n] markers out.

Every draft then goes through the same citation layer (rag.citations), whatever wrote it.
[n] refers to the n-th passage of the list given (1-based).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rag.types import Passage


class GeneratorError(RuntimeError):
    """The generator could not produce a draft (server down, timeout, model missing)."""


class GeneratorUnavailable(GeneratorError):
    """The backend cannot run at all here (not installed, not configured); says why."""


@dataclass
class Draft:
    text: str
    backend: str
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    first_token_s: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


class Generator(Protocol):
    name: str

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft: ...

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        """Yield text pieces; their concatenation is the draft text."""
        ...

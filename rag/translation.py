"""A quoted passage put into English, on request, by an LLM backend. It is a machine translation and
says so: it is never checked against the source, never cited, and the citation stays the original."""

from __future__ import annotations

from dataclasses import dataclass

from rag.generators.llm_factory import PlainCompletion

SYSTEM = "You translate news text faithfully. Keep every figure, date and name. Reply with the translation only."
MAX_CHARS = 1500  # a quote or a passage; longer text is cut (a translation of a whole article is not offered)


class TranslationError(ValueError):
    """Nothing to translate, or no LLM to translate with; the message says which."""


@dataclass(frozen=True)
class Translation:
    original: str
    text: str
    source_language: str
    translator: str  # the backend and model that translated

    @property
    def label(self) -> str:
        return (f"Machine translation from {self.source_language} by {self.translator}; "
                "not checked against the source, which the citation quotes")


def translate(
    complete: PlainCompletion, text: str, source_language: str, translator: str
) -> Translation:
    """`text` in English by `complete` (an LLM's plain chat turn: prompt, system)."""
    text = " ".join(text.split())
    if not text:
        raise TranslationError("there is no text to translate")
    english = " ".join(complete(f"Translate into English:\n\n{text[:MAX_CHARS]}", SYSTEM).split())
    if not english:
        raise TranslationError(f"{translator} returned no translation")
    return Translation(original=text, text=english, source_language=source_language, translator=translator)

"""The combined backend: the extractive reader when it finds a typed answer, the LLM reader otherwise.

The two fail on different questions (the extractive reader on why/how and unusual wording, a small
LLM on figures and scope), so each answers where it is strong; a near miss (the question names
something no passage names) is refused without asking the LLM. `Draft.extra["answered_by"]` and
`Answer.answered_by` say which one answered."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from rag.generators.base import Draft, Generator
from rag.generators.extractive import ExtractiveGenerator
from rag.types import REFUSAL_PHRASE, Passage


class CombinedGenerator:
    name = "combined"
    reports_answerer = True  # the assistant calls generate() to learn who answered

    def __init__(self, extractive: ExtractiveGenerator, llm: Callable[[], Generator], llm_name: str) -> None:
        self.extractive = extractive
        self._llm = llm  # built at first use: a typed extractive answer never loads the model
        self.llm_name = llm_name

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        first = self.extractive.generate(question, passages)
        if first.extra.get("typed") and first.text != REFUSAL_PHRASE:
            return Draft(text=first.text, backend=self.name, extra={**first.extra, "answered_by": "extractive"})
        if first.extra.get("names_missing"):
            # No passage names what the question names ("... in Vietnam?"): a near miss the LLM would
            # answer about something else, so the refusal stands.
            return Draft(text=REFUSAL_PHRASE, backend=self.name, extra={**first.extra, "answered_by": "extractive"})
        llm = self._llm()
        draft = llm.generate(question, passages)
        mode = str(draft.extra.get("mode", "writer"))
        return Draft(
            text=draft.text,
            backend=self.name,
            model=draft.model,
            prompt_tokens=draft.prompt_tokens,
            completion_tokens=draft.completion_tokens,
            extra={**draft.extra, "answered_by": f"{self.llm_name} {mode}", "answer_type": first.extra.get("answer_type")},
        )

"""What the two LLM generators share: prompt -> streamed pieces -> remapped citations -> Draft.

A subclass says how to prepare the prompt (`prepare`) and how to stream text pieces from its model
(`_pieces`); streaming, drafting and the plain `complete` used for follow-up rewriting live here.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from index.word_segmentation import has_cjk_thai
from rag.generators.base import Draft, GeneratorError
from rag.generators.prompting import (
    Messages,
    PreparedPrompt,
    StreamStats,
    clean_answer,
    prepare_prompt,
    refusal_draft,
    remapped_stream,
)
from rag.generators.reading import (
    MAX_SENTENCES,
    NO_READING,
    READER_SCHEMA,
    VERIFY_SCHEMA,
    answers_question,
    draft_from_reading,
    english_answer,
    number_sentences,
    reader_messages,
    verification_messages,
)
from rag.settings import LLMMode
from rag.support import SentenceEncoder
from rag.types import Passage


class ChatGenerator(ABC):
    name: str
    model: str | None
    # "writer": the model writes cited sentences; "reader": it picks the answer span and its sentence
    # ids from numbered sentences, constrained by a JSON schema (rag/generators/reading.py).
    mode: LLMMode = "writer"

    def __init__(
        self,
        max_passages: int,
        max_passage_chars: int,
        sentence_encoder: SentenceEncoder | None = None,
        reader_sentences: int = MAX_SENTENCES,
    ) -> None:
        self.max_passages = max_passages
        self.max_passage_chars = max_passage_chars
        # Reader mode: the model sees the `reader_sentences` best sentences (ranked with the encoder).
        self.sentence_encoder = sentence_encoder
        self.reader_sentences = reader_sentences

    def token_budget(self) -> int | None:
        """Prompt tokens that fit the model's context, where the generator knows it (else None)."""
        return None

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError("only needed when token_budget() is not None")

    def prepare(self, question: str, passages: Sequence[Passage]) -> PreparedPrompt:
        """Choose, shorten and number the passages (fitted to token_budget()); the chat messages to send."""
        budget = self.token_budget()
        return prepare_prompt(
            question,
            passages,
            max_passages=self.max_passages,
            max_passage_chars=self.max_passage_chars,
            token_budget=budget,
            count_tokens=self.count_tokens if budget is not None else None,
        )

    @abstractmethod
    def _pieces(self, messages: Messages, stats: StreamStats) -> Iterator[str]:
        """Text pieces from the model; every failure raised as a GeneratorError; fills stats."""

    def _json_completion(self, messages: Messages, schema: dict[str, object], stats: StreamStats) -> str:
        """The model's reply constrained to `schema` (JSON text); every failure a GeneratorError."""
        raise GeneratorError(f"the {self.name} backend cannot answer as a reader")

    def _draft_extra(self) -> dict[str, object]:
        return {}

    @property
    def reports_answerer(self) -> bool:
        """In reader mode the reading is used whole, not streamed: the assistant calls generate() and reports
        what the draft says besides its text (an answer translated, a reading set aside)."""
        return self.mode == "reader"

    def read(self, question: str, passages: Sequence[Passage]) -> Draft:
        """Reader mode: the best numbered sentences of the first passages in, a JSON reading out."""
        numbered = number_sentences(
            question, passages[: self.max_passages], self.sentence_encoder, self.reader_sentences
        )
        stats = StreamStats()
        if not numbered.passage_of:
            return refusal_draft(self.name, self.model)
        raw = self._json_completion(reader_messages(question, numbered), READER_SCHEMA, stats)
        translated_from = None
        if numbered.other_languages and not has_cjk_thai(question):  # a question in English wants English
            raw, translated_from = english_answer(raw, self.complete)
        rejected = None
        if numbered.other_languages:  # the check across languages is the weakest: the model takes a second look
            messages = verification_messages(question, raw, numbered)
            if messages is not None and not answers_question(self._json_completion(messages, VERIFY_SCHEMA, stats)):
                rejected, raw = raw, NO_READING
        return Draft(
            text=draft_from_reading(raw, numbered),
            backend=self.name,
            model=self.model,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            extra={"mode": "reader", "reading": raw[:500], "total_s": time.perf_counter() - stats.started}
            | ({"answer_translated_from": translated_from} if translated_from else {})
            | ({"reading_rejected": rejected[:500]} if rejected else {})
            | self._draft_extra(),
        )

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        if self.mode == "reader":
            yield self.read(question, passages).text  # a JSON reading is used whole, not streamed
            return
        prompt = self.prepare(question, passages)
        if prompt.empty:
            yield refusal_draft(self.name, self.model).text
            return
        yield from remapped_stream(self._pieces(prompt.messages, StreamStats()), prompt.used)

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        if self.mode == "reader":
            return self.read(question, passages)
        prompt = self.prepare(question, passages)
        if prompt.empty:
            return refusal_draft(self.name, self.model)
        stats = StreamStats()
        text = "".join(remapped_stream(self._pieces(prompt.messages, stats), prompt.used, stats))
        extra: dict[str, object] = {"passages_used": prompt.used, "total_s": time.perf_counter() - stats.started}
        return Draft(
            text=clean_answer(text),
            backend=self.name,
            model=self.model,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            first_token_s=stats.first_token_s,
            extra=extra | self._draft_extra(),
        )

    def complete(self, prompt: str, system: str | None = None) -> str:
        """One plain chat turn (used to rewrite follow-up questions)."""
        messages: Messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        return "".join(self._pieces(messages, StreamStats())).strip()

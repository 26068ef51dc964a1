"""Asking from the page and the API: follow-up history, per-request passage count."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from rag.assistant import Assistant, History
from rag.filters import SourceFilter
from rag.types import Answer
from ui.render import Turn

# Answers run in parallel (up to `ui.answer_concurrency`): retrieval reads an index generation that is
# swapped in by one assignment, the extractive reader is read-only, and an in-process LLM has its own
# lock. Only corpus edits from the page are taken one at a time.
CORPUS_EDIT_LOCK = threading.Lock()


def history_of(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """(question, answer text) of the finished turns, oldest first, for follow-up questions."""
    out: list[tuple[str, str]] = []
    for turn in turns:
        answer = turn.parsed()
        if answer is not None and answer.text:
            out.append((turn.question, answer.text))
    return out


def ask_stream(assistant: Assistant, question: str, history: History | None, backend: str | None,
               top_k: int | None = None, where: SourceFilter | None = None) -> Iterator[str | Answer]:
    """`Assistant.ask_stream`, with the number of passages and the source filter chosen per request.

    Raises `QuestionError` for an empty or too long question and `FilterError` for a bad filter,
    like the assistant.
    """
    yield from assistant.ask_stream(question, history, backend, top_k, where)

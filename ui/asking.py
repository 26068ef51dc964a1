"""Asking from the page and the API: follow-up history, per-request passage count."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from rag.assistant import Assistant, History
from rag.types import Answer
from ui.render import Turn

# One assistant call at a time per process: adding or removing articles swaps the index, and an
# in-process LLM serves one request at a time. On 2 cores parallel answers would gain little anyway.
ASSISTANT_LOCK = threading.Lock()


def history_of(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """(question, answer text) of the finished turns, oldest first, for follow-up questions."""
    out: list[tuple[str, str]] = []
    for turn in turns:
        answer = turn.parsed()
        if answer is not None and answer.text:
            out.append((turn.question, answer.text))
    return out


def ask_stream(assistant: Assistant, question: str, history: History | None, backend: str | None,
               top_k: int | None = None) -> Iterator[str | Answer]:
    """`Assistant.ask_stream`, with the number of passages chosen per request.

    Raises `QuestionError` for an empty or too long question, like the assistant.
    """
    with ASSISTANT_LOCK:
        yield from assistant.ask_stream(question, history, backend, top_k)

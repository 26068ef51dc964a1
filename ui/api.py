"""The `/ask` endpoint for programs: `Client(url).predict(question, api_name="/ask")` -> Answer JSON."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from rag.assistant import Assistant, QuestionError
from rag.filters import FilterError, from_options
from rag.types import Answer
from ui.asking import ask_stream

ASK_CONCURRENCY_ID = "ask"
log = logging.getLogger(__name__)


def answer_json(assistant: Assistant, question: str, backend: str | None = None,
                history: list[list[str]] | None = None, top_k: int | None = None,
                doc_ids: list[str] | None = None, outlets: list[str] | None = None,
                since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """The checked Answer as a JSON-ready dict; a bad question or filter raises gr.Error with the reason."""
    turns: list[tuple[str, str]] = []
    for item in history or []:
        if not isinstance(item, list | tuple) or len(item) != 2 or not all(isinstance(x, str) for x in item):
            raise gr.Error("history must be a list of [question, answer] pairs of strings")
        turns.append((item[0], item[1]))
    if top_k is not None and not 1 <= int(top_k) <= 50:
        raise gr.Error("top_k must be between 1 and 50")
    answer: Answer | None = None
    try:
        where = from_options(_names(doc_ids, "doc_ids"), _names(outlets, "outlets"), since, until)
        for item2 in ask_stream(assistant, question, turns or None, backend or None,
                                int(top_k) if top_k is not None else None, where):
            if isinstance(item2, Answer):
                answer = item2
    except (QuestionError, FilterError) as err:
        raise gr.Error(str(err)) from err
    except Exception as err:  # never a raw traceback message to a client; the log has the details
        log.exception("answering %r failed", question[:200])
        raise gr.Error(f"internal error while answering ({type(err).__name__}); the server log has the details") from err
    assert answer is not None
    return answer.model_dump(mode="json")


def _names(values: object, name: str) -> list[str] | None:
    """A list of strings from the client (one string counts as one name)."""
    if values is None or values == "":
        return None
    if isinstance(values, str):
        return [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise FilterError(f"{name} must be a list of strings")
    return values


def register_api(assistant: Assistant, concurrency: int) -> None:
    """Add the endpoint to the Blocks being built (call inside `with gr.Blocks()`)."""

    def ask(question: str, backend: str | None = None, history: list[list[str]] | None = None,
            top_k: int | None = None, doc_ids: list[str] | None = None, outlets: list[str] | None = None,
            since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Answer a question from the articles. Returns the Answer as JSON: text with [n] markers,
        status (answered/refused/failed), reason, citations (title, outlet, date, quote, offsets, PDF pages), passages,
        and for a refusal `closest`: the passage sentences nearest to an answer, which are not an answer.
        backend: extractive, local or openai (default: the server's); history: [[question, answer], ...];
        doc_ids, outlets, since, until (YYYY-MM-DD): answer only from those articles (filter_description says which)."""
        return answer_json(assistant, question, backend, history, top_k, doc_ids, outlets, since, until)

    gr.api(ask, api_name="ask", concurrency_limit=concurrency, concurrency_id=ASK_CONCURRENCY_ID)

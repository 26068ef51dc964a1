"""Hosted generator: any OpenAI-compatible chat endpoint, through LangChain's chat-model interface.

ChatOpenAI (base_url, model, api_key from OpenAISettings) by default; any LangChain BaseChatModel
can be passed in instead. The key stays a SecretStr and is never logged or put in messages.
Timeouts and retries with exponential backoff are the OpenAI client's (timeout, max_retries);
every failure (refused, timeout, HTTP error, server gone mid-answer) becomes a GeneratorError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from langchain_openai.chat_models.base import BaseChatOpenAI

from rag.generators.base import GeneratorError
from rag.generators.chat_base import ChatGenerator
from rag.generators.prompting import (
    DEFAULT_MAX_PASSAGE_CHARS,
    DEFAULT_MAX_PASSAGES,
    Messages,
    StreamStats,
)
from rag.generators.reading import MAX_SENTENCES
from rag.settings import OpenAISettings
from rag.support import SentenceEncoder


def to_langchain(messages: Messages) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for message in messages:
        if message["role"] == "system":
            out.append(SystemMessage(content=message["content"]))
        elif message["role"] == "assistant":  # the worked examples' replies
            out.append(AIMessage(content=message["content"]))
        else:
            out.append(HumanMessage(content=message["content"]))
    return out


class CompatChatOpenAI(ChatOpenAI):
    """ChatOpenAI that sends the answer length cap as `max_tokens`.

    ChatOpenAI sends `max_completion_tokens`, which llama-cpp-python's server, Ollama, llamafile and
    older vLLM ignore or reject (the answer then runs to the end of the context). `max_tokens` is
    accepted by all of them and by OpenAI's chat models; for OpenAI's o-series pass your own
    ChatOpenAI as `chat_model`.
    """

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload


def make_chat_openai(settings: OpenAISettings) -> BaseChatModel:
    return CompatChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key,  # SecretStr, passed as is
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        temperature=settings.temperature,
        max_completion_tokens=settings.max_tokens,
        stream_usage=True,
    )


class OpenAICompatibleGenerator(ChatGenerator):
    """Generator over an OpenAI-compatible server (llama.cpp server, vLLM, Ollama, OpenAI, ...)."""

    name = "openai"

    def __init__(
        self,
        settings: OpenAISettings,
        max_passages: int = DEFAULT_MAX_PASSAGES,
        chat_model: BaseChatModel | None = None,
        *,
        max_passage_chars: int = DEFAULT_MAX_PASSAGE_CHARS,
        sentence_encoder: SentenceEncoder | None = None,
        reader_sentences: int = MAX_SENTENCES,
    ) -> None:
        super().__init__(max_passages, max_passage_chars, sentence_encoder, reader_sentences)
        self.settings = settings
        self.mode = settings.mode
        self._chat_model = chat_model
        self.model = settings.model if chat_model is None else _model_name(chat_model, settings.model)
        plugged_url = getattr(chat_model, "openai_api_base", None)
        self.endpoint = plugged_url if isinstance(plugged_url, str) and plugged_url else settings.base_url

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAICompatibleGenerator(base_url={self.endpoint!r}, model={self.model!r})"

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = make_chat_openai(self.settings)
        return self._chat_model

    # -- internals --------------------------------------------------------------------------------

    def _pieces(self, messages: Messages, stats: StreamStats) -> Iterator[str]:
        """Text pieces from the chat model; every failure becomes a GeneratorError."""
        pieces = 0
        finished = False
        try:
            for chunk in self.chat_model.stream(to_langchain(messages)):
                if not isinstance(chunk, AIMessageChunk):
                    continue
                _record_usage(chunk, stats)
                if chunk.response_metadata.get("finish_reason"):
                    finished = True
                text = chunk.text
                if text:
                    pieces += 1
                    yield text
        except GeneratorError:
            raise
        except Exception as exc:
            raise GeneratorError(self._describe(exc, pieces)) from exc
        if not finished and self._chat_model_is_openai():
            raise GeneratorError(
                f"openai backend: the answer from {self.endpoint} ended without a finish "
                f"reason after {pieces} piece(s); the server may have stopped mid-answer"
            )
        stats.completion_tokens = stats.completion_tokens or (pieces or None)

    def _json_completion(self, messages: Messages, schema: dict[str, object], stats: StreamStats) -> str:
        """One non-streamed reply with the schema as `response_format` (see OpenAISettings.json_format)."""
        if self.settings.json_format == "json_schema":
            response_format: dict[str, object] = {
                "type": "json_schema",
                "json_schema": {"name": "reading", "schema": schema, "strict": True},
            }
        else:
            response_format = {"type": "json_object", "schema": schema}
        try:
            message = self.chat_model.invoke(to_langchain(messages), response_format=response_format)
        except Exception as exc:
            raise GeneratorError(self._describe(exc, 0)) from exc
        if isinstance(message, AIMessage) and message.usage_metadata:
            stats.prompt_tokens = message.usage_metadata.get("input_tokens")
            stats.completion_tokens = message.usage_metadata.get("output_tokens")
        return message.text

    def _chat_model_is_openai(self) -> bool:
        return isinstance(self.chat_model, BaseChatOpenAI)

    def _describe(self, exc: BaseException, pieces: int) -> str:
        where = self.endpoint
        attempts = self.settings.max_retries + 1
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return (
                f"openai backend: no answer from {where} within {self.settings.timeout_s:g} s "
                f"(timed out; {attempts} attempt(s))"
            )
        if isinstance(exc, openai.APIStatusError):
            detail = _short(_error_message(exc))
            return f"openai backend: HTTP {exc.status_code} from {where}: {detail}"
        if pieces > 0 and isinstance(exc, openai.APIConnectionError | httpx.TransportError):
            return (
                f"openai backend: connection to {where} lost mid-answer after {pieces} piece(s) "
                f"(server stopped?): {_short(str(exc))}"
            )
        if isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
            return (
                f"openai backend: cannot connect to {where} ({attempts} attempt(s)); "
                f"is the server running? ({_short(_cause(exc))})"
            )
        if isinstance(exc, httpx.TransportError):
            return f"openai backend: transport error talking to {where}: {_short(str(exc))}"
        return f"openai backend: {type(exc).__name__}: {_short(str(exc))}"


def _record_usage(chunk: AIMessageChunk, stats: StreamStats) -> None:
    usage = chunk.usage_metadata
    if not usage:
        return
    if usage.get("input_tokens"):
        stats.prompt_tokens = usage["input_tokens"]
    if usage.get("output_tokens"):
        stats.completion_tokens = usage["output_tokens"]


def _model_name(chat_model: BaseChatModel, default: str) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(chat_model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(chat_model).__name__ or default


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return exc.message


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{exc}: {cause}" if cause is not None and str(cause) else str(exc)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

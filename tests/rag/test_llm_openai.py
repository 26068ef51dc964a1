"""Hosted generator against a REAL OpenAI-compatible server: llama-cpp-python's, on loopback.

Also: a server killed mid-answer, a server that accepts and never answers, connection refused,
an HTTP error, and a LangChain chat model plugged in from Python.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from rag.generators.base import GeneratorError
from rag.generators.openai_compatible import OpenAICompatibleGenerator
from rag.llama_server import free_port, llama_server
from rag.settings import OpenAISettings
from rag.types import REFUSAL_PHRASE
from tests.rag.llm_fixtures import PASSAGES, smollm2

__all__ = ["smollm2"]  # the fixture is used by name

pytestmark = [pytest.mark.slow, pytest.mark.llm]

SECRET = "sk-test-secret-do-not-show-1234"
QUESTION = "How many people are held in Myanmar?"
LONG_QUESTION = "Describe in detail, step by step, how people are recruited and what happens to them."


@pytest.fixture(scope="module")
def server(smollm2: Path) -> Iterator[str]:
    with llama_server(smollm2, alias="smollm2") as (base_url, _proc):
        yield base_url


def settings(base_url: str, **kw: object) -> OpenAISettings:
    values: dict[str, object] = {
        "base_url": base_url,
        "model": "smollm2",
        "api_key": SecretStr(SECRET),
        "timeout_s": 30.0,
        "max_retries": 0,
        "max_tokens": 60,
    }
    values.update(kw)
    return OpenAISettings.model_validate(values)


def test_answer_from_real_server(server: str) -> None:
    gen = OpenAICompatibleGenerator(settings(server), max_passages=3)
    draft = gen.generate(QUESTION, PASSAGES)
    assert draft.backend == "openai" and draft.model == "smollm2"
    assert draft.text.strip()
    assert draft.completion_tokens is not None and 0 < draft.completion_tokens <= 60
    # llama-cpp-python's server sends no usage in a stream (servers that do: prompt_tokens is set)
    assert draft.prompt_tokens is None or draft.prompt_tokens > 100
    assert draft.first_token_s is not None and draft.first_token_s < 30
    assert draft.extra["passages_used"] == [1, 2]
    assert SECRET not in repr(gen) and SECRET not in repr(draft)


def test_streaming_yields_several_pieces(server: str) -> None:
    gen = OpenAICompatibleGenerator(settings(server, max_tokens=40), max_passages=2)
    pieces = list(gen.stream(LONG_QUESTION, PASSAGES))
    assert len(pieces) >= 5
    assert all(isinstance(p, str) and p for p in pieces)
    assert len("".join(pieces).split()) >= 5


def test_http_error_is_a_generator_error(server: str) -> None:
    bad = server.removesuffix("/v1") + "/no-such-api"
    gen = OpenAICompatibleGenerator(settings(bad), max_passages=2)
    with pytest.raises(GeneratorError, match=r"HTTP 404") as info:
        gen.generate(QUESTION, PASSAGES)
    assert SECRET not in str(info.value)


def test_server_killed_mid_answer(smollm2: Path) -> None:
    with llama_server(smollm2, alias="smollm2") as (base_url, proc):
        gen = OpenAICompatibleGenerator(settings(base_url, max_tokens=400), max_passages=2)
        stream = gen.stream(LONG_QUESTION, PASSAGES)
        received = [next(stream), next(stream), next(stream)]
        proc.kill()
        proc.wait()
        t0 = time.monotonic()
        with pytest.raises(GeneratorError) as info:
            for piece in stream:
                received.append(piece)
        assert time.monotonic() - t0 < 10
    message = str(info.value)
    assert "mid-answer" in message or "ended without a finish reason" in message, message
    assert base_url in message
    assert SECRET not in message


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts TCP connections on loopback and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = int(listener.getsockname()[1])
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


def test_server_that_never_answers_times_out() -> None:
    timeout, retries = 1.5, 1
    with silent_server() as port:
        gen = OpenAICompatibleGenerator(
            settings(f"http://127.0.0.1:{port}/v1", timeout_s=timeout, max_retries=retries), max_passages=2
        )
        assert gen.chat_model is not None  # built (and imported) before the clock starts
        t0 = time.monotonic()
        with pytest.raises(GeneratorError, match=r"timed out") as info:
            gen.generate(QUESTION, PASSAGES)
        elapsed = time.monotonic() - t0
    # each attempt waits `timeout`; the client backs off < 1 s between attempts
    assert timeout * (retries + 1) * 0.9 <= elapsed <= timeout * (retries + 1) + 2.5, elapsed
    assert "1.5 s" in str(info.value) and "2 attempt(s)" in str(info.value)


def test_connection_refused() -> None:
    port = free_port()  # bound then released: nothing listens there
    gen = OpenAICompatibleGenerator(settings(f"http://127.0.0.1:{port}/v1", max_retries=1), max_passages=2)
    t0 = time.monotonic()
    with pytest.raises(GeneratorError, match=r"cannot connect") as info:
        gen.generate(QUESTION, PASSAGES)
    assert time.monotonic() - t0 < 10
    assert f"127.0.0.1:{port}" in str(info.value)
    assert SECRET not in str(info.value)


def test_no_passages_refuses_without_calling_the_server() -> None:
    gen = OpenAICompatibleGenerator(settings("http://127.0.0.1:9/v1"), max_passages=2)
    draft = gen.generate(QUESTION, [])
    assert draft.text == REFUSAL_PHRASE


def test_plugged_in_langchain_chat_model(server: str) -> None:
    """Any BaseChatModel can be given: here a ChatOpenAI the caller built with its own options."""
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        model="smollm2",
        base_url=server,
        api_key=SecretStr("other"),
        temperature=0.0,
        max_retries=0,
        timeout=30,
        extra_body={"max_tokens": 20},  # llama-cpp-python ignores max_completion_tokens
    )
    gen = OpenAICompatibleGenerator(settings("http://unused.invalid/v1"), max_passages=2, chat_model=chat)
    assert gen.endpoint == server
    draft = gen.generate(QUESTION, PASSAGES)
    assert draft.text.strip()
    assert draft.model == "smollm2"
    assert draft.completion_tokens is not None and draft.completion_tokens <= 20

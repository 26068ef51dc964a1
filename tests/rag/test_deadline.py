"""One overall deadline per answer: a hanging LLM server fails the answer at the deadline, not minutes later."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from rag.assistant import Assistant
from rag.cli import app
from rag.deadline import Deadline, DeadlineExceeded
from rag.generators.openai_compatible import OpenAICompatibleGenerator
from rag.settings import OpenAISettings
from tests.rag.test_llm_openai import silent_server


def test_deadline_passes_items_through() -> None:
    assert list(Deadline(5).iterate(iter(range(5)), "counting")) == [0, 1, 2, 3, 4]


def test_deadline_raises_the_sources_error() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        list(Deadline(5).iterate(failing(), "failing"))


def test_deadline_stops_a_blocked_source_and_tells_it_to_stop() -> None:
    release, closed = threading.Event(), threading.Event()

    def blocked() -> Iterator[str]:
        try:
            yield "first"
            release.wait(30)  # a socket that never answers
            yield "never seen"
        finally:
            closed.set()

    got: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"the test step did not finish within the answer's 0.5 s deadline"):
        for item in Deadline(0.5).iterate(blocked(), "the test step"):
            got.append(item)
    assert got == ["first"] and 0.45 <= time.monotonic() - t0 < 2
    release.set()
    assert closed.wait(5), "the source was not closed after the deadline"


def hanging_generator(port: int) -> OpenAICompatibleGenerator:
    # Per attempt 60 s with 2 retries: about 3 minutes of waiting without the answer's own deadline.
    settings = OpenAISettings(base_url=f"http://127.0.0.1:{port}/v1", model="m", api_key=SecretStr("k"),
                              timeout_s=60, max_retries=2)
    return OpenAICompatibleGenerator(settings, max_passages=2)


@pytest.mark.slow
def test_hanging_server_fails_the_answer_at_the_deadline(assistant: Assistant) -> None:
    saved = assistant.settings.answer.deadline_s
    with silent_server() as port:
        assistant.register_generator("hanging", hanging_generator(port))
        assistant.settings.answer.deadline_s = 3.0
        try:
            t0 = time.monotonic()
            answer = assistant.ask("How many people are held in Myanmar?", backend="hanging")
            elapsed = time.monotonic() - t0
            # A follow-up: the LLM rewrite hangs too; the same deadline covers both steps.
            t1 = time.monotonic()
            follow = assistant.ask("And in Cambodia?", history=[("How many in Myanmar?", "At least 120,000.")],
                                   backend="hanging")
            follow_elapsed = time.monotonic() - t1
        finally:
            assistant.settings.answer.deadline_s = saved
            assistant._generators.pop("hanging", None)
    assert answer.status == "failed" and "3 s deadline" in (answer.reason or ""), answer.reason
    assert 2.9 <= elapsed < 6, elapsed
    assert 2.9 <= answer.timings["total_s"] < 6
    assert follow.status == "failed" and 2.9 <= follow_elapsed < 6.5, follow_elapsed


@pytest.mark.slow
def test_cli_shows_the_real_elapsed_time_of_a_failure(seed_settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with silent_server() as port:
        monkeypatch.setenv("RAG_OPENAI__BASE_URL", f"http://127.0.0.1:{port}/v1")
        monkeypatch.setenv("RAG_ANSWER__DEADLINE_S", "2")
        result = CliRunner().invoke(app, ["ask", "--backend", "openai", "--data-dir", str(seed_settings.paths.data_dir),
                                          "How many people are held in Myanmar?"])
    assert result.exit_code == 3, result.output
    assert "deadline" in result.output
    shown_ms = int(result.output.rsplit("backend: none;", 1)[1].split("ms")[0])
    assert 1900 <= shown_ms < 5000, result.output

"""The same question through each LLM backend, from Python and from the CLI, on the seed index.

Whatever the small model writes, the answer must come back checked: a status, the backend that
answered, and citations whose quotes are in the cited passages. A dead server fails loudly, or
falls back to the extractive backend only when that is configured, and says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.assistant import Assistant
from rag.cli import app
from rag.llama_server import free_port, llama_server
from rag.settings import Settings
from rag.types import Answer, AnswerStatus
from tests.conftest import ROOT
from tests.rag.llm_fixtures import smollm2

__all__ = ["smollm2"]  # the fixture is used by name

pytestmark = [pytest.mark.slow, pytest.mark.llm]

QUESTION = "How many people are held in Myanmar?"
MAX_PASSAGES_LLM = Settings().answer.max_passages_llm
runner = CliRunner()


@pytest.fixture(scope="module")
def llm_assistant(seed_settings: Settings, smollm2: Path) -> Iterator[Assistant]:
    settings = seed_settings.model_copy(deep=True)
    settings.local.model_path = smollm2
    settings.local.max_tokens = 80
    assistant = Assistant.load(settings)
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def server(smollm2: Path) -> Iterator[str]:
    with llama_server(smollm2, alias="smollm2") as (base_url, _proc):
        yield base_url


def assert_checked(answer: Answer, backend: str) -> None:
    assert answer.backend_requested == backend and answer.backend_used == backend
    assert answer.status in (AnswerStatus.ANSWERED, AnswerStatus.REFUSED), answer.reason
    assert 1 <= len(answer.passages) <= MAX_PASSAGES_LLM  # max_passages_llm
    for citation in answer.citations:
        assert citation.quote in citation.passage
    if answer.status == AnswerStatus.ANSWERED:
        assert answer.citations and all(s.citations for s in answer.sentences if s.supported)
    else:
        assert answer.reason


def test_local_backend_from_python(llm_assistant: Assistant) -> None:
    answer = llm_assistant.ask(QUESTION, backend="local")
    assert_checked(answer, "local")
    assert answer.timings["first_token_s"] > 0 and answer.timings["pieces"] >= 1


def test_followup_rewritten_by_the_llm(llm_assistant: Assistant) -> None:
    history = [(QUESTION, "Credible sources estimate that 120,000 people are held in Myanmar [1].")]
    answer = llm_assistant.ask("And in Cambodia?", history=history, backend="local")
    assert "rewrite_s" in answer.timings  # the model was asked to rewrite
    assert answer.standalone_question is not None and "Cambodia" in answer.standalone_question
    rule_notes = [w for w in answer.warnings if w.startswith("follow-up rewritten by rule")]
    assert len(rule_notes) <= 1  # if SmolLM2's rewrite was unusable, the answer says so


def test_openai_backend_from_python(llm_assistant: Assistant, server: str) -> None:
    settings = llm_assistant.settings.model_copy(deep=True)
    settings.openai.base_url, settings.openai.model = server, "smollm2"
    answer = Assistant(settings, llm_assistant.embedder, llm_assistant.retriever).ask(QUESTION, backend="openai")
    assert_checked(answer, "openai")


@pytest.mark.parametrize("backend", ["local", "openai"])
def test_each_backend_from_the_cli(
    backend: str, seed_settings: Settings, smollm2: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_LOCAL__MODEL_PATH", str(smollm2))
    monkeypatch.setenv("RAG_OPENAI__BASE_URL", server)
    data_dir = str(seed_settings.paths.data_dir)
    result = runner.invoke(app, ["ask", "--json", "--backend", backend, "--data-dir", data_dir, QUESTION])
    assert result.exit_code == 0, result.output
    assert_checked(Answer.model_validate(json.loads(result.output)), backend)


def test_dead_server_fails_loudly_or_falls_back_when_configured(llm_assistant: Assistant) -> None:
    settings = llm_assistant.settings.model_copy(deep=True)
    settings.openai.base_url, settings.openai.max_retries = f"http://127.0.0.1:{free_port()}/v1", 0
    failed = Assistant(settings, llm_assistant.embedder, llm_assistant.retriever).ask(QUESTION, backend="openai")
    assert failed.status == AnswerStatus.FAILED and failed.backend_used == "none"
    assert failed.reason is not None and "cannot connect" in failed.reason and not failed.citations

    settings.answer.fallback_to_extractive = True
    answer = Assistant(settings, llm_assistant.embedder, llm_assistant.retriever).ask(QUESTION, backend="openai")
    assert answer.status == AnswerStatus.ANSWERED and answer.backend_used == "extractive"
    assert answer.fallback_reason is not None and "cannot connect" in answer.fallback_reason
    assert any("answered by the extractive backend" in w for w in answer.warnings)
    assert "120,000" in answer.text


def test_any_langchain_chat_model_plugged_in_from_python(llm_assistant: Assistant, server: str) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from rag.generators.openai_compatible import OpenAICompatibleGenerator

    chat = ChatOpenAI(model="smollm2", base_url=server, api_key=SecretStr("x"), temperature=0.0, max_retries=0,
                      extra_body={"max_tokens": 80})  # fmt: skip
    assistant = Assistant(llm_assistant.settings, llm_assistant.embedder, llm_assistant.retriever)
    assistant.register_generator("mine", OpenAICompatibleGenerator(assistant.settings.openai, chat_model=chat))
    assert assistant.available_backends()["mine"] is None
    assert_checked(assistant.ask(QUESTION, backend="mine"), "mine")


def test_rag_ask_with_the_local_backend_exits_without_a_traceback(seed_settings: Settings, smollm2: Path) -> None:
    """The CLI process owns the model: it is closed before the interpreter's teardown, where llama.cpp
    would print `TypeError: 'NoneType' object is not callable` from _internals.free_model."""
    # A short written answer on one thread: this checks the exit, not the answer.
    env = {**os.environ, "RAG_LOCAL__MODEL_PATH": str(smollm2), "RAG_LOCAL__MODE": "writer",
           "RAG_LOCAL__MAX_TOKENS": "16", "RAG_LOCAL__N_THREADS": "1"}  # fmt: skip
    cmd = [sys.executable, "-c", "from rag.cli import main; main()", "ask", "--backend", "local",
           "--data-dir", str(seed_settings.paths.data_dir), QUESTION]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "free_model" not in proc.stderr, proc.stderr

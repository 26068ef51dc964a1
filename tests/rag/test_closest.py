"""Refusals still show the closest passages, marked as not an answer (rag/closest.py), in the API,
the command line and the Markdown export."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rag.assistant import Assistant
from rag.cli import app
from rag.export import answer_markdown
from rag.settings import Settings

# A near miss: the seed articles give figures for Myanmar and Cambodia, none for Vietnam.
NEAR_MISS = "How many people are held in scam compounds in Vietnam?"


def test_a_refusal_carries_the_closest_passages(assistant: Assistant) -> None:
    answer = assistant.ask(NEAR_MISS)
    assert answer.refused and not answer.citations
    assert 1 <= len(answer.closest) <= 3
    assert [c.n for c in answer.closest] == list(range(1, len(answer.closest) + 1))
    assert len({c.chunk_id for c in answer.closest}) == len(answer.closest)
    for citation in answer.closest:
        assert citation.quote and citation.quote in citation.passage
        assert citation.passage_start <= citation.quote_start < citation.quote_end <= citation.passage_end
    markdown = answer_markdown(answer)
    assert "Closest passages (not an answer)" in markdown and "**References**" not in markdown


def test_an_answer_has_no_closest_passages(assistant: Assistant) -> None:
    answer = assistant.ask("How many people are held in Myanmar?")
    assert not answer.refused and answer.citations and answer.closest == []


def test_the_cli_and_json_show_them(seed_settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAG_PATHS__CORPUS_DIR", str(seed_settings.paths.corpus_dir))
    monkeypatch.setenv("RAG_PATHS__DATA_DIR", str(seed_settings.paths.data_dir))
    runner = CliRunner()
    text = runner.invoke(app, ["ask", NEAR_MISS])
    assert text.exit_code == 0, text.output
    assert "Closest passages (not an answer)" in text.output
    raw = runner.invoke(app, ["ask", "--json", NEAR_MISS])
    data = json.loads(raw.output)
    assert data["status"] == "refused" and data["closest"] and data["closest"][0]["quote"]

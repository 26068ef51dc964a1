"""The page built for a configuration whose backend cannot run says so (never a silent switch)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.assistant import Assistant
from rag.settings import Settings
from ui.app import build_app


def html_by_id(demo: gr.Blocks, elem_id: str) -> str | None:
    for block in demo.blocks.values():
        if isinstance(block, gr.HTML) and block.elem_id == elem_id:
            return str(block.value)
    return None


def test_unavailable_configured_backend_is_announced(assistant: Assistant, tmp_path: Path) -> None:
    settings = assistant.settings.model_copy(deep=True)
    settings.answer.backend = "local"
    settings.local.model_path = tmp_path / "missing.gguf"
    configured = Assistant(settings, assistant.embedder, assistant.retriever)
    banner = html_by_id(build_app(configured, settings), "backend-warning")
    assert banner is not None
    assert "<b>local</b> is unavailable" in banner and "Answers come from the <b>extractive</b> backend" in banner


def test_no_banner_when_the_configured_backend_runs(assistant: Assistant) -> None:
    settings: Settings = assistant.settings
    assert settings.answer.backend == "extractive"
    assert html_by_id(build_app(assistant, settings), "backend-warning") is None

"""`rag serve`: the chat page (plugin for the `rag` CLI via the rag.commands entry point)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="address to bind (default: settings, 127.0.0.1)")] = None,
        port: Annotated[int | None, typer.Option(help="port (default: settings, 7860)")] = None,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="index folder (default: settings)")] = None,
        corpus_dir: Annotated[Path | None, typer.Option("--corpus-dir", help="articles folder")] = None,
        preset: Annotated[str, typer.Option(help="settings preset: default, fast, thorough, local-llm, hosted-llm")]
        = "default",
    ) -> None:
        """Serve the chat page; builds the index first if there is none. Login: RAG_UI__AUTH=user:password."""
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        from rag.assistant import Assistant
        from rag.cli import load_settings
        from ui.app import build_app, launch_app, parse_auth
        from ui.editing import parse_credentials

        try:
            settings = load_settings(preset, data_dir, corpus_dir)
            parse_auth(settings.ui.auth)
            parse_credentials(settings.ui.editor_auth, "ui.editor_auth (RAG_UI__EDITOR_AUTH)")
        except ValueError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from err
        if host:
            settings.ui.host = host
        if port:
            settings.ui.port = port
        typer.echo(f"loading the index from {settings.paths.data_dir} (built from {settings.paths.corpus_dir} if missing)")
        assistant = Assistant.load(settings, build_if_missing=True)
        if settings.ui.host not in ("127.0.0.1", "localhost", "::1") and not settings.ui.auth:
            typer.echo(f"warning: serving on {settings.ui.host} without a login; set RAG_UI__AUTH=user:password",
                       err=True)
        try:
            launch_app(build_app(assistant, settings), settings)
        finally:
            assistant.close()  # a local model freed at interpreter teardown prints a traceback

"""The corpus tab: list the articles, add files (same path as `rag add`), remove an article."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from index.corpus_store import CorpusStore
from index.documents import Document
from index.extraction import SUPPORTED_SUFFIXES
from rag.assistant import Assistant
from ui.asking import CORPUS_EDIT_LOCK
from ui.editing import check_editor_login, edit_refusal, editing_mode, may_edit
from ui.metadata_form import build_metadata_form
from ui.render import corpus_html, e

log = logging.getLogger(__name__)


def _docs(assistant: Assistant) -> list[Document]:
    return CorpusStore(assistant.settings.paths.corpus_dir).documents()


def _choices(docs: list[Document]) -> list[tuple[str, str]]:
    return [(f"{d.meta.title[:80]} ({d.doc_id})", d.doc_id) for d in docs]


def _status(lines: list[tuple[str, str]]) -> str:
    """(kind, message) pairs as an escaped list; kind is ok, warn or error."""
    return '<ul class="corpus-status">' + "".join(f'<li class="{k}">{e(m)}</li>' for k, m in lines) + "</ul>"


def add_files(assistant: Assistant, files: list[str], progress: Any = None) -> list[tuple[str, str]]:
    """Check the file types, then add every good file in one go (one index update)."""
    lines: list[tuple[str, str]] = []
    limit = assistant.settings.ui.max_upload_mb << 20
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        staged = 0
        for i, name in enumerate(files):
            src = Path(name)
            if progress is not None:
                progress((i, len(files)), desc=f"checking {src.name}")
            if src.suffix.lower() not in SUPPORTED_SUFFIXES:
                lines.append(("error", f"not added: {src.name}: unsupported file type '{src.suffix or '(none)'}' "
                                       f"(use {', '.join(SUPPORTED_SUFFIXES)})"))
                continue
            if src.is_file() and src.stat().st_size > limit:
                lines.append(("error", f"not added: {src.name}: {src.stat().st_size:,} bytes is over the "
                                       f"{assistant.settings.ui.max_upload_mb} MB limit"))
                continue
            dest = Path(tmp) / f"{staged:03d}" / src.name
            dest.parent.mkdir()
            shutil.copyfile(src, dest)
            staged += 1
        if not staged:
            return lines or [("error", "no file was given")]
        if progress is not None:
            progress(0.5, desc="extracting text and indexing the new articles")
        with CORPUS_EDIT_LOCK:
            report, update = assistant.add(Path(tmp))
    titles = {d.doc_id: d.meta.title for d in _docs(assistant)}
    lines += [("ok", f"added {doc_id}: {titles.get(doc_id, '')}") for doc_id in report.added]
    lines += [("warn", f"skipped duplicate {dup}") for dup in report.duplicates]
    lines += [("error", f"not added: {err}") for err in report.errors]
    if update is not None:
        lines.append(("ok", f"index updated: {update.n_chunks} passages, {update.chunks_embedded} newly embedded"))
    return lines


def build_corpus_tab(assistant: Assistant) -> tuple[gr.HTML, gr.Dropdown]:
    """Lay out the tab inside the current Blocks context; returns what page loads refresh."""
    max_mb = assistant.settings.ui.max_upload_mb
    docs = _docs(assistant)
    table = gr.HTML(corpus_html(docs), elem_id="corpus-list", js_on_load=None)
    gr.Markdown(f"**Add articles**: {', '.join(SUPPORTED_SUFFIXES)}; at most {max_mb} MB a file. "
                "They are checked (text, not empty, not binary), stored verbatim and indexed; "
                "identical texts are skipped.")
    ui = assistant.settings.ui
    mode = editing_mode(ui)
    editor_state = gr.State(False)  # server-side, per session: set only by a correct editor login
    with gr.Row(visible=mode == "editor-login", elem_id="editor-login"):
        login_user = gr.Textbox(label="Editor name", scale=2, elem_id="editor-user")
        login_password = gr.Textbox(label="Password", type="password", scale=2, elem_id="editor-password")
        login_btn = gr.Button("Log in to edit", scale=1, elem_id="editor-login-btn")
    access = gr.HTML(_access_html(mode, False), elem_id="edit-access", js_on_load=None)
    upload = gr.File(label="Upload articles", file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                     type="filepath", elem_id="upload")
    status = gr.HTML("", elem_id="corpus-status", js_on_load=None)
    with gr.Row():
        choice = gr.Dropdown(choices=_choices(docs), label="Article to remove", value=None, elem_id="remove-choice",
                             scale=4)
        remove_btn = gr.Button("Remove article", variant="stop", elem_id="remove-btn", scale=1)
    build_metadata_form(assistant, editor_state, table)

    def on_login(user: str, password: str) -> tuple[bool, str, str]:
        ok = check_editor_login(ui, user or "", password or "")
        if not ok:
            log.warning("failed editor login for %r", (user or "")[:80])
        return ok, _access_html(mode, ok, failed=not ok), ""

    def on_upload(files: list[str] | None, editor: bool, request: gr.Request,
                  progress: gr.Progress = gr.Progress()  # noqa: B008
                  ) -> tuple[str, str, Any, None]:
        docs = _docs(assistant)
        if not may_edit(ui, request.username, editor):
            return (_status([("error", edit_refusal(ui))]), corpus_html(docs), gr.Dropdown(choices=_choices(docs)),
                    None)
        lines = add_files(assistant, files or [], progress)
        docs = _docs(assistant)
        return _status(lines), corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None), None

    def on_remove(doc_id: str | None, editor: bool, request: gr.Request) -> tuple[str, str, Any]:
        docs = _docs(assistant)
        if not may_edit(ui, request.username, editor):
            lines = [("error", edit_refusal(ui))]
        elif not doc_id or doc_id not in {d.doc_id for d in docs}:  # never a path from the client
            lines = [("error", "choose an article from the list first")]
        else:
            with CORPUS_EDIT_LOCK:
                update = assistant.remove(doc_id)
            lines = [("ok", f"removed {doc_id}" + (f"; index now {update.n_chunks} passages" if update else ""))]
            docs = _docs(assistant)
        return _status(lines), corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None)

    login_btn.click(on_login, inputs=[login_user, login_password], outputs=[editor_state, access, login_password],
                    api_name="editor_login", concurrency_limit=4)
    upload.upload(on_upload, inputs=[upload, editor_state], outputs=[status, table, choice, upload],
                  api_name="add_articles", concurrency_limit=1, concurrency_id="corpus")
    remove_btn.click(on_remove, inputs=[choice, editor_state], outputs=[status, table, choice],
                     api_name="remove_article", concurrency_limit=1, concurrency_id="corpus")
    return table, choice


def _access_html(mode: str, logged_in: bool, failed: bool = False) -> str:
    text = {
        "single-user": ("ok", "Single-user page (RAG_UI__SINGLE_USER): anyone who reaches it may edit the corpus."),
        "page-login": ("ok", "You are logged in: you may add and remove articles."),
        "off": ("warn", "Editing is off on this page: set RAG_UI__EDITOR_AUTH=user:password or "
                        "RAG_UI__SINGLE_USER=true, or use `rag add` / `rag remove`."),
    }.get(mode)
    if text is None:  # editor-login
        if logged_in:
            text = ("ok", "Logged in as editor: you may add and remove articles.")
        elif failed:
            text = ("error", "Wrong editor name or password.")
        else:
            text = ("warn", "Asking is open to all; log in as editor to add or remove articles.")
    return _status([text])


def refresh_corpus(assistant: Assistant) -> tuple[str, Any]:
    docs = _docs(assistant)
    return corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None)

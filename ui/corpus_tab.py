"""The corpus tab: list the articles, add files (same path as `rag add`), remove an article."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from index.corpus_store import CorpusStore
from index.documents import Document
from index.extraction import SUPPORTED_SUFFIXES
from rag.assistant import Assistant
from ui.asking import ASSISTANT_LOCK
from ui.render import corpus_html, e


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
        with ASSISTANT_LOCK:
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
    upload = gr.File(label="Upload articles", file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                     type="filepath", elem_id="upload")
    status = gr.HTML("", elem_id="corpus-status", js_on_load=None)
    with gr.Row():
        choice = gr.Dropdown(choices=_choices(docs), label="Article to remove", value=None, elem_id="remove-choice",
                             scale=4)
        remove_btn = gr.Button("Remove article", variant="stop", elem_id="remove-btn", scale=1)

    def on_upload(files: list[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008
                  ) -> tuple[str, str, Any, None]:
        lines = add_files(assistant, files or [], progress)
        docs = _docs(assistant)
        return _status(lines), corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None), None

    def on_remove(doc_id: str | None) -> tuple[str, str, Any]:
        docs = _docs(assistant)
        if not doc_id or doc_id not in {d.doc_id for d in docs}:  # never a path from the client
            lines = [("error", "choose an article from the list first")]
        else:
            with ASSISTANT_LOCK:
                update = assistant.remove(doc_id)
            lines = [("ok", f"removed {doc_id}" + (f"; index now {update.n_chunks} passages" if update else ""))]
            docs = _docs(assistant)
        return _status(lines), corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None)

    upload.upload(on_upload, inputs=[upload], outputs=[status, table, choice, upload], api_name="add_articles",
                  concurrency_limit=1, concurrency_id="corpus")
    remove_btn.click(on_remove, inputs=[choice], outputs=[status, table, choice], api_name="remove_article",
                     concurrency_limit=1, concurrency_id="corpus")
    return table, choice


def refresh_corpus(assistant: Assistant) -> tuple[str, Any]:
    docs = _docs(assistant)
    return corpus_html(docs), gr.Dropdown(choices=_choices(docs), value=None)

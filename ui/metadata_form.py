"""The Corpus tab's metadata form: editors set an article's title, outlet, date, author and URL.

Saving goes through `Assistant.set_meta` (the sidecar beside the article, then an index refresh that
embeds nothing), and is checked on the server with the same `may_edit` rule as adding and removing.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from index.corpus_store import EDITABLE_FIELDS, CorpusStore, MetadataError
from index.documents import Document
from rag.assistant import Assistant
from ui.asking import CORPUS_EDIT_LOCK
from ui.editing import edit_refusal, editing_mode, may_edit
from ui.render import corpus_html, e

log = logging.getLogger(__name__)
LABELS = {"title": "Title", "outlet": "Outlet", "date": "Date (YYYY-MM-DD)", "author": "Author", "url": "URL"}


def _docs(assistant: Assistant) -> list[Document]:
    return CorpusStore(assistant.settings.paths.corpus_dir).documents()


def _choices(docs: list[Document]) -> list[tuple[str, str]]:
    return [(f"{d.meta.title[:80]} ({d.doc_id})", d.doc_id) for d in docs]


def _status(kind: str, message: str) -> str:
    return f'<ul class="corpus-status"><li class="{kind}">{e(message)}</li></ul>'


def current_fields(assistant: Assistant, doc_id: str | None) -> list[str]:
    """The form's values for an article: its stored metadata, "" where it has none."""
    docs = {d.doc_id: d for d in _docs(assistant)}
    if not doc_id or doc_id not in docs:
        return ["" for _ in EDITABLE_FIELDS]
    meta = docs[doc_id].meta
    return [getattr(meta, name) or "" for name in EDITABLE_FIELDS]


def save_metadata(assistant: Assistant, doc_id: str | None, values: dict[str, str | None]) -> tuple[str, str]:
    """Apply the fields that differ from the stored ones; (kind, message) for the status line."""
    docs = {d.doc_id: d for d in _docs(assistant)}
    if not doc_id or doc_id not in docs:  # never a path from the client
        return "error", "choose an article from the list first"
    meta = docs[doc_id].meta
    # Only changed fields: re-saving an estimated date unchanged must not turn it into a stated one.
    changes = {k: (v or "").strip() for k, v in values.items() if (v or "").strip() != (getattr(meta, k) or "")}
    if not changes:
        return "warn", f"{doc_id}: nothing changed"
    try:
        with CORPUS_EDIT_LOCK:
            _meta, update = assistant.set_meta(doc_id, **changes)
    except MetadataError as err:
        return "error", f"not saved: {err}"
    return "ok", (f"saved {', '.join(sorted(changes))} of {doc_id}; index updated, "
                  f"{update.chunks_embedded} passages embedded")


def build_metadata_form(assistant: Assistant, editor_state: gr.State, table: gr.HTML) -> None:
    """Lay out the form inside the current Blocks context and wire it; refreshes `table` on save."""
    ui = assistant.settings.ui
    mode = editing_mode(ui)
    with gr.Group(visible=mode in ("single-user", "page-login"), elem_id="meta-form") as form:
        gr.Markdown("**Edit an article's metadata** (shown in every citation; the text is not changed)")
        choice = gr.Dropdown(choices=_choices(_docs(assistant)), label="Article", value=None, elem_id="meta-choice")
        with gr.Row():
            boxes = [gr.Textbox(label=LABELS[name], elem_id=f"meta-{name}") for name in EDITABLE_FIELDS]
        save_btn = gr.Button("Save metadata", elem_id="meta-save-btn")
        status = gr.HTML("", elem_id="meta-status", js_on_load=None)

    def on_choose(doc_id: str | None) -> list[str]:
        return current_fields(assistant, doc_id)

    def on_save(doc_id: str | None, title: str, outlet: str, date: str, author: str, url: str, editor: bool,
                request: gr.Request) -> tuple[str, str]:
        if not may_edit(ui, request.username, bool(editor)):  # checked here, whatever the page shows
            return _status("error", edit_refusal(ui)), corpus_html(_docs(assistant))
        values: dict[str, str | None] = dict(zip(EDITABLE_FIELDS, (title, outlet, date, author, url), strict=True))
        kind, message = save_metadata(assistant, doc_id, values)
        if kind == "error":
            log.warning("metadata not saved: %s", message[:200])
        return _status(kind, message), corpus_html(_docs(assistant))

    def on_editor(editor: bool, request: gr.Request) -> Any:
        return gr.Group(visible=may_edit(ui, request.username, bool(editor)))

    choice.change(on_choose, inputs=[choice], outputs=boxes, api_name="article_metadata", concurrency_limit=4)
    save_btn.click(on_save, inputs=[choice, *boxes, editor_state], outputs=[status, table],
                   api_name="set_metadata", concurrency_limit=1, concurrency_id="corpus")
    editor_state.change(on_editor, inputs=[editor_state], outputs=[form], api_visibility="private")
    # Articles added or removed elsewhere in the tab change the table: keep the list of choices in step.
    table.change(lambda: gr.Dropdown(choices=_choices(_docs(assistant))), outputs=[choice], api_visibility="private")

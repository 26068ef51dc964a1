"""Choosing the sources on the page: tick articles (Corpus tab), pick outlets and dates (Ask tab).

The choices go with each question as a `rag.filters.SourceFilter`; the server checks them against
the index (an unknown article id from a crafted request is refused, never trusted).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from index.documents import DocumentMeta
from rag.assistant import Assistant
from rag.filters import SourceFilter, from_options, outlets_of


def _indexed(assistant: Assistant) -> dict[str, DocumentMeta]:
    """The articles questions are answered from (the index, which the filter is checked against)."""
    store = assistant.retriever.store
    store.reload_if_changed()
    return store.documents()


def _article_choices(docs: dict[str, DocumentMeta]) -> list[tuple[str, str]]:
    return [
        (f"{m.title[:80]} — {m.outlet or 'outlet unknown'}, {m.date or 'undated'} ({m.doc_id})", m.doc_id)
        for m in sorted(docs.values(), key=lambda m: m.doc_id)
    ]


def build_article_picker(assistant: Assistant) -> gr.CheckboxGroup:
    """Tick boxes, one per article: questions are answered only from the ticked ones (none: all)."""
    return gr.CheckboxGroup(choices=_article_choices(_indexed(assistant)), value=[], elem_id="ask-only",
                            label="Ask only these articles (none ticked: all articles)")


def build_filter_inputs(assistant: Assistant) -> tuple[gr.Dropdown, gr.Textbox, gr.Textbox]:
    """Outlet choice and a publication date range; combined with the ticked articles (AND)."""
    with gr.Accordion("Sources to ask", open=False, elem_id="source-filter"):
        outlets = gr.Dropdown(choices=outlets_of(_indexed(assistant).values()), value=[], multiselect=True,
                              label="Only these outlets (none: all)", elem_id="filter-outlets")
        with gr.Row():
            since = gr.Textbox(label="Published on or after", placeholder="YYYY-MM-DD", elem_id="filter-since")
            until = gr.Textbox(label="Published on or before", placeholder="YYYY-MM-DD", elem_id="filter-until")
        gr.Markdown("Undated articles are left out by a date range. Tick articles in the **Corpus** tab to ask "
                    "only those.")
    return outlets, since, until


def page_filter(doc_ids: list[str] | None, outlets: list[str] | None, since: str | None,
                until: str | None) -> SourceFilter | None:
    """The filter the page's inputs give (None: the whole corpus); FilterError says what is wrong."""
    return from_options(doc_ids, outlets, since, until)


def refreshed_choices(assistant: Assistant, ticked: list[str] | None, chosen: list[str] | None) -> tuple[Any, Any]:
    """New article and outlet choices after the corpus changed, keeping what is still there."""
    docs = _indexed(assistant)
    outlets = outlets_of(docs.values())
    return (gr.CheckboxGroup(choices=_article_choices(docs), value=[d for d in ticked or [] if d in docs]),
            gr.Dropdown(choices=outlets, value=[o for o in chosen or [] if o in outlets]))

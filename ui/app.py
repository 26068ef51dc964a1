"""The chat page: streamed answers, clickable [n] chips, a source panel and the article viewer."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gradio as gr

from index.documents import TEXT_SUFFIX, load_document
from rag.assistant import Assistant, QuestionError
from rag.export import answer_markdown, conversation_markdown
from rag.filters import FilterError
from rag.generators.base import GeneratorError
from rag.settings import Settings
from rag.translation import TranslationError
from rag.types import Answer
from ui import conversations
from ui.api import ASK_CONCURRENCY_ID, register_api
from ui.asking import ask_stream, history_of
from ui.corpus_tab import build_corpus_tab, refresh_corpus
from ui.editing import parse_credentials
from ui.render import (
    Turn,
    article_html,
    backends_html,
    configured_backend_html,
    sources_html,
    transcript_html,
    translation_html,
)
from ui.source_filter import build_article_picker, build_filter_inputs, page_filter, refreshed_choices
from ui.style import ARTICLE_JS, CSS, SOURCES_JS, THEME, TRANSCRIPT_JS

log = logging.getLogger(__name__)


TurnsState = list[dict[str, Any]]


def _turns(raw: TurnsState | None) -> list[Turn]:
    return [Turn(**t) for t in raw or []]


def _dump(turns: list[Turn]) -> TurnsState:
    return [asdict(t) for t in turns]


def _click(evt: gr.EventData, turns: list[Turn]) -> tuple[int, int | None] | None:
    """(turn, n) from a click in the page, checked against the session's own turns."""
    data = evt._data if isinstance(evt._data, dict) else {}
    try:
        turn = int(data["turn"])
        n = None if data.get("n") is None else int(data["n"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= turn < len(turns) or turns[turn].answer is None:
        return None
    return turn, n


def build_app(assistant: Assistant, settings: Settings) -> gr.Blocks:
    backends = assistant.available_backends()
    usable = [name for name, reason in backends.items() if reason is None]
    default_backend: str | None = settings.answer.backend if settings.answer.backend in usable else None
    if default_backend is None and usable:
        default_backend = usable[0]
    # Questions answered at once (page and API together); the rest wait in Gradio's queue, which
    # shows the user their place. See ui.asking.CORPUS_EDIT_LOCK for why answers may run in parallel.
    ask_concurrency = settings.ui.effective_answer_concurrency()

    with gr.Blocks(title="Scam-compound news: answers with checked citations", analytics_enabled=False) as demo:
        turns_state = gr.State([])
        selected_state = gr.State(None)  # [turn, n] of the answer shown in the source panel
        conversation_id = gr.State(None)  # id of the conversation in the browser's store (None: not saved yet)
        saved = gr.BrowserState(conversations.empty(), storage_key=conversations.STORAGE_KEY,
                                secret=conversations.browser_secret(settings.paths.data_dir))
        gr.HTML('<h2 style="margin:0">Cyber-scam compounds in Southeast Asia: ask the news archive</h2>'
                '<p style="margin:0.2em 0 0.6em">Answers come only from the articles in the corpus. '
                "Every sentence cites its sources as [n]; click one to see the supporting quote.</p>",
                js_on_load=None)
        configured = settings.answer.backend
        if backends.get(configured) is not None:  # never a silent switch: say what answers instead
            gr.HTML(configured_backend_html(configured, backends[configured], default_backend),
                    elem_id="backend-warning", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row():
                with gr.Column(scale=3):
                    transcript = gr.HTML(transcript_html([]), elem_id="transcript", js_on_load=TRANSCRIPT_JS,
                                         autoscroll=True, max_height=640, label="Conversation",
                                         show_label=False, container=True)
                    with gr.Row():
                        question = gr.Textbox(placeholder="Ask about the articles, then press Enter",
                                              show_label=False, elem_id="question", scale=6,
                                              max_length=settings.answer.max_question_chars)
                        ask_btn = gr.Button("Ask", variant="primary", elem_id="ask-btn", scale=1, min_width=80)
                    with gr.Row():
                        earlier = gr.Dropdown(choices=[], value=None, label="Earlier conversations (kept in this browser)",
                                              elem_id="earlier", scale=3)
                        delete_btn = gr.Button("Delete this conversation", size="sm", variant="stop",
                                               elem_id="delete-conversation", scale=1)
                    with gr.Row():
                        new_btn = gr.Button("New conversation", size="sm", elem_id="new-btn")
                        download_answer = gr.DownloadButton("Download answer (.md)", size="sm", visible=False,
                                                            elem_id="download-answer")
                        download_conversation = gr.DownloadButton("Download conversation (.md)", size="sm",
                                                                  visible=False, elem_id="download-conversation")
                    with gr.Accordion("Settings", open=False, elem_id="settings"):
                        backend = gr.Dropdown(choices=usable, value=default_backend, label="Answer backend",
                                              elem_id="backend", interactive=bool(usable))
                        gr.HTML(backends_html(backends), elem_id="backend-status", js_on_load=None)
                        top_k = gr.Slider(1, 20, value=settings.retrieval.top_k, step=1,
                                          label="Passages retrieved per question (top k)", elem_id="top-k")
                        show_scores = gr.Checkbox(False, label="Show retrieval scores", elem_id="show-scores")
                    filter_outlets, filter_since, filter_until = build_filter_inputs(assistant)
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html(None, None), elem_id="sources", js_on_load=SOURCES_JS,
                                      max_height=460, container=True, padding=True)
                    translation = gr.HTML(translation_html(), elem_id="translation", js_on_load=None)
                    article = gr.HTML(article_html(None, None), elem_id="article", js_on_load=ARTICLE_JS,
                                      max_height=420, container=True, padding=True)
            with gr.Tab("Corpus", id="corpus"):
                corpus_table, remove_choice = build_corpus_tab(assistant)
                ask_only = build_article_picker(assistant)
        # Added or removed articles: new tick boxes and outlets (ticks on articles still there are kept).
        corpus_table.change(lambda ticked, chosen: refreshed_choices(assistant, ticked, chosen),
                            inputs=[ask_only, filter_outlets], outputs=[ask_only, filter_outlets],
                            api_visibility="private")

        def respond(q: str, raw: TurnsState, chosen: str | None, k: float, scores: bool, doc_ids: list[str] | None,
                    outlets: list[str] | None, since: str | None, until: str | None) -> Iterator[tuple[Any, ...]]:
            turns = _turns(raw)
            if not (q or "").strip():
                gr.Warning("The question is empty; type a question about the articles.")
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            history = history_of(turns)
            turn = Turn(question=q.strip())
            turns.append(turn)
            i = len(turns) - 1
            yield transcript_html(turns, i), _dump(turns), gr.skip(), gr.skip(), ""
            answer: Answer | None = None
            started = time.perf_counter()
            try:
                where = page_filter(doc_ids, outlets, since, until)
                for item in ask_stream(assistant, q, history or None, chosen, int(k), where):
                    if isinstance(item, Answer):
                        answer = item
                    else:
                        turn.pending += item
                        yield transcript_html(turns, i), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            except (QuestionError, FilterError) as err:
                turn.error = str(err)
            except Exception as err:  # shown in the chat as a failure, with the reason
                log.exception("answering %r failed", q)
                turn.error = f"internal error: {type(err).__name__}: {err}"
            turn.seconds = round(time.perf_counter() - started, 2)
            if answer is not None:
                turn.answer, turn.pending = answer.model_dump(mode="json"), ""
            yield (transcript_html(turns, i), _dump(turns), sources_html(answer, i, None, scores),
                   [i, None] if answer else None, "")

        ask_events: dict[str, Any] = {
            "fn": respond, "inputs": [question, turns_state, backend, top_k, show_scores, ask_only, filter_outlets,
                                      filter_since, filter_until],
            "outputs": [transcript, turns_state, sources, selected_state, question],
            "concurrency_limit": ask_concurrency, "concurrency_id": ASK_CONCURRENCY_ID,
            "api_visibility": "private",
        }
        def on_downloads(raw: TurnsState, selected: list[Any] | None) -> tuple[Any, Any]:
            """Markdown files of the selected (else last) answer and of the conversation, with references."""
            answers = [a for a in (t.parsed() for t in _turns(raw)) if a is not None]
            if not answers:
                return gr.DownloadButton(visible=False), gr.DownloadButton(visible=False)
            turns = _turns(raw)
            chosen = turns[int(selected[0])].parsed() if selected and 0 <= int(selected[0]) < len(turns) else None
            folder = Path(tempfile.mkdtemp(prefix="rag-export-"))
            one = folder / "answer.md"
            one.write_text(answer_markdown(chosen or answers[-1]), encoding="utf-8")
            whole = folder / "conversation.md"
            whole.write_text(conversation_markdown(answers), encoding="utf-8")
            return gr.DownloadButton(value=str(one), visible=True), gr.DownloadButton(value=str(whole), visible=True)

        downloads: dict[str, Any] = {"fn": on_downloads, "inputs": [turns_state, selected_state],
                                     "outputs": [download_answer, download_conversation], "api_visibility": "private"}
        def on_save(store: Any, cid: str | None, raw: TurnsState) -> tuple[Any, str | None, Any]:
            store, cid = conversations.save(store, cid, raw)
            return store, cid, gr.Dropdown(choices=conversations.choices(store), value=cid)

        def on_restore(store: Any) -> tuple[Any, ...]:
            cid = conversations.validated(store).get("current")
            raw = conversations.turns_of(store, cid)
            earlier_choices = gr.Dropdown(choices=conversations.choices(store), value=cid if raw else None)
            if not raw:  # nothing to restore: leave the page alone (a question may already be on its way)
                return gr.skip(), gr.skip(), gr.skip(), earlier_choices
            return transcript_html(_turns(raw)), raw, cid, earlier_choices

        def on_open(store: Any, chosen: str | None, cid: str | None) -> tuple[Any, ...]:
            if not chosen or chosen == cid:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            raw = conversations.turns_of(store, chosen)
            return (transcript_html(_turns(raw)), raw, chosen if raw else None, None, sources_html(None, None),
                    article_html(None, None))

        def on_delete(store: Any, cid: str | None) -> tuple[Any, ...]:
            store = conversations.delete(store, cid)
            return (store, transcript_html([]), [], None, None, sources_html(None, None), article_html(None, None),
                    gr.Dropdown(choices=conversations.choices(store), value=None))

        saving: dict[str, Any] = {"fn": on_save, "inputs": [saved, conversation_id, turns_state],
                                  "outputs": [saved, conversation_id, earlier], "api_visibility": "private"}
        question.submit(**ask_events).then(**downloads).then(**saving)
        ask_btn.click(**ask_events).then(**downloads).then(**saving)
        earlier.input(on_open, inputs=[saved, earlier, conversation_id],
                      outputs=[transcript, turns_state, conversation_id, selected_state, sources, article],
                      api_visibility="private").then(**downloads)
        delete_btn.click(on_delete, inputs=[saved, conversation_id],
                         outputs=[saved, transcript, turns_state, conversation_id, selected_state, sources, article,
                                  earlier], api_visibility="private").then(**downloads)

        def on_chip(raw: TurnsState, scores: bool, evt: gr.EventData) -> tuple[Any, Any, Any, Any]:
            turns = _turns(raw)
            hit = _click(evt, turns)
            if hit is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            turn, n = hit
            # Another answer's sources: a translation of an earlier quote would sit beside the wrong ones.
            return (sources_html(turns[turn].parsed(), turn, n, scores), [turn, n], transcript_html(turns, turn),
                    translation_html())

        transcript.click(on_chip, inputs=[turns_state, show_scores],
                         outputs=[sources, selected_state, transcript, translation],
                         api_visibility="private", concurrency_limit=None).then(**downloads)

        def on_source_button(raw: TurnsState, chosen: str | None, evt: gr.EventData) -> tuple[Any, Any, Any]:
            """A card's button: open the article at the quote, or machine-translate the quote."""
            turns = _turns(raw)
            hit = _click(evt, turns)
            answer = turns[hit[0]].parsed() if hit else None
            # A refusal has no citations; its cards are the closest passages (numbered the same way).
            cards = (answer.citations or answer.closest) if answer else []
            citation = next((c for c in cards if hit and c.n == hit[1]), None)
            if citation is None:
                return gr.skip(), gr.skip(), gr.skip()
            if isinstance(evt._data, dict) and evt._data.get("action") == "translate":
                try:  # the quote comes from the session's own answer, never from the click itself
                    done = assistant.translate(citation.quote, citation.language, chosen)
                except (TranslationError, GeneratorError) as err:
                    return gr.skip(), gr.skip(), translation_html(message=f"No translation: {err}")
                return gr.skip(), gr.skip(), translation_html(done)
            # The document id comes from the session's own answer, never from the click itself.
            path = Path(assistant.settings.paths.corpus_dir) / f"{citation.doc_id}{TEXT_SUFFIX}"
            if not path.is_file():
                return article_html(None, None, f"{citation.doc_id} is no longer in the corpus."), gr.skip(), gr.skip()
            doc = load_document(path)
            return article_html(doc, citation), [hit[0], hit[1]] if hit else None, gr.skip()

        sources.click(on_source_button, inputs=[turns_state, backend], outputs=[article, selected_state, translation],
                      api_visibility="private", concurrency_limit=None)

        def on_scores(raw: TurnsState, selected: list[Any] | None, scores: bool) -> str:
            turns = _turns(raw)
            if not selected or not 0 <= int(selected[0]) < len(turns):
                return sources_html(None, None)
            turn = int(selected[0])
            return sources_html(turns[turn].parsed(), turn, selected[1], scores)

        show_scores.change(on_scores, inputs=[turns_state, selected_state, show_scores], outputs=[sources],
                           api_visibility="private", concurrency_limit=None)

        def on_new() -> tuple[Any, ...]:
            # The finished conversation stays in the browser's store; the next answer starts a new one.
            return transcript_html([]), [], None, sources_html(None, None), article_html(None, None), None, None

        new_btn.click(on_new, outputs=[transcript, turns_state, selected_state, sources, article, conversation_id,
                                       earlier], api_visibility="private").then(**downloads)
        demo.load(on_restore, inputs=[saved], outputs=[transcript, turns_state, conversation_id, earlier],
                  api_visibility="private").then(**downloads)
        demo.load(lambda: refresh_corpus(assistant), outputs=[corpus_table, remove_choice], api_visibility="private")
        register_api(assistant, ask_concurrency)
    return demo


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """'user:password' -> (user, password); None or '' -> no login."""
    return parse_credentials(auth, "ui.auth (RAG_UI__AUTH)")


def launch_app(demo: gr.Blocks, settings: Settings, prevent_thread_lock: bool = False,
               quiet: bool = False) -> Any:
    """Serve on settings.ui.host:port (loopback by default), with login if settings.ui.auth is set."""
    demo.queue(default_concurrency_limit=1)
    return demo.launch(
        server_name=settings.ui.host,
        server_port=settings.ui.port,
        auth=parse_auth(settings.ui.auth),
        max_file_size=f"{settings.ui.max_upload_mb}mb",
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        share=False,
        show_error=True,
        quiet=quiet,
        prevent_thread_lock=prevent_thread_lock,
    )

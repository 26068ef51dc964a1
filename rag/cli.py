"""The `rag` command line: index, add, remove, list, search, ask; serve and eval come as plugins."""

from __future__ import annotations

import json
import os
import sys
from contextlib import closing
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rag.assistant import Assistant, QuestionError, unindexed, update_index
from rag.filters import FilterError, SourceFilter, from_options
from rag.settings import Settings
from rag.types import Answer, Citation, date_label, language_label, page_label

app = typer.Typer(help="Ask the article corpus questions; every answer cites its passages.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="index folder (default: settings)")]
CorpusDir = Annotated[Path | None, typer.Option("--corpus-dir", help="articles folder (default: settings)")]
Preset = Annotated[
    str, typer.Option("--preset", help="settings preset: default, fast, thorough, local-llm, hosted-llm")
]


def load_settings(preset: str = "default", data_dir: Path | None = None, corpus_dir: Path | None = None) -> Settings:
    settings = Settings.from_preset(preset)
    if data_dir:
        settings.paths.data_dir = data_dir
    if corpus_dir:
        settings.paths.corpus_dir = corpus_dir
    return settings


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def open_assistant(settings: Settings) -> Assistant:
    """The assistant over the configured index; a missing, corrupt or unreachable index is a one-line
    error and exit code 2, not a traceback."""
    from index.manifest import CorruptIndexError, IndexMismatchError
    from index.store_protocol import NoIndexError, StoreUnavailableError

    try:
        return Assistant.load(settings)
    except (NoIndexError, CorruptIndexError, IndexMismatchError, StoreUnavailableError) as err:
        raise _fail(str(err)) from err


@app.command("index")
def index_cmd(
    rebuild: Annotated[bool, typer.Option(help="re-embed everything")] = False,
    if_stale: Annotated[bool, typer.Option("--if-stale", help="only when missing or the corpus changed")] = False,
    data_dir: DataDir = None,
    corpus_dir: CorpusDir = None,
    preset: Preset = "default",
    ray_address: Annotated[
        str | None,
        typer.Option("--ray", metavar="ADDRESS", help="embed on the Ray cluster at HOST:PORT (needs the ray extra)"),
    ] = None,
) -> None:
    """Build or update the index from the corpus folder (only changed documents are embedded)."""
    from contextlib import closing

    from rich.markup import escape

    from index.corpus_store import CorpusStore
    from index.manifest import CorruptIndexError, IndexMismatchError
    from index.ray_embedder import RayEmbedder, RayUnavailableError, texts_to_embed
    from index.store_protocol import StoreUnavailableError
    from rag.retriever import store_from_settings

    settings = load_settings(preset, data_dir, corpus_dir)
    try:
        ray_embedder = RayEmbedder(ray_address, settings.embedder) if ray_address else None
    except RayUnavailableError as err:
        raise _fail(escape(str(err))) from err  # escaped: "[ray]" is not markup
    try:
        with closing(store_from_settings(settings)) as store:
            if if_stale and not rebuild and store.exists():
                try:
                    if not store.is_stale(CorpusStore(settings.paths.corpus_dir).documents()):
                        console.print(f"index in {store.location} is up to date")
                        return
                except CorruptIndexError as err:
                    console.print(f"[yellow]{err}[/] rebuilding")
                    rebuild = True
            if ray_embedder is not None:  # one Ray job for the whole corpus, not one per document
                documents = CorpusStore(settings.paths.corpus_dir).documents()
                ray_embedder.prefetch(texts_to_embed(store, documents, settings.chunker, rebuild), show_progress=True)
            report = update_index(settings, ray_embedder, rebuild=rebuild, show_progress=True, store=store)
    except (IndexMismatchError, StoreUnavailableError, RayUnavailableError) as err:
        raise _fail(escape(str(err))) from err
    finally:
        if ray_embedder is not None:
            ray_embedder.close()
    console.print(
        f"indexed {report.n_chunks} chunks: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; {report.chunks_embedded} chunks embedded"
    )
    if ray_embedder is not None and ray_embedder.rows_per_node:
        spread = ", ".join(f"{node[:12]}: {n}" for node, n in ray_embedder.rows_per_node.most_common())
        console.print(f"embedded on {len(ray_embedder.rows_per_node)} Ray node(s) (texts per node id: {spread})")


@app.command()
def add(
    path: Annotated[Path, typer.Argument(help="a .txt/.md/.html/.pdf file or a folder of them")],
    data_dir: DataDir = None,
    corpus_dir: CorpusDir = None,
) -> None:
    """Add articles to the corpus and index them; duplicates (same text) are skipped."""
    from index.corpus_store import CorpusStore

    settings = load_settings("default", data_dir, corpus_dir)
    report = CorpusStore(settings.paths.corpus_dir).add(path, settings.ui.max_upload_mb << 20)
    for doc_id in report.added:
        console.print(f"added {doc_id}")
    for dup in report.duplicates:
        console.print(f"[yellow]skipped duplicate[/] {dup}")
    for note in report.notes:
        console.print(f"[dim]note: {note}[/]")
    for error in report.errors:
        err_console.print(f"[red]not added:[/] {error}")
    # Idempotent: a duplicate that an interrupted earlier add left unindexed gets indexed now.
    missing = unindexed(settings, report.duplicate_ids)
    for doc_id in missing:
        console.print(f"[yellow]{doc_id} is in the corpus but not in the index (an earlier add was interrupted); indexing it[/]")
    if report.added or missing:
        index_cmd(data_dir=settings.paths.data_dir, corpus_dir=settings.paths.corpus_dir)
    if report.errors and not report.added:
        raise typer.Exit(1)


@app.command()
def remove(doc_id: str, data_dir: DataDir = None, corpus_dir: CorpusDir = None) -> None:
    """Remove an article from the corpus and the index."""
    from index.corpus_store import CorpusStore

    settings = load_settings("default", data_dir, corpus_dir)
    if not CorpusStore(settings.paths.corpus_dir).remove(doc_id):
        if unindexed(settings, [doc_id]):
            raise _fail(f"no article with id {doc_id!r} in {settings.paths.corpus_dir}")
        console.print(f"[yellow]{doc_id} was removed from the corpus but is still indexed (an earlier remove was interrupted)[/]")
    index_cmd(data_dir=settings.paths.data_dir, corpus_dir=settings.paths.corpus_dir)


@app.command("meta")
def meta_cmd(
    doc_id: Annotated[str, typer.Argument(help="the article's id (see `rag list`)")],
    title: Annotated[str | None, typer.Option(help="new title")] = None,
    outlet: Annotated[str | None, typer.Option(help="new outlet; \"\" clears it")] = None,
    date: Annotated[str | None, typer.Option(help="publication date, YYYY-MM-DD; \"\" clears it")] = None,
    author: Annotated[str | None, typer.Option(help="new author; \"\" clears it")] = None,
    url: Annotated[str | None, typer.Option(help="http(s) address of the original; \"\" clears it")] = None,
    language: Annotated[str | None, typer.Option(
        help="the article's language (ISO 639-1: en, zh, th...; und: undetermined), where it was misidentified")] = None,
    data_dir: DataDir = None,
    corpus_dir: CorpusDir = None,
) -> None:
    """Show an article's metadata, or set it (stored beside the article; applied without re-embedding)."""
    from index.corpus_store import CorpusStore, MetadataError

    settings = load_settings("default", data_dir, corpus_dir)
    corpus = CorpusStore(settings.paths.corpus_dir)
    fields = {"title": title, "outlet": outlet, "date": date, "author": author, "url": url, "language": language}
    changes = {k: v for k, v in fields.items() if v is not None}
    try:
        meta = corpus.set_meta(doc_id, **changes) if changes else corpus.meta(doc_id)
    except MetadataError as err:
        raise _fail(str(err)) from err
    for name in ("doc_id", "title", "outlet", "date", "author", "url", "date_note", "language"):
        value = getattr(meta, name)
        if name == "date":
            value = date_label(meta.date, meta.date_estimated) if meta.date else None
        console.print(f"{name + ':':11}{value if value is not None else '–'}", highlight=False, markup=False)
    if changes:
        index_cmd(data_dir=settings.paths.data_dir, corpus_dir=settings.paths.corpus_dir)


@app.command("list")
def list_cmd(corpus_dir: CorpusDir = None) -> None:
    """List the articles with their metadata."""
    from index.corpus_store import CorpusStore

    for doc in CorpusStore(load_settings(corpus_dir=corpus_dir).paths.corpus_dir).documents():
        m = doc.meta
        console.print(
            f"[bold]{m.doc_id}[/]  {m.title}  |  {m.outlet or 'outlet unknown'}  |  "
            f"{date_label(m.date, m.date_estimated)}  |  {m.language}"
        )


# Source filters (rag.filters): kinds combine with AND, repeated values of one kind with OR.
DocFilter = Annotated[list[str] | None, typer.Option("--doc", help="only this article id (repeatable)")]
OutletFilter = Annotated[list[str] | None, typer.Option("--outlet", help="only this outlet (repeatable)")]
SinceFilter = Annotated[str | None, typer.Option("--since", help="only articles dated on/after YYYY-MM-DD")]
UntilFilter = Annotated[str | None, typer.Option("--until", help="only articles dated on/before YYYY-MM-DD")]


def _where(
    assistant: Assistant, doc: list[str] | None, outlet: list[str] | None, since: str | None, until: str | None
) -> tuple[SourceFilter | None, str | None]:
    """The filter the options give and its description, checked against the index (a bad one exits)."""
    try:
        where = from_options(doc, outlet, since, until)
        return where, assistant.scope(where).description
    except FilterError as err:
        raise _fail(str(err)) from err


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("-k")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or keyword")] = "hybrid",
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    doc: DocFilter = None,
    outlet: OutletFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
) -> None:
    """Show the passages retrieval finds for a query, with scores."""
    assistant = open_assistant(load_settings(data_dir=data_dir))
    where, described = _where(assistant, doc, outlet, since, until)
    try:
        passages = assistant.search(query, k, mode, where)  # type: ignore[arg-type]
    except (QuestionError, ValueError) as err:
        raise _fail(str(err)) from err
    if as_json:
        print(json.dumps([p.model_dump() for p in passages], ensure_ascii=False, indent=2))
        return
    if described:
        console.print(f"[cyan]Filtered:[/] {described}")
    for i, p in enumerate(passages, 1):
        console.print(
            f"[bold]{i}.[/] {p.title} ({_with_pages(p.date_label(), p.pages)}) [dim]{p.chunk_id} fused={p.score:.4f} "
            f"cos={p.dense_score or 0:.2f} bm25={p.keyword_score or 0:.2f}[/]\n   {p.text[:300]}"
        )


@app.command()
def ask(
    question: str,
    backend: Annotated[
        str | None,
        typer.Option(
            help="extractive, combined, local (Qwen2.5-Coder-1.5B; RAG_LOCAL__MODEL_PATH=smollm2 for SmolLM2) "
            "or openai (default: settings)"
        ),
    ] = None,
    history: Annotated[Path | None, typer.Option(help="JSON file: \\[\\[question, answer], ...] for follow-ups")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the Answer as JSON (same as --format json)")] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="text (readable), markdown (to paste into a report) or json")
    ] = "text",
    data_dir: DataDir = None,
    preset: Preset = "default",
    doc: DocFilter = None,
    outlet: OutletFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
) -> None:
    """Answer a question with inline citations [n] and a numbered source list."""
    if output_format not in ("text", "markdown", "json"):
        raise _fail(f"unknown --format {output_format!r}; use text, markdown or json")
    settings = load_settings(preset, data_dir)
    turns = _read_history(history) if history else None
    assistant = open_assistant(settings)
    # Closed before exit: a local model freed by llama.cpp at interpreter teardown prints a traceback.
    with closing(assistant):
        where, _ = _where(assistant, doc, outlet, since, until)
        try:
            answer = assistant.ask(question, history=turns, backend=backend, where=where)
        except (QuestionError, FilterError) as err:
            raise _fail(str(err)) from err
    if as_json or output_format == "json":
        print(answer.model_dump_json(indent=2))
    elif output_format == "markdown":
        from rag.export import answer_markdown

        print(answer_markdown(answer))
    else:
        print_answer(answer)
    if answer.status == "failed":
        raise typer.Exit(3)


def _read_history(path: Path) -> list[tuple[str, str]]:
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(turns, list) or not all(isinstance(t, list) and len(t) == 2 for t in turns):
            raise ValueError("expected a list of [question, answer] pairs")
        return [(str(q), str(a)) for q, a in turns]
    except (OSError, ValueError) as err:
        raise _fail(f"--history {path}: {err}") from err


def _with_pages(text: str, pages: list[int]) -> str:
    """`text, p. 14` for a PDF source, `text` otherwise."""
    return f"{text}, {page_label(pages)}" if pages else text


def _source(c: Citation) -> str:
    """A cited source as `rag ask` prints it: title, outlet, date (pages, language), where, the quote."""
    where = ", ".join(filter(None, [_with_pages(date_label(c.date, c.date_estimated), c.pages), language_label(c.language)]))
    return f"{c.title} — {c.outlet or 'outlet unknown'}, {where} [dim]({c.doc_id}, chars {c.quote_start}-{c.quote_end})[/]\n    “{c.quote}”"


def print_answer(answer: Answer) -> None:
    style = {"answered": "green", "refused": "yellow", "failed": "red"}[answer.status]
    console.print(f"[{style}]{answer.text or '(no answer)'}[/]")
    if answer.reason:
        console.print(f"[dim]{answer.status}: {answer.reason}[/]")
    if answer.fallback_reason:
        console.print(f"[yellow]fallback:[/] {answer.fallback_reason}")
    if answer.filter_description:
        console.print(f"[cyan]Filtered:[/] {answer.filter_description}")
    for c in answer.citations:
        console.print(f"\n[bold][{c.n}][/] {_source(c)}")
    if answer.closest:
        console.print("\n[yellow]Closest passages (not an answer):[/]")
    for c in answer.closest:
        console.print(f"[dim]({c.n})[/] {_source(c)}")
    for warning in answer.warnings:
        console.print(f"[dim]note: {warning}[/]")
    total = answer.timings.get("total_s") or sum(
        v for k, v in answer.timings.items() if k.endswith("_s") and k != "first_token_s"
    )
    by = f" (answered by {answer.answered_by})" if answer.answered_by else ""
    console.print(f"[dim]backend: {answer.backend_used}{by}; {total * 1000:.0f} ms[/]")


def main() -> None:
    """Entry point: core commands plus `serve`/`eval` registered by the ui and eval packages."""
    for plugin in entry_points(group="rag.commands"):
        try:
            plugin.load()(app)
        except ImportError as err:  # a plugin whose extras are missing must not break the core CLI
            print(f"warning: command plugin {plugin.name!r} unavailable: {err}", file=sys.stderr)
    if sys.argv[1:2] not in (["ask"], ["search"]):
        app()
        return
    # Read-only commands end without the interpreter's teardown: freeing the ONNX session, FAISS and
    # their thread pools took ~0.4 s of a ~1.5 s cold `rag ask`, after everything was printed and
    # nothing was left to write.
    try:
        app()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))

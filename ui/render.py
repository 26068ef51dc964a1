"""HTML for the chat page: every piece of corpus or model text goes through `html.escape` first.

The only markup in the output is written here; text from articles, metadata, questions and
answers is escaped before it is placed, so an article containing `<script>` or `onerror=`
shows those characters and runs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlparse

from index.documents import Document, pages_of_span
from rag.translation import Translation
from rag.types import Answer, AnswerStatus, Citation, Passage, date_label, language_label, page_label

CHIP_RE = re.compile(r"\[(\d+)\]")


@dataclass
class Turn:
    """One question and, once checked, its answer (kept as JSON in the session state)."""

    question: str
    answer: dict[str, Any] | None = None  # Answer.model_dump(mode="json")
    pending: str = ""  # raw pieces while the answer streams in
    error: str | None = None  # the question could not be asked (empty, too long, crash)
    seconds: float | None = None  # wall time to the checked answer, as the user saw it

    def parsed(self) -> Answer | None:
        return Answer.model_validate(self.answer) if self.answer is not None else None


def e(text: object) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return escape(str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links become clickable; anything else (javascript:, data:) stays text."""
    if not url:
        return None
    scheme = urlparse(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def _source_line(
    title: str, outlet: str | None, date: str | None, pages: list[int] | None = None, language: str = "en"
) -> str:
    page = f', <span class="src-page">{e(page_label(pages))}</span>' if pages else ""
    label = language_label(language)
    lang = f', <span class="src-lang">{e(label)}</span>' if label else ""
    return (f'<span class="src-title">{e(title)}</span> — <span class="src-outlet">{e(outlet or "outlet unknown")}</span>'
            f', <span class="src-date">{e(date or "undated")}</span>{page}{lang}')


# -- answers ---------------------------------------------------------------------------------------
def answer_text_html(text: str, turn: int, cited: set[int]) -> str:
    """Escaped answer text with each known [n] turned into a clickable chip."""

    def chip(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in cited:
            return match.group(0)
        return (f'<button type="button" class="chip" data-turn="{turn}" data-n="{n}" '
                f'title="show source {n}">[{n}]</button>')

    return CHIP_RE.sub(chip, e(text))


def _answer_html(answer: Answer, turn: int, seconds: float | None = None) -> str:
    parts: list[str] = []
    if answer.standalone_question:
        parts.append(f'<div class="note">understood as: “{e(answer.standalone_question)}”</div>')
    if answer.status == AnswerStatus.ANSWERED:
        cited = {c.n for c in answer.citations}
        parts.append(f'<div class="answer-text">{answer_text_html(answer.text, turn, cited)}</div>')
        parts.append(f'<button type="button" class="show-sources" data-turn="{turn}">'
                     f'{len(answer.citations)} source{"s" if len(answer.citations) != 1 else ""}</button>')
    elif answer.status == AnswerStatus.REFUSED:
        parts.append('<div class="status-label">Refused</div>')
        parts.append(f'<div class="answer-text">{e(answer.text)}</div>')
        parts.append(f'<div class="reason">why: {e(answer.reason or "the sources do not answer the question")}</div>')
        if answer.closest:
            count = len(answer.closest)
            parts.append(f'<button type="button" class="show-sources" data-turn="{turn}">'
                         f'{count} closest passage{"s" if count != 1 else ""} (not an answer)</button>')
    else:
        parts.append('<div class="status-label">Failed</div>')
        if answer.text:
            parts.append(f'<div class="answer-text">{e(answer.text)}</div>')
        parts.append(f'<div class="reason">why: {e(answer.reason or "unknown error")}</div>')
    if answer.fallback_reason:
        parts.append(f'<div class="warning">fallback: {e(answer.fallback_reason)}</div>')
    if answer.filter_description:
        parts.append(f'<div class="filter-note">Filtered: {e(answer.filter_description)}</div>')
    parts.extend(f'<div class="warning">note: {e(w)}</div>' for w in answer.warnings)
    asked = f" (asked: {e(answer.backend_requested)})" if answer.backend_requested != answer.backend_used else ""
    took = f" · {seconds:.1f} s" if seconds is not None else ""
    by = f" (answered by {e(answer.answered_by)})" if answer.answered_by else ""
    parts.append(f'<div class="meta">backend: {e(answer.backend_used)}{by}{asked}{took}</div>')
    return f'<div class="msg bot {e(answer.status.value)}" data-turn="{turn}">{"".join(parts)}</div>'


def transcript_html(turns: list[Turn], selected: int | None = None) -> str:
    if not turns:
        return ('<div class="empty">Ask a question about the articles, e.g. “How many people are held in '
                'Myanmar?”. Every claim in an answer cites its source; click a [n] to see the quote.</div>')
    out: list[str] = []
    for i, turn in enumerate(turns):
        sel = " selected" if i == selected else ""
        out.append(f'<div class="turn{sel}" id="turn-{i}">')
        out.append(f'<div class="msg user">{e(turn.question)}</div>')
        answer = turn.parsed()
        if answer is not None:
            out.append(_answer_html(answer, i, turn.seconds))
        elif turn.error is not None:
            out.append(f'<div class="msg bot failed"><div class="status-label">Failed</div>'
                       f'<div class="reason">why: {e(turn.error)}</div></div>')
        else:
            out.append(f'<div class="msg bot streaming"><div class="answer-text">{e(turn.pending)}</div>'
                       f'<div class="meta">{"checking citations…" if turn.pending else "retrieving passages…"}'
                       f'</div></div>')
        out.append("</div>")
    return "".join(out)


# -- sources ---------------------------------------------------------------------------------------
def highlight(text: str, start: int, end: int, mark_id: str | None = None) -> str:
    """Escaped `text` with text[start:end] wrapped in <mark>."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return e(text)
    ident = f' id="{e(mark_id)}"' if mark_id else ""
    return f"{e(text[:start])}<mark{ident}>{e(text[start:end])}</mark>{e(text[end:])}"


def locate(text: str, quote: str, guess: int) -> int | None:
    """Offset of `quote` in `text`: at `guess` if it is there, else the nearest occurrence."""
    if guess >= 0 and text[guess:guess + len(quote)] == quote:
        return guess
    hits = [m.start() for m in re.finditer(re.escape(quote), text)] if quote else []
    return min(hits, key=lambda h: abs(h - guess)) if hits else None


def _scores(passage: Passage | None) -> str:
    if passage is None:
        return '<div class="scores">scores: not among the retrieved passages</div>'
    dense = f"{passage.dense_score:.3f}" if passage.dense_score is not None else "–"
    bm25 = f"{passage.keyword_score:.2f}" if passage.keyword_score is not None else "–"
    return (f'<div class="scores">fused (RRF) {passage.score:.4f} · cosine {dense} · BM25 {bm25}'
            f' · chunk {e(passage.chunk_id)}</div>')


def _citation_card(c: Citation, turn: int, active: bool, passages: dict[str, Passage], show_scores: bool,
                   closest: bool = False) -> str:
    off = locate(c.passage, c.quote, c.quote_start - c.passage_start)
    body = (highlight(c.passage, off, off + len(c.quote)) if off is not None
            else f"{e(c.passage)}<div class=\"warning\">quote: <mark>{e(c.quote)}</mark></div>")
    link = safe_url(c.url)
    url = (f' · <a href="{e(link)}" target="_blank" rel="noopener noreferrer nofollow">original</a>'
           if link else "")
    cls = ("card active" if active else "card") + (" closest" if closest else "")
    num = f'<span class="num">({c.n})</span> <span class="not-answer">not an answer</span>' if closest else f'<span class="num">[{c.n}]</span>'
    return (
        f'<div class="{cls}" id="src-{turn}-{c.n}" data-n="{c.n}">'
        f'<div class="card-head">{num} {_source_line(c.title, c.outlet, date_label(c.date, c.date_estimated), c.pages, c.language)}</div>'
        f'<div class="passage">{body}</div>'
        f'<div class="card-foot">support {c.support:.2f} · {e(c.doc_id)}, chars {c.quote_start}–{c.quote_end}{url}'
        f' <button type="button" class="open-article" data-turn="{turn}" data-n="{c.n}">'
        f"open the article at this quote</button>{_translate_button(c, turn)}</div>"
        f"{_scores(passages.get(c.chunk_id)) if show_scores else ''}"
        "</div>"
    )


def _translate_button(c: Citation, turn: int) -> str:
    """A quote in another language can be machine-translated on request (not for English quotes)."""
    if not language_label(c.language):
        return ""
    return (f' <button type="button" class="translate-quote" data-turn="{turn}" data-n="{c.n}">'
            "machine-translate this quote</button>")


def translation_html(translation: Translation | None = None, message: str | None = None) -> str:
    """A machine translation with its label, or why there is none; empty when neither."""
    if translation is not None:
        return (f'<div class="machine-translation"><div class="mt-label">{e(translation.label)}</div>'
                f'<div class="mt-text">{e(translation.text)}</div>'
                f'<div class="mt-original">original: {e(translation.original)}</div></div>')
    return f'<div class="machine-translation warning">{e(message)}</div>' if message else ""


def sources_html(answer: Answer | None, turn: int | None, selected_n: int | None = None,
                 show_scores: bool = False) -> str:
    if answer is None or turn is None:
        return '<div class="empty">Sources of the selected answer appear here.</div>'
    head = f'<div class="sources-q">Sources for: “{e(answer.question)}”</div>'
    passages = {p.chunk_id: p for p in answer.passages}
    if not answer.citations:
        what = {"refused": "Refused", "failed": "Failed"}.get(answer.status.value, "No citations")
        body = (f'<div class="msg bot {e(answer.status.value)}"><div class="status-label">{what}</div>'
                f'<div class="reason">{e(answer.reason or "the answer cites nothing")}</div></div>')
        if answer.closest:
            body += ('<div class="closest-head">Closest passages: the sources were searched and these came nearest; '
                     "they are not an answer.</div>")
            body += "".join(_citation_card(c, turn, c.n == selected_n, passages, show_scores, closest=True)
                            for c in answer.closest)
    else:
        body = "".join(_citation_card(c, turn, c.n == selected_n, passages, show_scores) for c in answer.citations)
    if show_scores and answer.passages:
        cited = {c.chunk_id for c in answer.citations}
        rows = "".join(
            f'<li class="{"cited" if p.chunk_id in cited else ""}">{_source_line(p.title, p.outlet, p.date_label(), p.pages, p.language)}'
            f"{_scores(p)}<div class=\"snippet\">{e(p.text[:240])}{'…' if len(p.text) > 240 else ''}</div></li>"
            for p in answer.passages
        )
        body += (f'<details class="retrieved" open><summary>All {len(answer.passages)} retrieved passages '
                 f"(cited ones in bold)</summary><ol>{rows}</ol></details>")
    return head + body


def article_html(doc: Document | None, citation: Citation | None, missing: str | None = None) -> str:
    """The whole article, the cited passage shaded and the quote marked (scrolled to by the page)."""
    if doc is None or citation is None:
        return f'<div class="empty">{e(missing or "Open an article from a source card to read it here.")}</div>'
    text, m = doc.text, doc.meta
    q = locate(text, citation.quote, citation.quote_start)
    note = ""
    pages = citation.pages
    if q is None:
        note = '<div class="warning">The article changed since it was indexed; the quote was not found in it.</div>'
        body = _paged(text, 0, len(text), m.page_starts)
    else:
        qe = q + len(citation.quote)
        ps = citation.passage_start if text[citation.passage_start:citation.passage_end] == citation.passage else q
        pe = citation.passage_end if ps == citation.passage_start else qe
        ps, pe = min(ps, q), max(pe, qe)
        pages = pages_of_span(m.page_starts, q, qe)

        def part(a: int, b: int) -> str:
            return _paged(text, a, b, m.page_starts)

        body = (f'{part(0, ps)}<span class="passage-span">{part(ps, q)}<mark id="article-quote">'
                f'{part(q, qe)}</mark>{part(qe, pe)}</span>{part(pe, len(text))}')
    on_page = f" on {page_label(pages)}" if pages else ""
    link = safe_url(m.url)
    url = f'<a href="{e(link)}" target="_blank" rel="noopener noreferrer nofollow">{e(link)}</a>' if link else ""
    head = (f'<div class="article-head"><div class="article-title">{e(m.title)}</div>'
            f'<div class="meta">{e(m.outlet or "outlet unknown")} · {e(date_label(m.date, m.date_estimated))}'
            f'{" · " + e(m.author) if m.author else ""} · {e(m.doc_id)} · quote [{citation.n}]{on_page} at chars '
            f"{citation.quote_start}–{citation.quote_end} {url}</div></div>")
    return f'{head}{note}<div class="article-text">{body}</div>'


def _paged(text: str, start: int, end: int, page_starts: list[int]) -> str:
    """Escaped text[start:end] with a marker where each page in it begins (PDFs; nothing for other texts)."""
    out, last = [], start
    for page, at in enumerate(page_starts, 1):
        if start <= at < end:
            out += [e(text[last:at]), f'<span class="page-marker" data-page="{page}">page {page}</span>']
            last = at
    return "".join([*out, e(text[last:end])])


# -- corpus and settings -----------------------------------------------------------------------------
def corpus_html(docs: list[Document]) -> str:
    if not docs:
        return '<div class="empty">The corpus is empty; upload articles below.</div>'
    rows = []
    for d in docs:
        m = d.meta
        link = safe_url(m.url)
        url = f'<a href="{e(link)}" target="_blank" rel="noopener noreferrer nofollow">link</a>' if link else "–"
        rows.append(f"<tr><td class=\"doc-id\">{e(m.doc_id)}</td><td>{e(m.title)}</td><td>{e(m.outlet or '–')}</td>"
                    f"<td>{e(m.date or 'undated')}</td><td>{e(m.author or '–')}</td><td>{e(m.language)}</td>"
                    f"<td class=\"num\">{len(d.text):,}</td><td>{url}</td></tr>")
    return (f'<div class="corpus-count">{len(docs)} article{"s" if len(docs) != 1 else ""}</div>'
            '<table class="corpus"><thead><tr><th>id</th><th>title</th><th>outlet</th><th>date</th>'
            f'<th>author</th><th>language</th><th>chars</th><th>url</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def backends_html(status: dict[str, str | None]) -> str:
    items = "".join(
        f'<li class="{"ok" if reason is None else "off"}"><b>{e(name)}</b>: '
        f'{"available" if reason is None else "unavailable — " + e(reason)}</li>'
        for name, reason in status.items()
    )
    return f'<ul class="backends">{items}</ul>'


def configured_backend_html(configured: str, reason: str | None, instead: str | None) -> str:
    """Banner when the configured backend cannot run: why, and what answers instead."""
    then = f"Answers come from the <b>{e(instead)}</b> backend" if instead else "No backend can answer"
    return (
        f'<div class="warning" role="alert">The configured backend <b>{e(configured)}</b> is unavailable: '
        f"{e(reason or 'unknown reason')}. {then}; change it under Settings.</div>"
    )

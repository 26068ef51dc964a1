"""Answers to take away: an answer, or a whole conversation, as Markdown with numbered references.

Each reference gives what a reader needs to check the claim without this tool: the supporting
quote, title, outlet, date (marked when estimated), page for PDFs, and URL. In a conversation the
references are numbered once across all answers, so [n] means the same source everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.types import Answer, Citation, language_label, page_label

_MARKER = re.compile(r"\[(\d+)\]")


def _escape(text: str) -> str:
    """Text safe to put in Markdown without starting markup of its own (links, emphasis, HTML)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def _quote(text: str) -> str:
    return " ".join(text.split())


def reference_line(n: int, citation: Citation) -> str:
    """`n. Title — Outlet, 2023-08-30, p. 14. <url>` and the quote on the next line."""
    pages: list[int] = getattr(citation, "pages", None) or []
    where = [citation.outlet or "outlet unknown", _date(citation), page_label(pages), language_label(citation.language)]
    line = f"{n}. *{_escape(citation.title)}* — {_escape(', '.join(filter(None, where)))}."
    if citation.url:
        line += f" <{citation.url}>" if citation.url.startswith(("http://", "https://")) else f" {_escape(citation.url)}"
    return line + f"\n   > “{_escape(_quote(citation.quote))}”"


def _date(citation: Citation) -> str:
    if not citation.date:
        return "undated"
    return f"{citation.date} (estimated)" if getattr(citation, "date_estimated", False) else citation.date


def answer_markdown(answer: Answer) -> str:
    """One answer with its question and its references."""
    return conversation_markdown([answer], title=None)


def conversation_markdown(answers: Sequence[Answer], title: str | None = "Conversation") -> str:
    """Questions and answers in order; one numbered reference list for all of them."""
    numbers: dict[tuple[str, int, int], int] = {}
    references: list[str] = []
    parts = [f"# {title}\n"] if title else []
    for answer in answers:
        body, new_refs = _body(answer, numbers)
        references += new_refs
        parts.append(f"**Q:** {_escape(answer.question)}\n\n{body}\n")
    if references:
        parts.append("**References**\n\n" + "\n".join(references) + "\n")
    return "\n".join(parts)


def _body(answer: Answer, numbers: dict[tuple[str, int, int], int]) -> tuple[str, list[str]]:
    """The answer text with its [n] renumbered into the shared list; the references it adds."""
    if answer.status == "failed":
        return f"*No answer: {_escape(answer.reason or 'the backend failed')}.*", []
    by_n = {c.n: c for c in answer.citations}
    added: list[str] = []

    def renumber(match: re.Match[str]) -> str:
        citation = by_n.get(int(match.group(1)))
        if citation is None:
            return ""
        key = (citation.doc_id, citation.quote_start, citation.quote_end)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            added.append(reference_line(numbers[key], citation))
        return f"[{numbers[key]}]"

    out, last = [], 0
    for match in _MARKER.finditer(answer.text):  # escape the text between markers, renumber the markers
        out += [_escape(answer.text[last : match.start()]), renumber(match)]
        last = match.end()
    text = "".join([*out, _escape(answer.text[last:])])
    if answer.refused and answer.closest:
        # Not references: nothing cites them. Listed under the refusal so a reader can look further.
        lines = [reference_line(c.n, c).replace(f"{c.n}. ", "- ", 1) for c in answer.closest]
        text += "\n\n*Closest passages (not an answer):*\n\n" + "\n".join(lines)
    return text, added

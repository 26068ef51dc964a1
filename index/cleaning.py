"""Find article paragraphs in raw text and mark site chrome and forum boilerplate.

Nothing is rewritten: cleaning only decides which line spans of the verbatim text are
article text, so every chunk can still point at exact characters of the source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Lines that are chrome on news sites and forums, whatever the article.
_CHROME_PATTERNS = [
    r"skip to (main )?content",
    r"what'?s new",
    r"welcome",
    r"register\s*(\|)?\s*log ?in",
    r"(sign|log) ?(in|up)( now)?",
    r"if you already have an account, please log ?in.*",
    r"we don'?t have any responsibilit(y|ies) about .*",
    r"\(?any news older than \d+ days .*",
    r"note: we don'?t have any responsibilit(y|ies).*",
    r"status",
    r"not open for further replies\.?",
    r"(•\s*)?thread starter",
    r"(•\s*)?staff( member)?",
    r"(•\s*)?#\d+",
    r"top",
    r"continue reading\.*",
    r"the post .* appeared first on .*",
    r"no comments? found",
    r"(leave a|\d+) comments?",
    r"photo by .*",
    r"(image )?credit( score)?:.*",
    r"share (this|on) .*",
    r"(subscribe|sign up) (to|for) (our|the) (newsletter|daily|weekly).*",
    r"get (extra|more) insights with the",
    r"recorded future",
    r"intelligence cloud\.?",
    r"(learn|be taught) (more|extra)\.?",
    r"advertisement",
    r"read more:?.*",
    r"(page|p\.) \d+( (of|/) \d+)?",
]
_CHROME = re.compile(r"^\s*(?:[•*\-]\s*)?(?:" + "|".join(_CHROME_PATTERNS) + r")\s*$", re.IGNORECASE)
_NO_LETTERS = re.compile(r"^[\W\d_]*$")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the source (a line, or joined lines of hard-wrapped text); offsets into it."""

    number: int
    start: int
    end: int
    text: str
    kept: bool
    reason: str | None = None


def _line_spans(text: str) -> list[tuple[int, int]]:
    """Spans of non-blank lines, stripped of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans


MAX_WRAP_WIDTH = 130  # wider lines are paragraphs on one line, not hard-wrapped text


def wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped text was wrapped at (e-mails, plain-text exports, PDF text), or None.

    Hard-wrapped text has most of its long lines ending within a few characters of one width;
    text with one paragraph per line has lines of every length."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    if len(lengths) < 4:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for n in lengths if width - 15 <= n <= width + 5)
    return width if width <= MAX_WRAP_WIDTH and near >= 0.5 * len(lengths) else None


REPEATED_LINE_MIN = 3  # a line on every page of a PDF (running header, footer) is never joined to text
_ITEM_START = re.compile(r"^(?:[-*•#>|]|\d+[.)]\s)")


def split_paragraphs(text: str, fragment: bool = False) -> list[tuple[int, int]]:
    """Spans of paragraphs: non-blank lines, or in hard-wrapped text, runs of lines joined.

    A line continues the previous one when the text is hard-wrapped, no blank line separates
    them, the previous line reaches near the wrap width (a heading does not) and the line does
    not start a list item. The span keeps the line breaks: the source text is never rewritten.

    A `fragment` is a passage cut from a longer document: its few or mixed lines may not show the
    wrap width, so where none is found a long line that stops mid-sentence goes on with the next."""
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    width = wrap_width(lines)
    # A line wider than any wrap width: one paragraph per line, so a line without a full stop is a
    # heading ("Myanmar army says it has cleared KK Park"), not a sentence going on below it.
    if width is None and (not fragment or any(len(line) > MAX_WRAP_WIDTH for line in lines)):
        return spans
    repeated = {line for line, n in Counter(lines).items() if n >= REPEATED_LINE_MIN}
    merged: list[tuple[int, int]] = []
    for (start, end), line in zip(spans, lines, strict=True):
        if merged and line not in repeated:
            prev_start, prev_end = merged[-1]
            last_line = text[prev_start:prev_end].rsplit("\n", 1)[-1]
            if (
                text[prev_end:start].count("\n") == 1
                and last_line not in repeated
                and (_continues(last_line, line, width) if width is not None else _unfinished(last_line, line))
            ):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    return merged


def _continues(previous: str, line: str, width: int) -> bool:
    """`line` goes on with the sentence of `previous`: the previous line was filled to near the wrap
    width (a heading is shorter), or half-filled and this one starts in lower case; no list item starts."""
    if _ITEM_START.match(line):
        return False
    return len(previous) >= 0.75 * width or (len(previous) >= 0.5 * width and line[:1].islower())


UNFINISHED_MIN_CHARS = 60
_SENTENCE_END = (".", "?", "!", ":", ";", '"', "”", "’", ")", "]")


def _unfinished(previous: str, line: str) -> bool:
    """In a fragment with no wrap width found: `line` goes on with `previous` when that is a long
    line of text that stops mid-sentence, not a heading or a list item."""
    return (
        len(previous) >= UNFINISHED_MIN_CHARS
        and not previous.rstrip().endswith(_SENTENCE_END)
        and not _ITEM_START.match(previous)
        and not _ITEM_START.match(line)
    )


def _is_short(line: str) -> bool:
    return len(line.split()) <= 3 and not line.rstrip().endswith((".", "?", "!", "”", '"'))


def clean_paragraphs(text: str) -> list[Paragraph]:
    """Every paragraph of `text`, with `kept=False` and a reason for the boilerplate ones."""
    spans = split_paragraphs(text)
    lines = [text[s:e] for s, e in spans]
    reasons: list[str | None] = [None] * len(lines)
    counts = Counter(lines)
    for i, line in enumerate(lines):
        if _CHROME.match(line):
            reasons[i] = "site or forum chrome"
        elif counts[line] >= REPEATED_LINE_MIN and len(line.split()) <= 25:
            reasons[i] = "repeated on many pages (running header or footer)"
        elif _NO_LETTERS.match(line):
            reasons[i] = "no words (counters, separators)"
    # A run of three or more short label-like lines is a menu or a forum user card. Only lines up
    # to the run's last chrome line go: a byline right after a promo ("James Reddick") stays.
    run: list[int] = []
    for i in [*range(len(lines)), None]:
        if i is not None and (_is_short(lines[i]) or reasons[i]):
            run.append(i)
            continue
        flagged = [j for j in run if reasons[j]]
        if len(run) >= 3 and flagged:
            for j in run[: run.index(flagged[-1])]:
                reasons[j] = reasons[j] or "run of short label lines (menu, user card)"
        run = []
    return [
        Paragraph(number=n, start=s, end=e, text=line, kept=reasons[n] is None, reason=reasons[n])
        for n, ((s, e), line) in enumerate(zip(spans, lines, strict=True))
    ]


def kept_sections(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
    """Consecutive kept paragraphs; chunks never cross removed text, so spans stay exact."""
    sections: list[list[Paragraph]] = []
    current: list[Paragraph] = []
    for para in paragraphs:
        if para.kept:
            current.append(para)
        elif current:
            sections.append(current)
            current = []
    if current:
        sections.append(current)
    return sections


def clean_text(text: str) -> str:
    """The article text alone, for display and for tests."""
    return "\n".join(p.text for p in clean_paragraphs(text) if p.kept)

"""The citation layer every draft goes through, whatever generator wrote it.

1. split the draft into sentences and parse their [n] markers ([1], [1][2], [1, 2]);
2. strip markers that point to no passage;
3. keep a citation only if the cited passage supports the sentence (rag.support), the sentence
   read without the sources' own dates it states ("sources dated 2023-08-29"): those come from
   the articles' metadata, not from passage text, so they are no figure to find in the passage;
4. optionally (LLM drafts), give a sentence the model left uncited the passage that best supports
   it; the citation is marked as the checker's (`AnswerSentence.cited_by`) and reported in warnings;
5. drop sentences left without support (reported in warnings, never silently); what a check across
   languages could not verify (a name the source writes in its own script) is reported the same way;
6. renumber the sources used 1..n in order of first use, keeping quote and span for each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from index.sentences import sentence_spans
from rag.support import SentenceEncoder, check_support
from rag.support_result import SupportResult
from rag.types import REFUSAL_PHRASE, AnswerSentence, Citation, Passage

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s")
MIN_ATTRIBUTED_WORDS = 5
_ONLY_MARKERS = re.compile(r"^[\s.,;:!?\"”’)]*(\[\d+(?:\s*[,;]\s*\d+)*\][\s.,;:!?\"”’)]*)+$")


@dataclass
class CheckedAnswer:
    text: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)
    refused: bool = False


def split_sentences(draft: str) -> list[str]:
    """Sentences of a draft (pysbd knows "U.S." and "Mr."); markers after a full stop stay attached."""
    sentences: list[str] = []
    for start, end in sentence_spans(draft):
        piece = draft[start:end]
        if sentences and _ONLY_MARKERS.match(piece):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def parse_markers(sentence: str) -> tuple[str, list[int]]:
    numbers = [int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
    text = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
    return re.sub(r"\s{2,}", " ", text), list(dict.fromkeys(numbers))


def is_refusal(draft: str) -> bool:
    key = REFUSAL_PHRASE.lower().rstrip(".")
    return key in draft.lower().replace("do not", "don't").replace("’", "'")


def attributable(text: str) -> bool:
    """A claim worth attributing: a full sentence, not a list item or a heading echoed from the prompt."""
    return len(text.split()) >= MIN_ATTRIBUTED_WORDS and text[-1:] in ".!?" and not _LIST_ITEM.match(text)


def without_source_dates(text: str, passages: Sequence[Passage]) -> str:
    """`text` without the dates of the given sources (as `date_label` shows them, or bare)."""
    for date in sorted({p.date for p in passages if p.date}, key=len, reverse=True):
        text = text.replace(f"estimated {date}", " ").replace(date, " ")
    return text


def best_support(
    text: str, passages: Sequence[Passage], encoder: SentenceEncoder, threshold: float
) -> tuple[int, SupportResult] | None:
    """The 0-based index and result of the passage that best supports `text`, if any does."""
    claim = without_source_dates(text, passages)
    results = [(i, check_support(claim, p, encoder, threshold)) for i, p in enumerate(passages)]
    supported = [(i, r) for i, r in results if r.supported]
    return max(supported, key=lambda item: item[1].score) if supported else None


def check_citations(
    draft: str,
    passages: Sequence[Passage],
    encoder: SentenceEncoder,
    threshold: float,
    attribute_uncited: bool = False,
) -> CheckedAnswer:
    if is_refusal(draft):
        return CheckedAnswer(REFUSAL_PHRASE, [], [], refused=True)
    warnings: list[str] = []
    order: dict[int, int] = {}  # passage index -> new number
    citations: list[Citation] = []
    kept: list[AnswerSentence] = []
    for raw in split_sentences(draft):
        text, cited = parse_markers(raw)
        if not text:
            continue
        valid, notes, unchecked = [], [], []
        cited_by: Literal["model", "checker"] = "model"
        if not cited and attribute_uncited and attributable(text):
            found = best_support(text, passages, encoder, threshold)
            if found is not None:
                cited, cited_by = [found[0] + 1], "checker"
        for n in cited:
            if not 1 <= n <= len(passages):
                warnings.append(f"citation [{n}] points to no source; removed")
                continue
            passage = passages[n - 1]
            result = check_support(without_source_dates(text, passages), passage, encoder, threshold)
            if not result.supported:
                notes.append(f"[{n}] removed: {result.reason}")
                continue
            if n - 1 not in order:
                order[n - 1] = len(order) + 1
                citations.append(citation_for(order[n - 1], passage, result))
            valid.append(order[n - 1])
            if result.unchecked:
                unchecked.append(f"[{order[n - 1]}] {result.unchecked}")
        note = "; ".join(notes) or None
        if not valid:
            why = note or "no citation"
            warnings.append(f"sentence dropped, no cited source supports it ({why}): {text!r}")
            kept.append(AnswerSentence(text=text, citations=[], supported=False, note=why))
            continue
        if cited_by == "checker":
            note = "the model cited no source; the checker found this one"
            warnings.append(f"citation [{valid[0]}] added by the checker; the model cited none: {text!r}")
        if unchecked:
            note = "; ".join([*([note] if note else []), *unchecked])
            warnings.append(f"checked against a source in another language, {'; '.join(unchecked)}: {text!r}")
        kept.append(AnswerSentence(text=text, citations=valid, supported=True, note=note, cited_by=cited_by))
    shown = [s for s in kept if s.supported]
    if not shown:
        return CheckedAnswer(REFUSAL_PHRASE, kept, [], warnings, refused=True)
    text = " ".join(_with_markers(s) for s in shown)
    return CheckedAnswer(text, kept, citations, warnings)


def _with_markers(sentence: AnswerSentence) -> str:
    marks = "".join(f"[{n}]" for n in sentence.citations)
    body = sentence.text
    if body and body[-1] in ".!?":
        return f"{body[:-1]} {marks}{body[-1]}"
    return f"{body} {marks}"


def citation_for(n: int, passage: Passage, result: SupportResult) -> Citation:
    """The [n] source: the passage and its article, with the quote the support check chose."""
    return Citation(
        n=n,
        doc_id=passage.doc_id,
        chunk_id=passage.chunk_id,
        title=passage.title,
        outlet=passage.outlet,
        date=passage.date,
        date_estimated=passage.date_estimated,
        author=passage.author,
        url=passage.url,
        language=passage.language,
        passage=passage.text,
        passage_start=passage.start,
        passage_end=passage.end,
        quote=result.quote,
        quote_start=result.quote_start,
        quote_end=result.quote_end,
        support=round(result.score, 3),
        pages=passage.pages_of(result.quote_start, result.quote_end),
    )

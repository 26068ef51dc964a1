"""Bulleted or numbered lists in passages: the items a sentence ending in a colon introduces
("Observers give three reasons:" then "- pressure from ..."). A list cut by a chunk boundary goes
on in the next retrieved passage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.reader.candidates import SENTENCE_END, SentenceCandidate
from rag.types import Passage

ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+(.+)$")
LIST_TAIL_LINES = 4  # the last lines of a passage looked at for a list it may stop in
ADJACENT_GAP = 2  # characters (line breaks) the chunker may leave between consecutive chunks


def ends_in_list(text: str) -> bool:
    """The text stops at a list's introduction or among its items: the rest of the list may be in
    the chunk after it."""
    lines = [line for line in text.split("\n") if line.strip()][-LIST_TAIL_LINES:]
    return bool(lines) and (lines[-1].rstrip().endswith(":") or any(ITEM.match(line) for line in lines))


@dataclass(frozen=True)
class Continued:
    """The text after a sentence, carried on into later passages of its article."""

    text: str
    passage_starts: list[tuple[int, int]]  # (offset in `text`, passage number) where each passage's part begins

    @property
    def passage_numbers(self) -> list[int]:
        return [no for _, no in self.passage_starts]

    def passage_at(self, offset: int) -> int:
        return next(no for start, no in reversed(self.passage_starts) if start <= offset)


def continued(candidate: SentenceCandidate, passages: Sequence[Passage]) -> Continued:
    """The text after the sentence, carried on into retrieved passages of the same article that
    overlap the end of its own or follow it (a list cut by a chunk boundary)."""
    text, starts, end = candidate.following_text(), [(0, candidate.passage_no)], candidate.passage.end
    later = sorted(
        (p.start, no, p) for no, p in enumerate(passages, start=1) if p.doc_id == candidate.passage.doc_id
    )
    for _, no, p in later:
        if p.start <= end < p.end:
            starts.append((len(text), no))
            text += p.text[end - p.start :]
        elif end < p.start <= end + ADJACENT_GAP:  # the next chunk, cut at a paragraph break
            text += "\n"
            starts.append((len(text), no))
            text += p.text
        else:
            continue
        end = p.end
    return Continued(text, starts)


def _items_with_offsets(text: str) -> list[tuple[str, int]]:
    items: list[tuple[str, int]] = []
    offset = 0
    for line in text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        item = ITEM.match(line)
        if item is not None:
            items.append((item.group(1).strip(), line_start))
        elif items and not items[-1][0].rstrip().endswith(SENTENCE_END):
            items[-1] = (f"{items[-1][0]} {line.strip()}", items[-1][1])
        else:
            break
    return items


def items_in(text: str) -> list[str]:
    """The items of the list `text` opens with, each with its wrapped lines joined: blank lines may
    separate items; a line without a bullet goes on with an item that has not ended its sentence."""
    return [item for item, _ in _items_with_offsets(text)]


def items_after(candidate: SentenceCandidate, passages: Sequence[Passage]) -> tuple[list[str], list[int]]:
    """The items of the list a sentence ending in a colon introduces, and the passages they are in;
    none when it introduces no list of two or more."""
    found = cited_items_after(candidate, passages)
    return [item for item, _ in found], list(dict.fromkeys(no for _, no in found))


def cited_items_after(candidate: SentenceCandidate, passages: Sequence[Passage]) -> list[tuple[str, int]]:
    """Each item of the list a sentence ending in a colon introduces, with the passage it is in."""
    if not candidate.text.rstrip().endswith(":"):
        return []
    following = continued(candidate, passages)
    items = [(item, following.passage_at(offset)) for item, offset in _items_with_offsets(following.text)]
    return items if len(items) >= 2 else []


@dataclass(frozen=True)
class Listing:
    introduction: str  # the sentence ending in a colon
    items: list[str]
    passage_numbers: list[int]  # the passages the introduction and items are in

    def text(self) -> str:
        """"Introduction: item one; item two; item three"."""
        return f"{self.introduction} {'; '.join(item.rstrip(' ;,.') for item in self.items)}"


def listing_after(candidate: SentenceCandidate, passages: Sequence[Passage]) -> Listing | None:
    """The list a candidate ending in a colon introduces, if any."""
    items, numbers = items_after(candidate, passages)
    return Listing(candidate.text, items, numbers) if items else None

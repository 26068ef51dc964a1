"""Bulleted or numbered lists in passages: the items a sentence ending in a colon introduces
("Observers give three reasons:" then "- pressure from ..."), and the introduction of the list a
sentence is an item of. A list cut by a chunk boundary goes on in the next retrieved passage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.reader.candidates import SentenceCandidate, squash
from rag.types import Passage

ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+(.+)$")
_ENDS_SENTENCE = re.compile(r"[.;!?:\"”’)]\s*$")
_LAST_SENTENCE = re.compile(r"(?:^|(?<=[.!?])\s+)([^.!?]+:)\s*$")
ADJACENT_GAP = 2  # characters (line breaks) the chunker may leave between consecutive chunks
INTRODUCTION_REACH = 20  # lines looked back from an item for its introduction


def continued(candidate: SentenceCandidate, passages: Sequence[Passage]) -> tuple[str, list[int]]:
    """The text after the sentence, carried on into retrieved passages of the same article that
    overlap the end of its own (a list cut by a chunk boundary); and the passages it spans."""
    text, numbers, end = candidate.following_text(), [candidate.passage_no], candidate.passage.end
    later = sorted(
        (p.start, no, p) for no, p in enumerate(passages, start=1) if p.doc_id == candidate.passage.doc_id
    )
    for _, no, p in later:
        if p.start <= end < p.end:
            text += p.text[end - p.start :]
        elif end < p.start <= end + ADJACENT_GAP:  # the next chunk, cut at a paragraph break
            text += "\n" + p.text
        else:
            continue
        numbers.append(no)
        end = p.end
    return text, numbers


def items_in(text: str) -> list[str]:
    """The items of the list `text` opens with, each with its wrapped lines joined: blank lines may
    separate items; a line without a bullet goes on with an item that has not ended its sentence."""
    items: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        item = ITEM.match(line)
        if item is not None:
            items.append(item.group(1).strip())
        elif items and not _ENDS_SENTENCE.search(items[-1]):
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            break
    return items


def items_after(candidate: SentenceCandidate, passages: Sequence[Passage]) -> tuple[list[str], list[int]]:
    """The items of the list a sentence ending in a colon introduces, and the passages they are in;
    none when it introduces no list of two or more."""
    if not candidate.text.rstrip().endswith(":"):
        return [], []
    text, numbers = continued(candidate, passages)
    items = items_in(text)
    return (items, numbers) if len(items) >= 2 else ([], [])


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


def enclosing_listing(candidate: SentenceCandidate, passages: Sequence[Passage]) -> Listing | None:
    """The list this candidate is an item of, with its introduction (a line ending in a colon
    at most `INTRODUCTION_REACH` lines above it, in the same passage)."""
    item = ITEM.match(candidate.text)
    if item is None:
        return None
    own = squash(item.group(1))[:40]
    lines = candidate.passage.text[: candidate.end].split("\n")
    for back in range(2, min(INTRODUCTION_REACH, len(lines)) + 1):
        line = lines[-back].strip()
        if not line.endswith(":"):
            continue
        rest, numbers = continued(candidate, passages)
        listed = items_in("\n".join(lines[-back + 1 :]) + rest)
        if len(listed) < 2 or not any(squash(text).startswith(own) for text in listed):
            return None
        sentence = _LAST_SENTENCE.search(line)
        return Listing(squash(sentence.group(1) if sentence else line), listed, numbers)
    return None

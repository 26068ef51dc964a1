"""Answer text from extracted spans: each claim followed by the [n] of the passages that hold it."""

from __future__ import annotations

from collections.abc import Sequence


def marks(passage_numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in dict.fromkeys(passage_numbers))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def cited(claim: str, passage_numbers: Sequence[int]) -> str:
    """"claim [1][2]." with the claim's own final punctuation kept after the markers."""
    claim = claim.strip()
    end = claim[-1] if claim and claim[-1] in ".!?" else "."
    body = claim[:-1].rstrip() if claim and claim[-1] in ".!?" else claim
    return f"{capitalised(body)} {marks(passage_numbers)}{end}"


def join_items(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"

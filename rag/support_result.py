"""What a support check says (rag/support.py for English passages, rag/cross_language_support.py for
the others), and the figure rule both apply."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class SupportResult:
    supported: bool
    score: float
    quote: str
    quote_start: int  # offsets in the source document
    quote_end: int
    reason: str | None = None
    unchecked: str | None = None  # a supported claim's part the check could not verify (names across scripts)


def shown_sum(value: float, others: set[float]) -> bool:
    """`value` is the sum of two to four of the claim's other numbers: arithmetic the answer shows
    ("120,000 in Myanmar and 100,000 in Cambodia: some 220,000 in all"), each part checked itself."""
    parts = sorted(others)[:8]
    return any(
        abs(sum(combo) - value) <= 0.005 * value
        for size in range(2, min(4, len(parts)) + 1)
        for combo in combinations(parts, size)
    )

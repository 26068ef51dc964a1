"""Normalise answers and gold patterns so that formatting differences do not decide correctness.

`normalize` lowercases, strips diacritics (Türk -> turk), maps curly quotes and dashes to
plain ones, writes every number in one canonical form (120,000 / 120 000 / 120.000 / 120k /
120 thousand -> 120000; $43.8 billion / 43.8bn -> 43800000000; 70% / 70 per cent -> 70 percent),
then keeps only letters, digits, decimal points and single spaces.

Patterns (see eval/gold.jsonl): each item of `answer_patterns` is a string or {"any_of": [...]};
an answer matches when every item matches (an any_of item when one of its strings does).
Row `pattern_kind` "text": the pattern is normalised too and must occur as whole words;
"regex": the pattern is searched in the normalised answer as written (write it normalised).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

Pattern = str | dict[str, list[str]]

_SCALES = {
    "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
    "b": 1_000_000_000, "bn": 1_000_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
}
_CHARS = str.maketrans({
    "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‑": "-", "−": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})
# 120,000 / 120.000 / 120 000 (groups of three) or a plain number with an optional decimal part.
_GROUPED = r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3}){1,}(?![\d,])|\d{1,3}(?: \d{3})+(?![\d.,])"
_NUMBER = re.compile(
    rf"(?<![\w.,])(?P<num>{_GROUPED}|\d+(?:\.\d+)?)(?![\d])"
    rf"(?:\s?(?P<scale>{'|'.join(sorted(_SCALES, key=len, reverse=True))})\b)?",
    re.IGNORECASE,
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _canonical_number(match: re.Match[str]) -> str:
    raw, scale = match.group("num"), match.group("scale")
    grouped = re.fullmatch(_GROUPED, raw) is not None
    digits = re.sub(r"[, .]", "", raw) if grouped else raw
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return match.group(0)
    if scale:
        value *= _SCALES[scale.lower()]
    text = format(value.normalize(), "f")
    return text + " " if scale else text


def normalize(text: str) -> str:
    text = strip_accents(text.translate(_CHARS)).lower()
    text = re.sub(r"\bper\s?cent\b|%", " percent", text)
    text = re.sub(r"(?<=\d),(?=\s)", " ", text)  # "29, 2023": a list comma, not a thousands separator
    text = _NUMBER.sub(_canonical_number, text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points only
    text = re.sub(r"[^a-z0-9. /]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _one(pattern: str, answer_norm: str, kind: str) -> bool:
    if kind == "regex":
        return re.search(pattern, answer_norm) is not None
    needle = normalize(pattern)
    return bool(needle) and re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", answer_norm) is not None


def pattern_matches(pattern: Pattern, answer_norm: str, kind: str = "text") -> bool:
    if isinstance(pattern, dict):
        return any(_one(p, answer_norm, kind) for p in pattern["any_of"])
    return _one(pattern, answer_norm, kind)


def matches_all(patterns: Sequence[Pattern], text: str, kind: str = "text") -> bool:
    """True when every pattern matches `text` (normalised here); False for an empty pattern list."""
    answer_norm = normalize(text)
    return bool(patterns) and all(pattern_matches(p, answer_norm, kind) for p in patterns)


def numbers_in(text: str) -> set[str]:
    """The canonical numbers of a text (used by the citation support check)."""
    return set(re.findall(r"(?<![a-z0-9.])\d+(?:\.\d+)?(?![a-z0-9])", normalize(text)))

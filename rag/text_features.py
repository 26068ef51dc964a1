"""Small text features shared by the answerer and the citation checks: numbers, terms, entities."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

import Stemmer

_STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "how",
        "many",
        "much",
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "whats",
        "there",
        "their",
        "they",
        "them",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "into",
        "about",
        "than",
        "then",
        "so",
        "such",
        "not",
        "no",
        "yes",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "will",
        "shall",
        "also",
        "any",
        "all",
        "some",
        "more",
        "most",
        "other",
        "over",
        "under",
        "up",
        "down",
        "out",
        "very",
        "just",
        "i",
        "you",
        "he",
        "she",
        "we",
        "me",
        "my",
        "our",
        "your",
        "his",
        "her",
        "us",
        "say",
        "says",
        "said",
        "according",
        "report",
        "reports",
        "people",
        "person",
        "source",
        "sources",
        "differ",
        "dated",
        "undated",
        "gives",
        "give",
        "estimate",
        "estimates",
        "estimated",
    ]
)
_NUMBER = re.compile(
    # The scale word must end there: "64 Koreans" is 64, not 64k.
    r"(?<![\w.])(\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)(\s*(?:(?:k|thousand|million|billion|percent)s?(?![a-z])|%))?", re.I
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
_SCALE = {"k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def numbers(text: str) -> set[float]:
    """Numeric values in text: '120,000', '120 000', '120k' and '$7.8 billion' all normalised."""
    values = set()
    for match in _NUMBER.finditer(text):
        raw, scale = match.group(1), (match.group(2) or "").strip().lower().removesuffix("s")
        try:
            value = float(re.sub(r"[,\s]", "", raw))
        except ValueError:
            continue
        values.add(value * _SCALE.get(scale, 1.0))
    return values


def content_terms(text: str) -> set[str]:
    """Stemmed content words (stop words and question words dropped)."""
    words = [w.lower().strip("'’-") for w in _WORD.findall(text)]
    return set(_stemmer().stemWords([w for w in words if w and w not in _STOP and len(w) > 1]))


_DEFINED_ACRONYM = re.compile(r"((?:[A-Z][\w'’-]*\s+(?:(?:of|for|and|the|on|to|in)\s+)*){2,8})\(([A-Z][A-Za-z]{1,7})\)")
_ACRONYM_FILLERS = frozenset({"of", "for", "and", "the", "on", "to", "in"})


def defined_acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines, and their long forms: "the Border Guard Force (BGF)" gives
    {"BGF": "Border Guard Force"}. The acronym's capitals must be the initials of the long form's
    last words (fillers such as "of" and "the" may be skipped), as in Schwartz and Hearst's rule."""
    found: dict[str, str] = {}
    for match in _DEFINED_ACRONYM.finditer(text):
        words = match.group(1).split()
        acronym = match.group(2)
        letters = [c for c in acronym if c.isupper()]
        content = [w for w in words if w.lower() not in _ACRONYM_FILLERS]
        if len(content) < len(letters):
            continue
        tail = content[-len(letters) :]
        if all(w[0].upper() == c for w, c in zip(tail, letters, strict=True)):
            start = words.index(tail[0], max(0, len(words) - len(letters) * 3))
            found[acronym] = " ".join(words[start:])
    return found


_JOINED_NAMES = re.compile(r"^[A-Z][\w']*(?:-[A-Z][\w']*)+$")


YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A currency beside a figure: a symbol or the name of a currency of the region or a major one.
CURRENCY = re.compile(
    r"[$€£¥฿₩₱]|\b(dollars?|usd|us\$|euros?|pounds?|baht|won|yuan|renminbi|riels?|pesos?|ringgit|rupees?|kyat|dong"
    r"|kip|rupiah|taka|yen)\b",
    re.I,
)
# Words that give a share without a per cent sign.
SHARE_WORDS = re.compile(
    r"%|\b(half|halves|third|thirds|quarters?|fifths?|tenths?|per ?cent|percent|one in|majority|minority)\b", re.I
)


def entities(question: str, first_word: bool = False) -> list[str]:
    """Words the answer must mention: capitalised words after the first (or with it: a short answer
    such as "Nanjing airport" starts with its name), and years."""
    words = _WORD.findall(question)
    names = [w for i, w in enumerate(words) if (i > 0 or first_word) and w[0].isupper() and w.lower() not in _STOP]
    # "Thailand-Cambodia ceasefire", "US-China talks": each capitalised part is a name of its own.
    names = [part for name in names for part in (name.split("-") if _JOINED_NAMES.match(name) else [name])]
    # "Myanmar-based", "China-backed", "US-run": the name is the capitalised part ("Min-ho" stays whole).
    names = [re.sub(r"(?<=\w)-(?:[a-z]+ed|run|born|made|built)$", "", name) for name in names]
    years = YEAR.findall(question)
    return names + years


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
# Full names and abbreviations ("Nov", "Sept") to the month's number.
_MONTH_NUMBERS = {**_MONTHS, **{abbr.lower(): n for n, abbr in enumerate(calendar.month_abbr) if abbr}, "sept": 9}


# Capitalised, as in running text: "may" is a verb, "May" a month.
_MONTH_NAMES = "|".join(sorted({*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"}, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\b\.?|\b({_MONTH_NAMES})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
)


def days_of_months(text: str) -> set[tuple[int, int]]:
    """The (month, day) pairs a text names: "6 November", "November 6th", "Nov. 6" (not "November 2025")."""
    found = set()
    for match in _DAY_MONTH.finditer(text):
        day, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        number = month_number(month)
        if number and 1 <= int(day) <= 31:
            found.add((number, int(day)))
    return found


def month_number(word: str) -> int | None:
    """1 for "January", "Jan" or "Jan.", None for a word that names no month."""
    return _MONTH_NUMBERS.get(word.lower().rstrip("."))


def is_month(word: str) -> bool:
    """"November", "Nov", "Nov." (English month names and their abbreviations)."""
    return month_number(word) is not None


def dated_in(date: str | None, name: str) -> bool:
    """`name` is a year ("2025") or a month ("October") and the ISO `date` falls in it."""
    if not date:
        return False
    if name.isdigit():
        return date.startswith(name)
    month = _MONTHS.get(name.lower())
    return month is not None and date[5:7] == f"{month:02d}"


# Names of one country that do not start one another ("Cambodian" already mentions Cambodia):
# its name, short forms and demonyms. Data, like the month table.
_COUNTRY_NAMES = (
    ("United States", "US", "U.S.", "USA", "America", "American", "Americans"),
    ("United Kingdom", "UK", "U.K.", "Britain", "British", "Briton", "Britons"),
    ("China", "Chinese"),
    ("Philippines", "Philippine", "Filipino", "Filipinos", "Filipina"),
    ("Myanmar", "Burma", "Burmese"),
    ("Laos", "Lao", "Laotian", "Laotians"),
    ("Thailand", "Thai", "Thais"),
    ("Vietnam", "Viet Nam", "Vietnamese"),
    ("Netherlands", "Dutch"),
    ("Germany", "German", "Germans"),
    ("France", "French"),
    ("Switzerland", "Swiss"),
    ("Turkey", "Türkiye", "Turkish"),
)
_SAME_COUNTRY = {name.lower(): group for group in _COUNTRY_NAMES for name in group}


def _names_the_country(text: str, term: str) -> bool:
    """`text` names the country of `term` another way: "US" for "American", "Chinese" for "China"
    (short forms in capitals only: "US", not "us")."""
    for name in _SAME_COUNTRY.get(term.lower(), ()):
        flags = 0 if name.isupper() or "." in name else re.I
        if re.search(rf"(?<![\w.]){re.escape(name)}(?:['’]s)?(?![\w])", text, flags):
            return True
    return False


def mentions(text: str, term: str) -> bool:
    """Whether `text` mentions `term` (at the start of a word: "Cambodian" mentions Cambodia,
    "coming" does not mention Ming; "US" mentions American), tolerating a small misspelling of longer words."""
    if re.search(rf"(?<!\w){re.escape(term.lower())}", text.lower()):
        return True
    if _names_the_country(text, term):
        return True
    if len(term) < 5 or term.isdigit():
        return False
    # A possessive is the word itself: "Norland's" mentions "Norlandic" as "Norland" does.
    return any(_similar(term.lower(), _POSSESSIVE.sub("", w.lower())) for w in _WORD.findall(text))


def _similar(a: str, b: str, threshold: float = 0.8) -> bool:
    """difflib's ratio is at least `threshold`; its cheap upper bounds rule most words out first
    (the lengths alone, then the letters shared), as difflib's documentation advises."""
    if 2 * min(len(a), len(b)) < threshold * (len(a) + len(b)):
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def published_by(outlet: str | None, author: str | None, names: Sequence[str]) -> bool:
    """One of `names` is, as a whole word, the outlet or the author ("according to *JURIST*")."""
    byline = f"{outlet or ''} | {author or ''}"
    return any(re.search(rf"\b{re.escape(n)}\b", byline, re.I) for n in names)

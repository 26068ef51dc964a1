"""Article metadata carried inside a text file: YAML front matter or a "Key: value" header block.

Both are split off the article text (they are not what the article says, and quoting them as
answers would be wrong) and mapped onto the fields a citation shows: title, author, date, URL,
outlet. Dates are normalised to ISO (YYYY-MM-DD).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

# Field name -> what the file may call it (lower case, spaces or underscores alike).
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "author": ("author", "authors", "byline", "by", "writer"),
    "date": ("date", "published", "published at", "published on", "publication date", "date published", "pubdate"),
    "url": ("url", "link", "source url", "canonical", "canonical url", "permalink"),
    "outlet": ("outlet", "publication", "publisher", "site", "site name", "sitename", "newspaper", "source"),
}
_KEY_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
# Keys a header block may also carry; they are removed with the block but not kept.
_OTHER_HEADER_KEYS = {"language", "tags", "keywords", "description", "summary", "subtitle", "updated", "modified",
                      "category", "section", "location", "dateline"}
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(?P<value>\S.*?)\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class FileMetadata:
    """What a file says about itself; None where it says nothing (or nothing readable)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    outlet: str | None = None
    date_note: str | None = None  # set when a date was given but could not be read
    found_in: str | None = None  # "front matter" or "header block"


def _key(raw: str) -> str:
    return " ".join(raw.replace("_", " ").replace("-", " ").lower().split())


def normalise_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) for a date given in any common form; None if it is not a full date."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if _ISO_DAY.match(text):
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    import dateparser  # only for dates not already ISO; absolute dates only ("next week" is no publication date)

    parsed = dateparser.parse(
        text, languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["absolute-time", "custom-formats"]},
    )
    return parsed.date().isoformat() if parsed else None


def _scalar(value: object) -> str | None:
    """A field's text: lists (several authors) are joined; mappings and empty values give None."""
    if isinstance(value, list | tuple):
        parts = [str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()]
        return ", ".join(parts) or None
    if isinstance(value, Mapping) or value is None:
        return None
    return str(value).strip() or None


def fields_from(pairs: Mapping[str, object], found_in: str) -> FileMetadata:
    """Map file keys onto citation fields (first key of each field wins)."""
    out: dict[str, object] = {}
    for raw_key, value in pairs.items():
        name = _KEY_TO_FIELD.get(_key(str(raw_key)))
        if name is None or name in out:
            continue
        if name == "date":
            out[name] = value  # normalised below, possibly from a YAML date object
            continue
        text = _scalar(value)
        if text is None:
            continue
        if _key(str(raw_key)) == "source" and _URL.match(text):  # "Source: https://..." is a URL, not an outlet
            out.setdefault("url", text)
            continue
        out[name] = text
    date_note = None
    if "date" in out:
        raw = out.pop("date")
        out["date"] = normalise_date(raw)
        if out["date"] is None and _scalar(raw):
            date_note = f"the file gives the date as {_scalar(raw)!r}, which is not a full date"
    return FileMetadata(**out, date_note=date_note, found_in=found_in)  # type: ignore[arg-type]


def split_front_matter(text: str) -> tuple[FileMetadata, str] | None:
    """YAML front matter (`---` ... `---`) at the very start: its metadata and the text after it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError:
        return None  # not YAML after all: the text stays as it is
    if not isinstance(data, dict):
        return None
    return fields_from(data, "front matter"), text[match.end() :].lstrip("\n")


def split_header_block(text: str) -> tuple[FileMetadata, str] | None:
    """Leading "Key: value" lines ended by a blank line, when every key is a known metadata key.

    Requiring known keys keeps a headline such as "UN: 100,000s trafficked" from being taken for one.
    """
    head, sep, rest = text.lstrip("\n").partition("\n\n")
    if not sep:
        return None
    pairs: dict[str, str] = {}
    for line in head.split("\n"):
        match = _HEADER_LINE.match(line.strip())
        if match is None:
            return None
        key = _key(match.group("key"))
        if key not in _KEY_TO_FIELD and key not in _OTHER_HEADER_KEYS:
            return None
        pairs.setdefault(key, match.group("value"))
    if not any(key in _KEY_TO_FIELD for key in pairs):
        return None
    return fields_from(pairs, "header block"), rest.lstrip("\n")


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_BYLINE_CUE = re.compile(r"\b(by|posted|published|updated)\b|[·|]", re.I)
BYLINE_MAX_CHARS = 400  # a byline is a short paragraph; a lede that happens to hold a date is longer


def heading_title(text: str) -> str | None:
    """The first line's Markdown heading ("# UN says ..."), without its marks."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    match = _HEADING.match(first)
    return match.group("title").strip("*_ ") if match else None


def byline_date(text: str) -> str | None:
    """The publication date a byline under the headline states ("**Desk** · 22 April 2025 · by X",
    "*posted 8 February 2026*"): the first full date (day, month, year) of the first paragraph
    after the headline, when that paragraph is short and reads as a byline."""
    from dateparser.search import search_dates

    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return None
    byline = paragraphs[1] if heading_title(paragraphs[0]) or len(paragraphs[0].splitlines()) == 1 else paragraphs[0]
    if len(byline) > BYLINE_MAX_CHARS or not _BYLINE_CUE.search(byline):
        return None
    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    found = search_dates(byline, languages=["en"], settings=settings)
    return found[0][1].date().isoformat() if found else None


def split_metadata(text: str) -> tuple[FileMetadata, str]:
    """Front matter or a header block split off `text`; an empty FileMetadata and the text when it has neither."""
    return split_front_matter(text) or split_header_block(text) or (FileMetadata(), text)

"""Asking within part of the corpus: by article, by outlet, by publication date.

A `SourceFilter` is resolved into the set of document ids it allows, from the index's own
metadata (`Store.documents()`), so both stores apply it the same way: inside the search, before
ranking. Kinds combine with AND, values of one kind with OR: `outlets=["A", "B"], since=2024-01-01`
means articles of A or B published on or after 1 January 2024.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from index.documents import DocumentMeta


class FilterError(ValueError):
    """The filter is malformed, names what the corpus does not have, or leaves no article."""


class SourceFilter(BaseModel):
    """Which articles a question may be answered from; an empty filter allows all of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_ids: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    since: dt.date | None = None  # publication date, inclusive
    until: dt.date | None = None  # inclusive

    @field_validator("doc_ids", "outlets", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        # A single name is one value, not a sequence of characters; blanks are dropped.
        values = [value] if isinstance(value, str) else value
        if isinstance(values, Iterable):
            return tuple(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))
        return value

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError as err:
                raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD") from err
        return value

    @model_validator(mode="after")
    def _ordered(self) -> SourceFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self

    @classmethod
    def parse(cls, value: SourceFilter | Mapping[str, object] | None) -> SourceFilter | None:
        """A filter from itself or a dict (the API's JSON); a bad one raises FilterError."""
        if value is None or isinstance(value, SourceFilter):
            return value
        try:
            return cls.model_validate(value)
        except ValidationError as err:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'filter'}: {e['msg']}" for e in err.errors())
            raise FilterError(f"bad source filter: {problems}") from err

    @property
    def is_empty(self) -> bool:
        return not (self.doc_ids or self.outlets or self.since or self.until)


@dataclass(frozen=True)
class Scope:
    """A resolved filter: the articles a search may return (None: all) and, for the answer, what applied."""

    doc_ids: frozenset[str] | None
    description: str | None


ALL = Scope(None, None)


def publication_date(meta: DocumentMeta) -> dt.date | None:
    """The article's date, if it has one a date filter can compare (ISO, at least YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(meta.date[:10]) if meta.date else None
    except ValueError:
        return None


def resolve(where: SourceFilter | None, documents: Mapping[str, DocumentMeta]) -> Scope:
    """The document ids `where` allows among `documents`, with a description for the answer.

    Raises FilterError for an unknown article or outlet, and when no article is left."""
    if where is None or where.is_empty:
        return ALL
    _check_known(where, documents)
    wanted_outlets = {o.casefold() for o in where.outlets}
    chosen = [
        m
        for m in documents.values()
        if (not where.doc_ids or m.doc_id in where.doc_ids)
        and (not wanted_outlets or (m.outlet or "").casefold() in wanted_outlets)
    ]
    undated = 0
    if where.since or where.until:
        dated = [(m, publication_date(m)) for m in chosen]
        undated = sum(1 for _, d in dated if d is None)
        chosen = [
            m
            for m, d in dated
            if d is not None and (not where.since or d >= where.since) and (not where.until or d <= where.until)
        ]
    description = describe(where, len(chosen), len(documents), undated)
    if not chosen:
        raise FilterError(f"no article matches the filter ({description}); widen it or remove it")
    return Scope(frozenset(m.doc_id for m in chosen), description)


def _check_known(where: SourceFilter, documents: Mapping[str, DocumentMeta]) -> None:
    unknown = [d for d in where.doc_ids if d not in documents]
    if unknown:
        raise FilterError(f"no article with id {', '.join(map(repr, unknown))} in the index (see `rag list`)")
    outlets = outlets_of(documents.values())
    missing = [o for o in where.outlets if o.casefold() not in {known.casefold() for known in outlets}]
    if missing:
        known = ", ".join(outlets) or "none"
        raise FilterError(f"no article from outlet {', '.join(map(repr, missing))}; outlets in the index: {known}")


def describe(where: SourceFilter, n_chosen: int, n_total: int, undated: int) -> str:
    """E.g. "outlet JURIST - News; dated 2023-01-01 to 2023-12-31: 2 of 5 articles (3 undated left out)"."""
    parts: list[str] = []
    if where.doc_ids:
        parts.append(f"article{'s' if len(where.doc_ids) > 1 else ''} {', '.join(where.doc_ids)}")
    if where.outlets:
        parts.append(f"outlet{'s' if len(where.outlets) > 1 else ''} {', '.join(where.outlets)}")
    if where.since and where.until:
        parts.append(f"dated {where.since} to {where.until}")
    elif where.since:
        parts.append(f"dated {where.since} or later")
    elif where.until:
        parts.append(f"dated {where.until} or earlier")
    text = f"{'; '.join(parts)}: {n_chosen} of {n_total} article{'s' if n_total != 1 else ''}"
    if undated:
        text += f" ({undated} undated article{'s' if undated != 1 else ''} left out)"
    return text


def outlets_of(documents: Iterable[DocumentMeta]) -> list[str]:
    """The outlets named in the metadata, sorted, each once whatever its case (first spelling kept)."""
    seen: dict[str, str] = {}
    for m in documents:
        if m.outlet and m.outlet.strip():
            seen.setdefault(m.outlet.casefold(), m.outlet)
    return sorted(seen.values(), key=str.casefold)


def from_options(
    doc_ids: Sequence[str] | None = None,
    outlets: Sequence[str] | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
) -> SourceFilter | None:
    """A filter from CLI / page / API inputs; None when none is given (FilterError if bad)."""
    where = SourceFilter.parse({"doc_ids": doc_ids or (), "outlets": outlets or (), "since": since, "until": until})
    return None if where is None or where.is_empty else where

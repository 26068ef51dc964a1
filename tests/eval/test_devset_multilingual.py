"""The multilingual dev set (eval/devset/multilingual): Chinese and Thai articles, English questions,
quotes verbatim in what `rag add` extracts, the dev set's tune/check rule, sources for every article."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from eval.devset.split import MULTILINGUAL_ARTICLES_DIR, MULTILINGUAL_DIR, MULTILINGUAL_QUESTIONS_PATH, split_rows
from eval.gold import GoldRow, load_gold
from eval.normalize import matches_all
from index.extraction import ExtractedText, extract_text
from index.language import identify_language


@pytest.fixture(scope="module")
def rows() -> list[GoldRow]:
    return load_gold(MULTILINGUAL_QUESTIONS_PATH)


@pytest.fixture(scope="module")
def extracted() -> dict[str, ExtractedText]:
    return {p.name: extract_text(p) for p in sorted(MULTILINGUAL_ARTICLES_DIR.iterdir()) if p.is_file()}


def test_three_chinese_and_three_thai_articles_identified_as_such(extracted: dict[str, ExtractedText]) -> None:
    languages = Counter(identify_language(found.text) for found in extracted.values())
    assert languages["zh"] >= 3 and languages["th"] >= 3 and sum(languages.values()) == len(extracted)
    assert {name.split(".")[-1] for name in extracted} >= {"md", "txt", "html"}


def test_forty_english_questions_a_quarter_near_misses_in_both_halves(rows: list[GoldRow]) -> None:
    assert len(rows) >= 40 and len({r.id for r in rows}) == len(rows)
    assert sum(not r.answerable for r in rows) >= len(rows) / 4
    halves = split_rows(rows)
    for half in ("tune", "check"):
        assert sum(r.answerable for r in halves[half]) >= 10 and sum(not r.answerable for r in halves[half]) >= 5
    assert all(identify_language(r.question) == "en" for r in rows)


def test_every_quote_is_verbatim_in_a_multilingual_article(rows: list[GoldRow], extracted: dict[str, ExtractedText]) -> None:
    for row in rows:
        if not row.answerable:
            assert not row.supporting and not row.answer_patterns, row.id
            continue
        assert row.supporting and matches_all(row.answer_patterns, row.gold_answer or "", row.pattern_kind), row.id
        for support in row.supporting:
            assert support.source_file in extracted, (row.id, support.source_file)
            assert support.quote in extracted[support.source_file].text, (row.id, support.quote)


def test_every_article_lists_its_sources(extracted: dict[str, ExtractedText]) -> None:
    sources = json.loads((MULTILINGUAL_DIR / "sources.json").read_text(encoding="utf-8"))
    assert {name for name in sources if not name.startswith("_")} == set(extracted)
    assert all(entries and all(e["url"].startswith("http") for e in entries)
               for name, entries in sources.items() if not name.startswith("_"))

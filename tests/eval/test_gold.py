"""The gold set itself: well formed, quotes verbatim, patterns consistent with gold answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from eval.gold import GoldRow, corpus_texts, gold_problems, load_gold
from eval.normalize import matches_all

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
MYANMAR = "How many people are held in Myanmar?"


@pytest.fixture(scope="module")
def gold() -> list[GoldRow]:
    return load_gold()


def test_gold_has_no_problems(gold: list[GoldRow]) -> None:
    assert gold_problems(gold, corpus_texts(CORPUS)) == []


def test_every_quote_is_an_exact_substring(gold: list[GoldRow]) -> None:
    texts = corpus_texts(CORPUS)
    for row in gold:
        for support in row.supporting:
            assert support.quote in texts[support.doc_id], (row.id, support.quote)


def test_size_and_mix(gold: list[GoldRow]) -> None:
    kinds = Counter(row.type for row in gold)
    assert len(gold) >= 60
    assert kinds["unanswerable"] >= 15
    for kind in ["number", "name", "place", "date", "list", "why_how", "multi_hop", "temporal_conflict",
                 "paraphrase", "misspelled"]:
        assert kinds[kind] >= 1, kind


def test_myanmar_question_cites_all_four_articles(gold: list[GoldRow]) -> None:
    row = next(r for r in gold if r.question == MYANMAR)
    assert row.gold_answer == "at least 120,000"
    assert {s.doc_id[:3] for s in row.supporting} == {"000", "001", "002", "003"}


def test_patterns_match_gold_answer_and_quotes(gold: list[GoldRow]) -> None:
    for row in gold:
        if not row.answerable:
            continue
        assert matches_all(row.answer_patterns, row.gold_answer or "", row.pattern_kind), row.id
        quotes = " ".join(s.quote for s in row.supporting)
        assert matches_all(row.answer_patterns, quotes, row.pattern_kind), row.id


def test_patterns_are_not_trivially_loose(gold: list[GoldRow]) -> None:
    """No answerable row may be matched by the refusal or by an unrelated stock answer."""
    for row in gold:
        if row.answerable:
            for text in ["The sources don't say.", "Hundreds of thousands of people were trafficked.", ""]:
                assert not matches_all(row.answer_patterns, text, row.pattern_kind), (row.id, text)


def test_load_gold_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "x", "question": "q", "type": "nonsense", "answerable": true}\n')
    with pytest.raises(ValueError, match=r"gold\.jsonl:1"):
        load_gold(path)

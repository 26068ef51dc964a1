"""The reading ceiling: each answerable question answered from the passage that holds its quote."""

from __future__ import annotations

from eval.gold import GoldRow, SupportingQuote, corpus_texts, load_gold
from eval.reader_ceiling import CeilingRow, ceiling_rows, summary, supporting_passage
from rag.assistant import Assistant


def seed_row(row_id: str) -> GoldRow:
    return next(row for row in load_gold() if row.id == row_id)


def test_the_passage_is_a_chunk_that_covers_the_quote(assistant: Assistant) -> None:
    row = seed_row("q001")
    passage = supporting_passage(assistant, row, corpus_texts(assistant.settings.paths.corpus_dir))
    assert passage is not None
    assert any(" ".join(s.quote.split()) in " ".join(passage.text.split()) for s in row.supporting)
    assert passage.doc_id in {s.doc_id for s in row.supporting}


def test_a_question_is_answered_from_its_passage_and_a_missing_quote_is_reported(assistant: Assistant) -> None:
    answerable = seed_row("q001")
    missing = answerable.model_copy(update={
        "id": "x1", "supporting": [SupportingQuote(doc_id=answerable.supporting[0].doc_id, quote="no article says this")],
    })
    unanswerable = answerable.model_copy(update={"id": "x2", "answerable": False})
    rows = ceiling_rows(assistant, [answerable, missing, unanswerable], "extractive")
    assert [row.id for row in rows] == ["q001", "x1"]  # only answerable questions are read
    assert rows[0].found_passage and rows[0].correct and "120,000" in rows[0].answer
    assert not rows[1].found_passage and not rows[1].correct and rows[1].reason == "no chunk covers the supporting quote"


def test_the_summary_counts_only_questions_with_a_passage() -> None:
    rows = [
        CeilingRow(id="a", question="?", found_passage=True, correct=True, correctly_cited=True, answer="1 [1]."),
        CeilingRow(id="b", question="?", found_passage=True, correct=True, correctly_cited=False, answer="2 [1]."),
        CeilingRow(id="c", question="?", found_passage=True, correct=False, correctly_cited=False, answer=""),
        CeilingRow(id="d", question="?", found_passage=False, correct=False, correctly_cited=False, answer=""),
    ]
    assert summary(rows) == ("from the supporting passage alone: right 2/3, right with a supporting citation 1/3 "
                             "(0.33); no chunk covers the quote of 1")

from __future__ import annotations

import pytest

from eval.gold import GoldRow, SupportingQuote
from eval.retrieval_metrics import retrieval_scores
from rag.types import Passage

TEXTS = {"a": "x" * 100 + "THE GOLD QUOTE HERE" + "y" * 100, "b": "z" * 50 + "SECOND QUOTE" + "w" * 50}
QA = TEXTS["a"].index("THE GOLD")
QB = TEXTS["b"].index("SECOND")
ROW = GoldRow(id="q", question="?", type="multi_hop", answerable=True, gold_answer="g", answer_patterns=["g"],
              supporting=[SupportingQuote(doc_id="a", quote="THE GOLD QUOTE HERE"),
                          SupportingQuote(doc_id="b", quote="SECOND QUOTE")])
NOPE = GoldRow(id="n", question="?", type="unanswerable", answerable=False)


def passage(doc: str, start: int, end: int) -> Passage:
    return Passage(chunk_id=f"{doc}:{start}", doc_id=doc, title=doc, text=TEXTS[doc][start:end], start=start,
                   end=end, paragraph=0)


def test_rank_and_recall() -> None:
    miss, hit_a, hit_b = passage("a", 0, 90), passage("a", QA - 5, QA + 30), passage("b", QB, QB + 12)
    s = retrieval_scores([[miss, hit_a, hit_b], []], [ROW, NOPE], TEXTS, k=3)
    assert (s.n, s.recall_at_k, s.mrr, s.quote_recall_at_k) == (1, 1.0, 0.5, 1.0)
    s2 = retrieval_scores([[miss, hit_a, hit_b]], [ROW], TEXTS, k=2)
    assert s2.quote_recall_at_k == 0.5
    s1 = retrieval_scores([[miss, hit_a, hit_b]], [ROW], TEXTS, k=1)
    assert (s1.recall_at_k, s1.mrr) == (0.0, 0.0)


def test_partial_overlap_counts_only_when_substantial() -> None:
    half = len("THE GOLD QUOTE HERE")
    most = passage("a", QA + 3, QA + half + 50)  # cuts 3 of 19 characters
    little = passage("a", QA + half - 4, QA + half + 50)  # 4 of 19
    wrong_doc = Passage(chunk_id="b:0", doc_id="b", title="b", text="x", start=QA, end=QA + half, paragraph=0)
    assert retrieval_scores([[most]], [ROW], TEXTS, 1).recall_at_k == 1.0
    assert retrieval_scores([[little]], [ROW], TEXTS, 1).recall_at_k == 0.0
    assert retrieval_scores([[wrong_doc]], [ROW], TEXTS, 1).recall_at_k == 0.0
    assert retrieval_scores([[]], [ROW], TEXTS, 1).mrr == pytest.approx(0.0)

"""A small hand-made EvalResult for report and gate tests."""

from __future__ import annotations

from eval.metrics import AnswerMetrics
from eval.retrieval_metrics import RetrievalScores
from eval.runner import BackendResult, EvalResult, QuestionRow


def fake_result(accuracy: float = 0.9, recall: float = 0.95) -> EvalResult:
    metrics = AnswerMetrics(n=2, n_answered=1, n_refused=1, n_failed=0, accuracy=accuracy, precision=1.0,
                            refusal_recall=1.0, false_refusal_rate=0.0, correctly_cited_rate=1.0,
                            citation_recall=1.0, citation_precision=1.0, latency_median_s=0.5, latency_p95_s=0.9,
                            accuracy_by_type={"number": 1.0, "unanswerable": 1.0})
    rows = [
        QuestionRow(id="q1", type="number", question="How many people are held in Myanmar?", answerable=True,
                    gold_answer="at least 120,000", answer="At least 120,000.", status="answered", correct=True,
                    citations_ok=True, sentences_supported="1/1", cited_docs=["003"], seconds=0.5),
        QuestionRow(id="q2", type="unanswerable", question="Who won the 2022 World Cup?", answerable=False,
                    gold_answer=None, answer="Argentina | won", status="answered", correct=False,
                    citations_ok=None, sentences_supported="0/1", cited_docs=[], seconds=0.9),
    ]
    scores = {mode: RetrievalScores(k=6, n=1, recall_at_k=recall, quote_recall_at_k=recall, mrr=0.5,
                                    latency_median_s=0.01, latency_p95_s=0.02) for mode in ("dense", "hybrid")}
    return EvalResult(created_at="2026-01-01T00:00:00+00:00", k=6, n_questions=2,
                      backends={"extractive": BackendResult(backend="extractive", metrics=metrics, rows=rows)},
                      retrieval=scores)

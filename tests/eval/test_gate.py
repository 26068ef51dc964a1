"""The quality gate: logic on hand-made results, then the real eval over the real corpus."""

from __future__ import annotations

import pytest

from eval.gate import check_gate, load_thresholds
from eval.gold import load_gold
from eval.runner import run_eval
from rag.assistant import Assistant
from rag.settings import Settings
from tests.eval.helpers import fake_result

LIMITS = {"extractive": {"min": {"accuracy": 0.8, "retrieval_recall_at_k_hybrid": 0.9},
                         "max": {"latency_p95_s": 1.0}}}


def test_gate_logic() -> None:
    assert check_gate(fake_result(), LIMITS) == []
    failures = check_gate(fake_result(accuracy=0.5, recall=0.2), LIMITS)
    assert len(failures) == 2
    assert "accuracy = 0.500" in failures[0] and "retrieval_recall_at_k_hybrid" in failures[1]
    assert check_gate(fake_result(), {"extractive": {"min": {"no_such_metric": 0.1}}})[0].startswith(
        "extractive: unknown metric")
    assert check_gate(fake_result(), {"local": {"min": {"accuracy": 0.99}}}) == []  # backend not run


def test_thresholds_file_covers_the_required_metrics() -> None:
    minimums = load_thresholds()["extractive"]["min"]
    for name in ["accuracy", "precision", "refusal_recall", "citation_recall", "citation_precision",
                 "retrieval_recall_at_k_hybrid"]:
        assert 0.0 < minimums[name] <= 1.0, name


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_real_eval_passes_the_gate(assistant: Assistant) -> None:
    result = run_eval(assistant, load_gold(), ["extractive"], modes=("hybrid",))
    assert check_gate(result) == [], result.backends["extractive"].metrics


@pytest.mark.slow
def test_sabotaged_retrieval_fails_the_gate(seed_settings: Settings) -> None:
    settings = seed_settings.model_copy(deep=True)
    settings.retrieval.top_k = 1
    settings.retrieval.min_relevance = 0.99
    gold = load_gold()
    sample = [r for r in gold if r.answerable][:12] + [r for r in gold if not r.answerable][:4]
    result = run_eval(Assistant.load(settings), sample, ["extractive"], modes=("hybrid",))
    failures = check_gate(result)
    assert any(f.startswith("extractive: accuracy") for f in failures), failures
    # One passage a question: the gold passages are missed (questions naming their source still
    # get that article's passages, so the few answers given may be cited well).
    assert any("retrieval_recall_at_k" in f for f in failures), failures

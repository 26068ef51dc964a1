"""The quality gate: compare an EvalResult with eval/thresholds.json and list what falls short.

thresholds.json: {"<backend>": {"min": {metric: value}, "max": {metric: value}}}. Metric names are
AnswerMetrics fields, or "retrieval_<field>_<mode>" for retrieval (e.g. retrieval_recall_at_k_hybrid).
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.runner import EvalResult

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
Thresholds = dict[str, dict[str, dict[str, float]]]


def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    data: Thresholds = json.loads(path.read_text(encoding="utf-8"))
    return data


def metric_value(result: EvalResult, backend: str, name: str) -> float:
    if name.startswith("retrieval_"):
        field, _, mode = name.removeprefix("retrieval_").rpartition("_")
        return float(getattr(result.retrieval[mode], field))
    return float(getattr(result.backends[backend].metrics, name))


def check_gate(result: EvalResult, thresholds: Thresholds | None = None) -> list[str]:
    """Failures, one line each; an empty list means the gate passes. Backends not run are skipped."""
    thresholds = load_thresholds() if thresholds is None else thresholds
    failures = []
    for backend, limits in thresholds.items():
        if backend not in result.backends:
            continue
        for bound, values in limits.items():
            for name, limit in values.items():
                try:
                    value = metric_value(result, backend, name)
                except (AttributeError, KeyError) as err:
                    failures.append(f"{backend}: unknown metric {name!r} ({err})")
                    continue
                if (bound == "min" and value < limit) or (bound == "max" and value > limit):
                    failures.append(f"{backend}: {name} = {value:.3f}, {bound} allowed {limit:.3f}")
    return failures

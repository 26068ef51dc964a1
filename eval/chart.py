"""A PNG bar chart of the headline metrics per backend (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path

from eval.report import HEADLINE
from eval.runner import EvalResult


def bar_chart(result: EvalResult, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label for _, label in HEADLINE] + [f"recall@{result.k} (ours: hybrid)"]
    series = {
        name: [getattr(b.metrics, key) for key, _ in HEADLINE]
        + [result.retrieval["hybrid"].recall_at_k if "hybrid" in result.retrieval else 0.0]
        for name, b in result.backends.items()
    }
    if result.baseline:
        series["langchain baseline"] = [
            result.baseline["metrics"].get(key, 0.0) for key, _ in HEADLINE
        ] + [result.baseline["retrieval"]["recall_at_k"]]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        positions = [x + i * width for x in range(len(labels))]
        bars = ax.bar(positions, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))], labels, rotation=20, ha="right")
    ax.set_ylim(0, 1.1)
    ax.set_title(f"Gold set ({result.n_questions} questions), {result.created_at}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

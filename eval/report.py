"""Write an EvalResult as JSON, Markdown and a PNG chart; print a short summary table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eval.runner import DevsetEvalResult, EvalResult, QuestionRow

if TYPE_CHECKING:
    from rich.table import Table

DEFAULT_OUT = Path(__file__).with_name("reports")
HEADLINE = [
    ("accuracy", "accuracy"), ("precision", "precision"), ("refusal_recall", "refusal recall"),
    ("false_refusal_rate", "false refusals"), ("correctly_cited_rate", "correct & cited"),
    ("citation_recall", "cit. recall"), ("citation_precision", "cit. precision"),
]


def _cell(text: object, limit: int = 160) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summary_rows(result: EvalResult) -> list[list[str]]:
    rows = []
    for name, backend in result.backends.items():
        m = backend.metrics
        rows.append([name] + [f"{getattr(m, key):.2f}" for key, _ in HEADLINE]
                    + [f"{m.latency_median_s:.2f}", f"{m.latency_p95_s:.2f}", f"{m.median_answer_words:.0f}"])
    return rows


def summary_header() -> list[str]:
    return ["backend"] + [label for _, label in HEADLINE] + ["median s", "p95 s", "median words"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _question_table(rows: list[QuestionRow]) -> list[str]:
    failures = [r for r in rows if not r.correct or r.citations_ok is False]
    ordered = failures + [r for r in rows if r not in failures]
    body = [
        [r.id, r.type, _cell(r.question, 90), _cell(r.answer or f"({r.status}) {r.reason or ''}"),
         "yes" if r.correct else "**NO**", {None: "-", True: "yes", False: "**NO**"}[r.citations_ok],
         r.sentences_supported, f"{r.seconds:.2f}"]
        for r in ordered
    ]
    return _table(["id", "type", "question", "answer", "correct", "cited ok", "supported", "s"], body)


def markdown(result: EvalResult) -> str:
    lines = [f"# Evaluation report ({result.created_at})", "",
             f"{result.n_questions} gold questions; retrieval k = {result.k}.", "", "## Answers", ""]
    lines += _table(summary_header(), summary_rows(result))
    lines += ["", "## Retrieval (answerable questions)", ""]
    lines += _table(["mode", f"recall@{result.k}", f"quote recall@{result.k}", "MRR", "median s", "p95 s"], [
        [mode, f"{s.recall_at_k:.2f}", f"{s.quote_recall_at_k:.2f}", f"{s.mrr:.2f}",
         f"{s.latency_median_s:.3f}", f"{s.latency_p95_s:.3f}"] for mode, s in result.retrieval.items()
    ])
    if result.baseline:
        lines += ["", "## Peer baseline (LangChain FAISS recipe) vs ours", ""]
        lines += _table(["measure", "baseline", "ours", "baseline / ours"], [
            [key, f"{v['baseline']:.3f}", f"{v['ours']:.3f}", f"{v['ratio']:.2f}"]
            for key, v in result.baseline["comparison"].items()
        ])
        lines += ["", _cell(result.baseline.get("description", ""), 1000)]
    for name, backend in result.backends.items():
        lines += ["", f"## Accuracy by question type: {name}", ""]
        lines += _table(["type", "accuracy"], [[t, f"{a:.2f}"] for t, a in backend.metrics.accuracy_by_type.items()])
        lines += ["", f"## Questions: {name} (failures first)", "", *_question_table(backend.rows)]
    return "\n".join(lines) + "\n"


def write_report(result: EvalResult, out_dir: Path = DEFAULT_OUT, chart: bool = True) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "eval.json", "markdown": out_dir / "eval.md"}
    paths["json"].write_text(result.model_dump_json(indent=2), encoding="utf-8")
    paths["markdown"].write_text(markdown(result), encoding="utf-8")
    if chart:
        from eval.chart import bar_chart

        paths["chart"] = bar_chart(result, out_dir / "eval.png")
    return paths


def _rich_table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


def print_summary(result: EvalResult) -> None:
    from rich.console import Console

    table = _rich_table(f"eval: {result.n_questions} questions, k={result.k}", summary_header(), summary_rows(result))
    console = Console(width=max(140, Console().width))
    console.print(table)
    console.print("retrieval: " + "; ".join(
        f"{mode} recall@{s.k} {s.recall_at_k:.2f} MRR {s.mrr:.2f}" for mode, s in result.retrieval.items()))
    if result.baseline:
        console.print("baseline/ours: " + "; ".join(
            f"{key} {v['ratio']:.2f}" for key, v in result.baseline["comparison"].items()))


# -- `rag eval --devset`: three blocks (seed gold, dev tune, dev check) side by side ------------
def devset_summary_rows(result: DevsetEvalResult) -> list[list[str]]:
    rows = []
    for block, sub in result.blocks.items():
        for name, backend in sub.backends.items():
            m = backend.metrics
            rows.append([block, name, str(m.n)] + [f"{getattr(m, key):.2f}" for key, _ in HEADLINE]
                        + [f"{m.latency_median_s:.2f}", f"{m.median_answer_words:.0f}"])
    return rows


def devset_summary_header() -> list[str]:
    return ["block", "backend", "n"] + [label for _, label in HEADLINE] + ["median s", "median words"]


def type_breakdown(result: DevsetEvalResult, backend: str) -> list[list[str]]:
    """One row per question type: 'accuracy (correct/n)' in each block, '-' where a block has none."""
    counts: dict[str, dict[str, list[int]]] = {}
    for block, sub in result.blocks.items():
        if backend not in sub.backends:
            continue
        for row in sub.backends[backend].rows:
            tally = counts.setdefault(row.type, {}).setdefault(block, [0, 0])
            tally[0] += row.correct
            tally[1] += 1
    body = []
    for kind in sorted(counts):
        cells = []
        for block in result.blocks:
            got = counts[kind].get(block)
            cells.append(f"{got[0] / got[1]:.2f} ({got[0]}/{got[1]})" if got else "-")
        body.append([kind, *cells])
    return body


def devset_markdown(result: DevsetEvalResult) -> str:
    lines = [f"# Evaluation report with the dev set ({result.created_at})", "",
             f"One scratch corpus: the seed articles plus {len(result.articles)} dev articles added as "
             "`rag add` adds them. Dev questions split by a fixed rule: " + result.split_rule + ".", "",
             "Seed questions re-labelled because dev articles answer them: "
             + (", ".join(result.seed_overrides) or "none") + ".", "",
             "## Summary", ""]
    lines += _table(devset_summary_header(), devset_summary_rows(result))
    backends = list(dict.fromkeys(b for sub in result.blocks.values() for b in sub.backends))
    for backend in backends:
        lines += ["", f"## Accuracy by question type: {backend}", ""]
        lines += _table(["type", *result.blocks], type_breakdown(result, backend))
    lines += ["", "## Retrieval (answerable questions with a quote in the text)", ""]
    lines += _table(["block", "mode", "n", "recall@k", "quote recall@k", "MRR"], [
        [block, mode, str(s.n), f"{s.recall_at_k:.2f}", f"{s.quote_recall_at_k:.2f}", f"{s.mrr:.2f}"]
        for block, sub in result.blocks.items() for mode, s in sub.retrieval.items()
    ])
    lines += ["", "## Dev articles", ""]
    lines += _table(["file", "doc_id"], [[a.file, a.doc_id] for a in result.articles])
    for block, sub in result.blocks.items():
        for name, backend_result in sub.backends.items():
            lines += ["", f"## Questions: {block}, {name} (failures first)", "", *_question_table(backend_result.rows)]
    return "\n".join(lines) + "\n"


def write_devset_report(result: DevsetEvalResult, out_dir: Path = DEFAULT_OUT) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "eval_devset.json", "markdown": out_dir / "eval_devset.md"}
    paths["json"].write_text(result.model_dump_json(indent=2), encoding="utf-8")
    paths["markdown"].write_text(devset_markdown(result), encoding="utf-8")
    return paths


def print_devset_summary(result: DevsetEvalResult) -> None:
    from rich.console import Console
    from rich.table import Table

    table = _rich_table(f"eval --devset: seed gold + dev ({len(result.articles)} articles), per block",
                        devset_summary_header(), devset_summary_rows(result))
    console = Console(width=max(160, Console().width))
    console.print(table)
    backends = list(dict.fromkeys(b for sub in result.blocks.values() for b in sub.backends))
    for backend in backends:
        per_type = Table(title=f"accuracy by type: {backend}")
        for column in ["type", *result.blocks]:
            per_type.add_column(column)
        for row in type_breakdown(result, backend):
            per_type.add_row(*row)
        console.print(per_type)

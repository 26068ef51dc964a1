"""`rag eval`: run the gold set, write the report, optionally enforce the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def eval_command(
    backend: Annotated[list[str] | None, typer.Option("--backend", "-b", help="repeatable; default extractive")] = None,
    out: Annotated[Path, typer.Option("--out", help="report folder")] = Path("eval/reports"),
    gate: Annotated[bool, typer.Option("--gate/--no-gate", help="exit 1 when below eval/thresholds.json")] = False,
    k: Annotated[int | None, typer.Option("--k", help="retrieval depth (default: settings top_k)")] = None,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="also run the LangChain recipe")] = True,
    gold: Annotated[Path | None, typer.Option("--gold", help="gold JSONL (default eval/gold.jsonl)")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="index folder")] = None,
) -> None:
    """Evaluate answers, citations and retrieval on the gold question set."""
    from eval.gate import check_gate
    from eval.gold import GOLD_PATH, load_gold
    from eval.report import print_summary, write_report
    from eval.runner import run_eval
    from rag.assistant import Assistant
    from rag.settings import Settings

    settings = Settings()
    if data_dir is not None:
        settings.paths.data_dir = data_dir
    assistant = Assistant.load(settings)
    result = run_eval(assistant, load_gold(gold or GOLD_PATH), backend or ["extractive"], k, with_baseline=baseline)
    paths = write_report(result, out)
    print_summary(result)
    typer.echo("report: " + ", ".join(str(p) for p in paths.values()))
    if gate:
        failures = check_gate(result)
        for failure in failures:
            typer.echo(f"GATE FAIL {failure}", err=True)
        if failures:
            raise typer.Exit(1)
        typer.echo("gate: passed")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from eval.cli import register


def test_register_adds_the_eval_command() -> None:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so typer keeps "eval" as a subcommand name
        pass

    result = CliRunner().invoke(app, ["eval", "--help"])
    assert result.exit_code == 0, result.output
    for option in ["--backend", "--out", "--gate", "--no-gate", "--k", "--devset", "--dev-articles", "--scratch"]:
        assert option in result.output


def test_eval_without_an_index_is_a_one_line_error(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:
        pass

    result = CliRunner().invoke(app, ["eval", "--no-baseline", "--data-dir", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "no index" in result.output and "rag index" in result.output
    assert "Traceback" not in result.output

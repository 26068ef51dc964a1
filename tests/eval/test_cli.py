from __future__ import annotations

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

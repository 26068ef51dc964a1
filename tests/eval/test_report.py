from __future__ import annotations

import json
from pathlib import Path

from eval.report import markdown, write_report
from eval.runner import EvalResult
from tests.eval.helpers import fake_result


def test_report_files_and_failures_first(tmp_path: Path) -> None:
    result = fake_result()
    paths = write_report(result, tmp_path / "out")
    assert EvalResult.model_validate(json.loads(paths["json"].read_text())) == result
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = paths["markdown"].read_text()
    assert text.index("| q2 |") < text.index("| q1 |")  # the failure is listed first
    assert "Argentina \\| won" in text  # table cells are escaped
    assert "| extractive | 0.90 |" in text


def test_markdown_shows_retrieval_per_mode() -> None:
    text = markdown(fake_result(recall=0.5))
    assert "| hybrid | 0.50 |" in text and "| dense | 0.50 |" in text

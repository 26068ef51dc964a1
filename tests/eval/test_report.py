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


def test_devset_report_has_three_blocks_and_per_type_counts(tmp_path: Path) -> None:
    from eval.report import devset_markdown, write_devset_report
    from eval.runner import DevArticle, DevsetEvalResult

    blocks = {"seed": fake_result(0.9), "dev-tune": fake_result(0.5), "dev-check": fake_result(0.25)}
    result = DevsetEvalResult(created_at="2026-01-01T00:00:00+00:00", split_rule="rule",
                              articles=[DevArticle(file="a.txt", doc_id="a_1")], blocks=blocks)
    text = devset_markdown(result)
    assert "| seed | extractive | 2 | 0.90 |" in text
    assert "| dev-tune | extractive | 2 | 0.50 |" in text
    assert "| dev-check | extractive | 2 | 0.25 |" in text
    # per type, from the question rows: q1 correct (number), q2 wrong (unanswerable), in every block
    assert "| number | 1.00 (1/1) | 1.00 (1/1) | 1.00 (1/1) |" in text
    assert "| unanswerable | 0.00 (0/1) | 0.00 (0/1) | 0.00 (0/1) |" in text
    paths = write_devset_report(result, tmp_path)
    assert json.loads(paths["json"].read_text())["blocks"]["dev-check"]["n_questions"] == 2

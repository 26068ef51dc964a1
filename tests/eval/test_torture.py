"""The crash-torture harness: a short real run finds no defect, and its checks can fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.torture import DEFECTS, consistency_problems, run_torture, temp_leftovers
from rag.settings import Settings


@pytest.mark.slow
def test_two_rounds_of_sigkill_lose_nothing(tmp_path: Path) -> None:
    report = run_torture(rounds=2, seed=3, work=tmp_path / "work", verbose=False)
    assert report.rounds == 2
    assert report.ok, report.summary() + "\n" + "\n".join(report.details)
    assert set(report.counts) <= set(DEFECTS)


def test_consistency_check_finds_a_chunk_that_no_longer_matches_its_article(seed_settings: Settings,
                                                                           tmp_path: Path) -> None:
    settings = seed_settings.model_copy(deep=True)
    settings.paths.data_dir = tmp_path / "data"
    shutil.copytree(seed_settings.paths.data_dir, settings.paths.data_dir)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seed_settings.paths.corpus_dir.glob("*.txt")}
    assert consistency_problems(settings, texts) == []
    doc_id = next(iter(texts))
    texts[doc_id] = texts[doc_id].replace("a", "e")
    problems = consistency_problems(settings, texts)
    assert problems and all("differs from its source slice" in p for p in problems)
    del texts[doc_id]
    assert any("not in the corpus" in p for p in consistency_problems(settings, texts))


def test_leftover_temporary_generations_are_found(tmp_path: Path) -> None:
    settings = Settings()
    settings.paths.corpus_dir, settings.paths.data_dir = tmp_path / "c", tmp_path / "d"
    settings.paths.corpus_dir.mkdir()
    (settings.paths.data_dir / ".gen-20260101T000000-abc.tmp").mkdir(parents=True)
    (settings.paths.corpus_dir / "x.txt.tmp").write_text(json.dumps({}))
    assert {p.name for p in temp_leftovers(settings)} == {".gen-20260101T000000-abc.tmp", "x.txt.tmp"}

"""The `rag` command line: bad files given to `rag add` are reported and lose nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app

SEEDS = Path(__file__).resolve().parents[2] / "corpus"
runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / "001_6b63a1e1db25d1e7.txt", folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("latin1.txt", "Caf\xe9 cr\xe8me".encode("latin-1"), "not valid UTF-8"),
        ("empty.md", b"", "empty"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
        ("broken.pdf", b"%PDF-1.7\nthis is not really a pdf", "PDF"),
    ],
)
def test_bad_file_is_refused_and_corpus_untouched(
    corpus: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    before = snapshot(corpus)
    result = runner.invoke(app, ["add", str(bad), "--corpus-dir", str(corpus), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(corpus) == before


def test_duplicate_is_skipped(corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "same-article.txt"
    shutil.copy(SEEDS / "001_6b63a1e1db25d1e7.txt", copy)
    result = runner.invoke(app, ["add", str(copy), "--corpus-dir", str(corpus), "--data-dir", str(tmp_path / "d")])
    assert "skipped duplicate" in result.output and "same content as 001_6b63a1e1db25d1e7" in result.output
    assert len(list(corpus.glob("*.txt"))) == 1


@pytest.mark.slow
def test_ask_json_and_empty_question(seed_settings) -> None:  # type: ignore[no-untyped-def]
    data_dir = str(seed_settings.paths.data_dir)
    result = runner.invoke(app, ["ask", "--json", "--data-dir", data_dir, "How many people are held in Myanmar?"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] == "answered" and "120,000" in answer["citations"][0]["quote"]
    empty = runner.invoke(app, ["ask", "--data-dir", data_dir, "   "])
    assert empty.exit_code == 2 and "empty" in empty.output

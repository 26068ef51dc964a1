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


def test_symlink_is_refused_and_nothing_copied(corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    link = tmp_path / "p.txt"
    link.symlink_to(outside)
    before = snapshot(corpus)
    result = runner.invoke(app, ["add", str(link), "--corpus-dir", str(corpus), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert snapshot(corpus) == before


def test_latin1_file_is_added_and_the_encoding_said(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 cr\xe8me: 1 482 travailleurs lib\xe9r\xe9s du complexe.\n".encode("latin-1"))
    result = runner.invoke(app, ["add", str(path), "--corpus-dir", str(corpus), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "decoded as cp1252" in result.output
    assert any("Café crème" in p.read_text(encoding="utf-8") for p in corpus.glob("*.txt"))


@pytest.mark.slow
def test_add_after_a_crash_between_copy_and_index_indexes_the_article(corpus: Path, tmp_path: Path) -> None:
    """`rag add` killed after copying the file: running it again must index the article, not just skip it."""
    from index.corpus_store import CorpusStore
    from index.store import IndexStore

    data = tmp_path / "d"
    assert runner.invoke(app, ["index", "--corpus-dir", str(corpus), "--data-dir", str(data)]).exit_code == 0
    article = tmp_path / "harbour.txt"
    article.write_text(
        "Rescue at the invented Harbour Nine compound\n\nPolice said 1,482 workers were freed from the "
        "Harbour Nine compound.\n",
        encoding="utf-8",
    )
    doc_id = CorpusStore(corpus).add(article).added[0]  # the copy happened; the indexing never did
    assert doc_id not in IndexStore(data).read_manifest().documents
    result = runner.invoke(app, ["add", str(article), "--corpus-dir", str(corpus), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "skipped duplicate" in result.output and "not in the index" in result.output
    assert doc_id in IndexStore(data).read_manifest().documents
    again = runner.invoke(app, ["add", str(article), "--corpus-dir", str(corpus), "--data-dir", str(data)])
    assert again.exit_code == 0 and "not in the index" not in again.output  # nothing left to repair


@pytest.mark.slow
def test_pdf_fact_is_cited_with_its_page(corpus: Path, tmp_path: Path) -> None:
    from rag.types import page_label
    from tests.pdf_pages import FACT_PAGE, FACT_QUESTION, make_paged_pdf

    pdf = make_paged_pdf(tmp_path / "marrowgate-briefing.pdf")
    dirs = ["--data-dir", str(tmp_path / "d")]
    added = runner.invoke(app, ["add", str(pdf), "--corpus-dir", str(corpus), *dirs])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["ask", "--json", *dirs, FACT_QUESTION])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] == "answered" and "4,271" in answer["text"]
    cited = [c for c in answer["citations"] if "4,271" in c["quote"]]
    assert cited and all(c["pages"] == [FACT_PAGE] for c in cited)
    assert all(c["pages"] == [] for c in answer["citations"] if not c["doc_id"].startswith("marrowgate"))
    assert any(FACT_PAGE in p["pages"] for p in answer["passages"] if "4,271" in p["text"])
    text = runner.invoke(app, ["ask", *dirs, FACT_QUESTION])
    assert text.exit_code == 0, text.output
    assert f"p. {FACT_PAGE} (marrowgate-briefing" in " ".join(text.output.split())
    # The whole short report is one chunk here, so the passage lies on all its pages ("pp. 1–3").
    (passage,) = json.loads(runner.invoke(app, ["search", "--json", *dirs, "-k", "1", FACT_QUESTION]).output)
    assert FACT_PAGE in passage["pages"] and passage["pages"] == sorted(set(passage["pages"]))
    found = runner.invoke(app, ["search", *dirs, "-k", "1", FACT_QUESTION])
    assert found.exit_code == 0 and f"{page_label(passage['pages'])})" in " ".join(found.output.split())


def test_list_shows_each_articles_language(corpus: Path, tmp_path: Path) -> None:
    from index.corpus_store import CorpusStore

    # The seed copied here has no sidecar from identification: it is taken as English.
    raid = tmp_path / "raid.txt"
    raid.write_text("缅甸军方突袭了妙瓦底的诈骗园区，拘留了两千多人，并没收了三十台星链终端。\n", encoding="utf-8")
    assert CorpusStore(corpus).add(raid).added
    result = runner.invoke(app, ["list", "--corpus-dir", str(corpus)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    languages = sorted(line.rsplit("|", 1)[-1].strip() for line in result.output.splitlines() if line.strip())
    assert languages == ["en", "zh"]

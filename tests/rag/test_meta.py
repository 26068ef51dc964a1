"""`rag meta` and `Assistant.set_meta`: metadata set by hand, applied without re-embedding, shown in citations."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from index.corpus_store import MetadataError
from rag.assistant import Assistant, update_index
from rag.cli import app
from rag.settings import Settings

pytestmark = pytest.mark.slow
runner = CliRunner()
DOC = "001_6b63a1e1db25d1e7"
QUESTION = "How many people are held in Myanmar?"


def dirs(settings: Settings) -> list[str]:
    return ["--corpus-dir", str(settings.paths.corpus_dir), "--data-dir", str(settings.paths.data_dir)]


def vectors(settings: Settings) -> np.ndarray:
    data = settings.paths.data_dir
    return np.load(data / (data / "CURRENT").read_text(encoding="utf-8").strip() / "vectors.npy")


def test_rag_meta_round_trip_embeds_nothing_and_the_citation_shows_it(small_corpus: Settings) -> None:
    assert runner.invoke(app, ["index", *dirs(small_corpus)]).exit_code == 0
    before = vectors(small_corpus)

    shown = runner.invoke(app, ["meta", DOC, *dirs(small_corpus)])
    assert shown.exit_code == 0, shown.output
    assert "UN: 100,000s Trafficked Into Cyber Crime Centres" in shown.output

    result = runner.invoke(
        app, ["meta", DOC, "--outlet", "Harbour Gazette", "--date", "2023-08-31", "--author", "A. Writer",
              "--url", "https://example.org/un-report", *dirs(small_corpus)],
    )
    assert result.exit_code == 0, result.output
    assert "outlet:    Harbour Gazette" in result.output
    assert "2 unchanged; 0 chunks embedded" in " ".join(result.output.split())
    assert np.array_equal(vectors(small_corpus), before)  # the same vectors, reused
    sidecar = json.loads((small_corpus.paths.corpus_dir / f"{DOC}.meta.json").read_text(encoding="utf-8"))
    assert (sidecar["outlet"], sidecar["date"], sidecar["date_estimated"]) == ("Harbour Gazette", "2023-08-31", False)

    asked = runner.invoke(app, ["ask", "--json", "--data-dir", str(small_corpus.paths.data_dir), QUESTION])
    assert asked.exit_code == 0, asked.output
    cited = [c for c in json.loads(asked.output)["citations"] if c["doc_id"] == DOC]
    assert cited, asked.output
    assert (cited[0]["outlet"], cited[0]["date"], cited[0]["author"], cited[0]["url"]) == (
        "Harbour Gazette", "2023-08-31", "A. Writer", "https://example.org/un-report"
    )
    text = runner.invoke(app, ["ask", "--data-dir", str(small_corpus.paths.data_dir), QUESTION])
    assert "Harbour Gazette, 2023-08-31" in " ".join(text.output.split())  # rich wraps long lines


def test_rag_meta_refuses_bad_input_and_changes_nothing(small_corpus: Settings) -> None:
    sidecar = small_corpus.paths.corpus_dir / f"{DOC}.meta.json"
    before = sidecar.read_bytes()
    bad_date = runner.invoke(app, ["meta", DOC, "--date", "31/08/2023", *dirs(small_corpus)])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    missing = runner.invoke(app, ["meta", "nope", *dirs(small_corpus)])
    assert missing.exit_code == 2 and "no article" in missing.output
    assert sidecar.read_bytes() == before


def test_assistant_set_meta_reindexes_without_embedding(small_corpus: Settings) -> None:
    update_index(small_corpus)
    assistant = Assistant.load(small_corpus)
    meta, report = assistant.set_meta(DOC, outlet="Harbour Gazette", date="2023-08-31")
    assert meta.outlet == "Harbour Gazette"
    assert report.chunks_embedded == 0 and DOC in report.unchanged
    answer = assistant.ask(QUESTION)
    assert any(c.doc_id == DOC and (c.outlet, c.date) == ("Harbour Gazette", "2023-08-31") for c in answer.citations)
    assert all(p.outlet == "Harbour Gazette" for p in assistant.search("Myanmar 120,000", k=10) if p.doc_id == DOC)
    with pytest.raises(MetadataError):
        assistant.set_meta(DOC, date="soon")


def test_rag_meta_corrects_the_language_and_the_index_follows(small_corpus: Settings) -> None:
    assert runner.invoke(app, ["index", *dirs(small_corpus)]).exit_code == 0
    bad = runner.invoke(app, ["meta", DOC, "--language", "Chinese", *dirs(small_corpus)])
    assert bad.exit_code == 2 and "ISO 639-1" in bad.output
    result = runner.invoke(app, ["meta", DOC, "--language", "zh", *dirs(small_corpus)])
    assert result.exit_code == 0 and "language:  zh" in result.output, result.output
    data = small_corpus.paths.data_dir
    generation = data / (data / "CURRENT").read_text(encoding="utf-8").strip()
    assert len(np.load(generation / "cross_rows.npy")) > 0  # now searched as an article in Chinese
    back = runner.invoke(app, ["meta", DOC, "--language", "en", *dirs(small_corpus)])
    generation = data / (data / "CURRENT").read_text(encoding="utf-8").strip()
    assert back.exit_code == 0 and len(np.load(generation / "cross_rows.npy")) == 0

"""Adding files to the corpus: symlinks refused, encodings detected, interrupted adds repaired."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index.corpus_store import CorpusStore
from index.documents import load_corpus
from index.extraction import ExtractionError, extract_text

ARTICLE = (
    "Rescue at the invented Harbour Nine compound\n\n"
    "Police said on Monday that 1,482 workers were freed from the Harbour Nine compound, "
    "where they had been forced to run online scams.\n"
)
LATIN = "Le café de Harbour Nine\n\nLa police a libéré 1 482 travailleurs du complexe à Phnom Penh, où ils étaient détenus.\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_symlinked_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 3, encoding="utf-8")
    link = tmp_path / "p.txt"
    link.symlink_to(secret)
    store = CorpusStore(tmp_path / "corpus")
    report = store.add(link)
    assert not report.added
    assert any("symbolic link" in e for e in report.errors), report.errors
    assert not any("root:x" in p.read_text() for p in (tmp_path / "corpus").glob("*.txt"))


def test_symlinks_inside_a_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "private").mkdir(parents=True)
    (outside / "secret.txt").write_text("Secret notes about 9,999 people that must not be added.\n", encoding="utf-8")
    (outside / "private" / "diary.md").write_text("Private diary entry with 7,777 words in it, not for the corpus.\n")
    folder = tmp_path / "to-add"
    folder.mkdir()
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-folder").symlink_to(outside / "private", target_is_directory=True)
    report = CorpusStore(tmp_path / "corpus").add(folder)
    assert len(report.added) == 1
    texts = [d.text for d in load_corpus(tmp_path / "corpus")]
    assert texts == [ARTICLE]
    assert any("link.txt" in e and "symbolic link" in e for e in report.errors), report.errors
    assert any("linked-folder" in e and "not followed" in e for e in report.errors), report.errors


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-16", LATIN.encode("utf-16")),  # with a BOM
        ("utf-16-le", LATIN.encode("utf-16-le")),  # without one: detected
        ("utf-16", b"\xfe\xff" + LATIN.encode("utf-16-be")),
        ("utf-8", LATIN.encode("utf-8-sig")),
        ("cp1252", LATIN.encode("latin-1")),
        ("cp1252", ("The “scam” compound — 1,482 held. " + LATIN).encode("cp1252")),
    ],
)
def test_text_in_other_encodings_is_decoded_and_the_encoding_reported(tmp_path: Path, encoding: str, data: bytes) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    extracted = extract_text(path)
    assert "La police a libéré 1 482 travailleurs" in extracted.text
    assert extracted.encoding is not None and extracted.encoding.replace("_", "-") == encoding
    report = CorpusStore(tmp_path / "corpus").add(path)
    assert len(report.added) == 1 and report.notes and "decoded as" in report.notes[0]


def test_plain_utf8_reports_no_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert extract_text(path).encoding is None


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\x7fELF\x02\x01\x01" + bytes(64) + bytes(range(256)) * 3,
        os.urandom(4096),
        b"abc\x00def ghi",
    ],
)
def test_binary_is_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    with pytest.raises(ExtractionError, match="binary"):
        extract_text(path)


def test_add_interrupted_between_text_and_metadata_is_repaired(tmp_path: Path) -> None:
    source = tmp_path / "harbour.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    corpus = tmp_path / "corpus"
    store = CorpusStore(corpus)
    doc_id = store.add(source).added[0]
    meta_path = corpus / f"{doc_id}.meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.unlink()  # as if the process died after writing the text
    (corpus / f"{doc_id}.meta.json.tmp").write_text("{half")  # and left a temporary file
    report = store.add(source)
    assert report.duplicate_ids == [doc_id] and not report.added
    assert json.loads(meta_path.read_text()) == meta
    assert not list(corpus.glob("*.tmp"))
    assert any("metadata restored" in n for n in report.notes)


def test_added_pdf_keeps_its_page_starts_beside_the_text(tmp_path: Path) -> None:
    from tests.pdf_pages import PAGED_REPORT, make_paged_pdf

    pdf = make_paged_pdf(tmp_path / "report.pdf")
    doc_id = CorpusStore(tmp_path / "corpus").add(pdf).added[0]
    (doc,) = load_corpus(tmp_path / "corpus")
    assert doc.doc_id == doc_id
    starts = doc.meta.page_starts
    assert starts == list(extract_text(pdf).page_starts) and len(starts) == len(PAGED_REPORT)
    assert doc.text[starts[-1]:].startswith("Outcome.")  # offsets index the stored text itself

"""An added article's language: identified by fastText's bundled model, stored and shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.corpus_store import CorpusStore
from index.language import UNDETERMINED, identify_language

# Short news sentences written for these tests (the raid on a compound, the Starlink kits).
CHINESE = "缅甸军方突袭了妙瓦底的诈骗园区，拘留了两千多人，并没收了三十台星链终端。"
THAI = "สเปซเอ็กซ์ปิดการใช้งานชุดอุปกรณ์สตาร์ลิงก์ 2,500 ชุดที่ใช้ในศูนย์หลอกลวงใกล้ชายแดนไทย"
VIETNAMESE = "Cảnh sát Campuchia đã giải cứu hơn 200 người Việt Nam khỏi một khu lừa đảo trực tuyến."
KHMER = "ប៉ូលិសបានរំដោះជនរងគ្រោះជាង ២០០ នាក់ពីមជ្ឈមណ្ឌលបោកប្រាស់តាមអ៊ីនធឺណិត។"
JAPANESE = "警察はミャンマーの詐欺拠点から日本人二十九人を保護したと発表した。"
ENGLISH = "Police in Myanmar said on Monday that they had freed 312 workers from a scam compound."


@pytest.mark.parametrize(
    ("text", "code"),
    [(ENGLISH, "en"), (CHINESE, "zh"), (THAI, "th"), (VIETNAMESE, "vi"), (KHMER, "km"), (JAPANESE, "ja")],
)
def test_the_language_of_a_text(text: str, code: str) -> None:
    assert identify_language(text) == code


def test_short_chinese_is_not_taken_for_japanese() -> None:
    assert identify_language("缅甸军方突袭KK园区，拘留了2000多人。") == "zh"


@pytest.mark.parametrize("text", ["", "   \n\n", "2,000 30 2025-10-22", "KK"])
def test_no_letters_or_no_confident_guess_is_undetermined(text: str) -> None:
    assert identify_language(text) == UNDETERMINED


def test_an_added_article_keeps_its_language_and_the_add_says_it_is_not_english(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "raid.txt").write_text(f"{CHINESE}\n\n{CHINESE}\n", encoding="utf-8")
    (tmp_path / "in" / "freed.txt").write_text(f"{ENGLISH}\n", encoding="utf-8")
    store = CorpusStore(tmp_path / "corpus")
    report = store.add(tmp_path / "in")
    languages = {store.meta(doc_id).source_file: store.meta(doc_id).language for doc_id in report.added}
    assert languages == {"raid.txt": "zh", "freed.txt": "en"}
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "corpus").glob("*.meta.json")]
    assert sorted(s["language"] for s in sidecars) == ["en", "zh"]
    assert [n for n in report.notes if "language" in n] == ["raid.txt: language zh, not English (see README, Limits)"]



def test_an_english_article_with_a_chinese_body_is_chinese() -> None:
    text = "Report from the border, translated below.\n\n" + "\n".join([CHINESE] * 3)
    assert identify_language(text) == "zh"


def test_every_sample_and_dev_set_article_is_english() -> None:
    """The reader reads English passages only: an English article taken for another language would
    go unread. Names, figures and tables make some paragraphs unsure; the whole text decides."""
    from index.extraction import extract_text

    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "corpus").glob("*.txt")), *sorted((root / "eval" / "devset" / "articles").iterdir())]
    assert len(files) > 40
    found = {f.name: identify_language(extract_text(f).text) for f in files}
    assert {name: code for name, code in found.items() if code != "en"} == {}

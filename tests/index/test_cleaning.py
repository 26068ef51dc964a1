from pathlib import Path

from index.cleaning import clean_paragraphs, clean_text
from index.documents import load_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def removed(doc_stem: str) -> list[str]:
    doc = load_document(CORPUS / f"{doc_stem}.txt")
    return [p.text for p in clean_paragraphs(doc.text) if not p.kept]


def test_forum_boilerplate_is_removed_and_article_kept() -> None:
    gone = removed("004_830bf3688af14f07")
    for chrome in [
        "Register Log in",
        "Not open for further replies.",
        "Dadparvar",
        "Staff member",
        "Nov 11, 2016",
        "Continue reading...",
        "Top",
    ]:
        assert chrome in gone, chrome
    text = clean_text(load_document(CORPUS / "004_830bf3688af14f07.txt").text)
    assert "at least 300,000 people originating from 66 countries" in text
    assert "Jurist\xa0UN calls trafficking into cyber-scam operations" in text
    assert "Register Log in" not in text and "Dadparvar" not in text


def test_site_chrome_and_promo_removed_but_byline_kept() -> None:
    assert removed("003_6f1c126e6cebdb67") == ["Skip to content", "Photo by iStock"]
    gone = removed("000_a84b01882d50075b")
    assert "Recorded Future" in gone and "Be taught extra." in gone
    assert "James Reddick" not in gone  # the byline before the author's bio is article text
    assert removed("001_6b63a1e1db25d1e7") == []


def test_no_article_sentence_is_lost() -> None:
    # Every sentence-like line of the seeds (ends with a full stop, over 12 words) survives cleaning.
    for path in CORPUS.glob("*.txt"):
        for para in clean_paragraphs(path.read_text()):
            long_sentence = len(para.text.split()) > 12 and para.text.rstrip().endswith((".", "”", '"'))
            boilerplate = any(m in para.text for m in ("responsibilit", "please login", "appeared first on"))
            if long_sentence and not boilerplate:
                assert para.kept, (path.name, para.text)


def test_paragraph_spans_point_into_the_source() -> None:
    text = "Skip to content\n\n  First paragraph here.  \nSecond one.\n"
    paras = clean_paragraphs(text)
    assert [text[p.start : p.end] for p in paras] == ["Skip to content", "First paragraph here.", "Second one."]
    assert [p.kept for p in paras] == [False, True, True]

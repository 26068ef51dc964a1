"""HTML rendering and settings parsing, without a server: everything from corpus or model is inert."""

from __future__ import annotations

import pytest

from index.documents import Document, DocumentMeta
from rag.types import Answer, AnswerStatus, Citation
from ui.app import parse_auth
from ui.render import Turn, article_html, corpus_html, safe_url, sources_html, transcript_html

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _answer(text: str, quote: str, passage: str, start: int) -> Answer:
    q = passage.index(quote)
    citation = Citation(n=1, doc_id="d1", chunk_id="d1#0", title=EVIL, outlet=EVIL, date="2024-01-01",
                        url="javascript:alert(3)", passage=passage, passage_start=start,
                        passage_end=start + len(passage), quote=quote, quote_start=start + q,
                        quote_end=start + q + len(quote), support=0.9)
    return Answer(question=EVIL, text=text, status=AnswerStatus.ANSWERED, refused=False, citations=[citation],
                  backend_requested="extractive", backend_used="extractive")


def test_transcript_escapes_and_makes_chips_only_for_cited_numbers() -> None:
    answer = _answer(f"At least 120,000 [1] {EVIL} [7].", "120,000 held", "Some 120,000 held there.", 10)
    html = transcript_html([Turn(question=EVIL, answer=answer.model_dump(mode="json"))])
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('class="chip"') == 1 and 'data-n="1"' in html and "[7]" in html


def test_sources_highlight_quote_and_neutralise_links() -> None:
    passage = f"Intro {EVIL}. Some 120,000 held there."
    answer = _answer("At least 120,000 [1].", "120,000 held", passage, 100)
    html = sources_html(answer, 0, 1, show_scores=True)
    assert "<mark>120,000 held</mark>" in html
    assert "<script>" not in html and "<img" not in html
    assert 'href="javascript' not in html


def test_article_marks_quote_at_its_offset_and_escapes_text() -> None:
    text = f"Title\n\n{EVIL}\nPolice said 3,917 workers were held. More text."
    quote = "Police said 3,917 workers were held."
    start = text.index(quote)
    doc = Document(meta=DocumentMeta(doc_id="d1", title=EVIL, outlet=EVIL, url="https://example.org/a"), text=text)
    citation = _answer("3,917 [1].", quote, quote, start).citations[0]
    html = article_html(doc, citation)
    assert f'<mark id="article-quote">{quote}</mark>' in html
    assert "<script>" not in html and "<img" not in html
    assert 'href="https://example.org/a"' in html
    assert "<script>" not in corpus_html([doc])


def test_pdf_citation_shows_its_page_and_the_article_its_page_markers() -> None:
    pages = ["First page <b>text</b>.", "Second page: Police said 3,917 workers were held.", "Third."]
    text = "\n\n".join(pages)
    starts = [0, len(pages[0]) + 2, len(pages[0]) + len(pages[1]) + 4]
    quote = "Police said 3,917 workers were held."
    answer = _answer("3,917 [1].", quote, quote, text.index(quote))
    answer.citations[0].pages = [2]
    assert '<span class="src-page">p. 2</span>' in sources_html(answer, 0, 1)
    doc = Document(meta=DocumentMeta(doc_id="d1", title="t", page_starts=starts), text=text)
    html = article_html(doc, answer.citations[0])
    assert "quote [1] on p. 2 at chars" in html
    assert [html.index(f'data-page="{n}">page {n}</span>') for n in (1, 2, 3)] == sorted(
        html.index(f'data-page="{n}"') for n in (1, 2, 3))
    assert html.index('data-page="2"') < html.index('<mark id="article-quote">') < html.index('data-page="3"')
    assert "<b>" not in html  # text between the markers is still escaped
    plain = article_html(Document(meta=DocumentMeta(doc_id="d1", title="t"), text=text), answer.citations[0])
    assert "page-marker" not in plain


@pytest.mark.parametrize(("url", "ok"), [("https://a.org/x", True), ("http://a.org", True),
                                         ("javascript:alert(1)", False), (" JavaScript:x", False),
                                         ("data:text/html,x", False), (None, False)])
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_parse_auth() -> None:
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("ana:s3cr:et") == ("ana", "s3cr:et")
    for bad in ("nopassword", ":x", "x:"):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_a_refusal_shows_its_closest_passages_as_not_an_answer() -> None:
    base = _answer("x", "120,000 held", "Some 120,000 held there.", 10)
    refused = base.model_copy(update={
        "text": "The sources don't say.", "status": AnswerStatus.REFUSED, "refused": True,
        "citations": [], "closest": base.citations, "reason": "the sources do not answer the question",
    })
    html = sources_html(refused, 0)
    assert "Refused" in html and "not an answer" in html and 'class="card closest"' in html
    assert "<mark>120,000 held</mark>" in html and "<script>" not in html
    transcript = transcript_html([Turn(question="q", answer=refused.model_dump(mode="json"))])
    assert "1 closest passage (not an answer)" in transcript
    # a refusal without closest passages keeps the plain refusal box
    assert "not an answer" not in sources_html(refused.model_copy(update={"closest": []}), 0)


def test_the_corpus_table_shows_each_articles_language() -> None:
    doc = Document(meta=DocumentMeta(doc_id="d1", title="KK Park raid", language="zh"), text="缅甸军方突袭了诈骗园区。")
    html = corpus_html([doc])
    assert "<th>language</th>" in html and "<td>zh</td>" in html

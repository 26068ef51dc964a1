"""Answers as Markdown: numbered references with quote, outlet, date, URL; one list for a conversation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.export import answer_markdown, conversation_markdown
from rag.types import Answer, Citation


def citation(n: int, doc: str, quote: str, start: int, **kw: object) -> Citation:
    values: dict[str, object] = dict(
        n=n, doc_id=doc, chunk_id=f"{doc}-0", title=f"Title of {doc}", outlet="UN News", date="2023-08-29",
        url=f"https://example.org/{doc}", passage=quote, passage_start=start, passage_end=start + len(quote),
        quote=quote, quote_start=start, quote_end=start + len(quote), support=0.9,
    )
    values.update(kw)
    return Citation.model_validate(values)


def answer(question: str, text: str, citations: list[Citation], status: str = "answered") -> Answer:
    return Answer(question=question, text=text, status=status, refused=status == "refused", citations=citations,
                  backend_requested="extractive", backend_used="extractive")


MYANMAR = citation(1, "a", "At least 120,000 people in Myanmar may be held.", 10)
CAMBODIA = citation(1, "b", "About 100,000 in Cambodia.", 50)


def test_answer_has_question_text_and_reference_with_quote_outlet_date_url() -> None:
    md = answer_markdown(answer("How many in Myanmar?", "At least 120,000 [1].", [MYANMAR]))
    assert "**Q:** How many in Myanmar?" in md
    assert "At least 120,000 [1]." in md
    assert "1. *Title of a* — UN News, 2023-08-29. <https://example.org/a>" in md
    assert "> “At least 120,000 people in Myanmar may be held.”" in md


def test_pdf_reference_gives_its_page() -> None:
    for pages, label in (([14], "p. 14"), ([14, 15], "pp. 14–15")):
        md = answer_markdown(answer("How many?", "At least 120,000 [1].", [citation(1, "a", "Held.", 10, pages=pages)]))
        assert f"— UN News, 2023-08-29, {label}. <https://example.org/a>" in md
    assert "p. " not in answer_markdown(answer("How many?", "At least 120,000 [1].", [MYANMAR]))


def test_conversation_numbers_references_once_across_answers() -> None:
    first = answer("Myanmar?", "At least 120,000 [1].", [MYANMAR])
    second = answer("And Cambodia?", "About 100,000 [1]; Myanmar 120,000 [2].",
                    [CAMBODIA, MYANMAR.model_copy(update={"n": 2})])
    md = conversation_markdown([first, second])
    assert md.startswith("# Conversation")
    assert "About 100,000 [2]; Myanmar 120,000 [1]." in md  # renumbered into the shared list
    assert md.count("<https://example.org/a>") == 1 and md.count("<https://example.org/b>") == 1
    assert md.index("1. *Title of a*") < md.index("2. *Title of b*")


def test_markup_in_sources_is_escaped_and_unsafe_urls_are_not_links() -> None:
    evil = citation(1, "x", "Quote with <script>alert(1)</script> and [a](javascript:x)", 0,
                    title="*Bold* [link](http://evil)", url="javascript:alert(1)")
    md = answer_markdown(answer("q <b>?", "Text [1].", [evil]))
    assert "<script>" not in md and "<b>" not in md
    assert "\\[link\\]" in md and "<javascript" not in md


def test_refusal_and_failure() -> None:
    assert "The sources don't say." in answer_markdown(answer("q", "The sources don't say.", [], "refused"))
    failed = answer("q", "", [], "failed").model_copy(update={"reason": "openai backend failed: timed out"})
    assert "*No answer: openai backend failed: timed out.*" in answer_markdown(failed)


@pytest.mark.slow
def test_cli_format_markdown(seed_settings) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["ask", "--format", "markdown", "--data-dir", str(seed_settings.paths.data_dir),
                                      "How many people are held in Myanmar?"])
    assert result.exit_code == 0, result.output
    assert "**Q:** How many people are held in Myanmar?" in result.output
    assert "120,000" in result.output and "**References**" in result.output and "> “" in result.output
    bad = CliRunner().invoke(app, ["ask", "--format", "pdf", "q"])
    assert bad.exit_code == 2 and "unknown --format" in bad.output

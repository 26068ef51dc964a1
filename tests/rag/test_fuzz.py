"""Property-based fuzzing (Hypothesis) of `Assistant.ask` and of adding files.

Allowed outcomes of a question: an answer whose every marker [n] has a citation with a quote, the
fixed refusal, or `QuestionError`. Allowed outcomes of adding a file: added (the stored text is what
extraction gave and the corpus still loads) or a reported error naming the file; never an exception.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.corpus_store import CorpusStore
from index.documents import load_corpus
from index.extraction import SUPPORTED_SUFFIXES
from rag.assistant import Assistant, QuestionError
from rag.types import REFUSAL_PHRASE

# Every code point, lone surrogates and NUL included (Hypothesis leaves out surrogates by default).
ANY_CHAR = st.characters(exclude_categories=())
NASTY = st.sampled_from([
    "{0}", "{question}", "%s%s%n", "\\x00", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "[1]", "[99]", "' OR 1=1 --", "\u202e", "\ufeff", "\ud800", "\x00", "How many people are held in Myanmar?",
    "Cambodia", "120,000", "\n\n", " " * 50,
])
QUESTIONS = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.lists(st.one_of(NASTY, st.text(ANY_CHAR, max_size=8)), max_size=8).map("".join),
    st.text(ANY_CHAR, min_size=1990, max_size=2100),  # around the length limit
)


def check_answer(question: str, assistant: Assistant) -> None:
    try:
        answer = assistant.ask(question)
    except QuestionError as err:
        assert str(err)
        return
    if answer.refused:
        assert answer.text == REFUSAL_PHRASE and answer.status == "refused"
        return
    assert answer.status == "answered", (answer.status, answer.reason)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    cited = {c.n for c in answer.citations}
    assert markers and markers <= cited, (answer.text, cited)
    assert all(c.quote for c in answer.citations)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(question=QUESTIONS)
def test_ask_never_crashes(assistant: Assistant, question: str) -> None:
    check_answer(question, assistant)


FILE_BYTES = st.one_of(
    st.binary(max_size=3000),
    st.text(ANY_CHAR, max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=600).flatmap(lambda t: st.sampled_from(["utf-16", "utf-16-le", "latin-1", "utf-8-sig", "cp1252"])
                                  .map(lambda enc: t.encode(enc, "replace"))),
    st.sampled_from([b"%PDF-1.7\n%%EOF", b"<html><body><script>x</script></body></html>", b"---\ntitle: x\n---\n"]),
)


@settings(max_examples=150, deadline=None)
@given(data=FILE_BYTES, suffix=st.sampled_from([*SUPPORTED_SUFFIXES, ".exe", ""]))
def test_adding_any_file_is_added_or_reported(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"fuzz{suffix}"
        source.write_bytes(data)
        corpus = Path(tmp) / "corpus"
        report = CorpusStore(corpus).add(source)
        assert len(report.added) + len(report.errors) == 1, report
        if report.errors:
            assert source.name in report.errors[0]
            assert not list(corpus.glob("*.txt"))
        else:
            docs = load_corpus(corpus)
            assert len(docs) == 1 and docs[0].text.strip()
            assert not list(corpus.glob("*.tmp"))

"""Asking within part of the corpus (rag.filters): resolution, the Python API and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from index.documents import DocumentMeta
from rag.assistant import Assistant
from rag.cli import app
from rag.filters import FilterError, SourceFilter, from_options, resolve

runner = CliRunner()
QUESTION = "How many people are held in Myanmar?"


def _docs() -> dict[str, DocumentMeta]:
    metas = [
        DocumentMeta(doc_id="a", title="A", outlet="Daily One", date="2023-08-30"),
        DocumentMeta(doc_id="b", title="B", outlet="daily one", date="2024-02-01"),
        DocumentMeta(doc_id="c", title="C", outlet="Other Wire", date=None),
        DocumentMeta(doc_id="d", title="D", outlet=None, date="2025-05"),  # no day: not comparable, undated
    ]
    return {m.doc_id: m for m in metas}


def test_kinds_combine_with_and_values_with_or() -> None:
    docs = _docs()
    assert resolve(None, docs).doc_ids is None and resolve(SourceFilter(), docs).description is None
    assert resolve(SourceFilter(doc_ids=("a", "c")), docs).doc_ids == {"a", "c"}
    # Outlet names match whatever their case; both spellings of one outlet count.
    assert resolve(SourceFilter(outlets=("DAILY ONE",)), docs).doc_ids == {"a", "b"}
    both = resolve(SourceFilter(outlets=("Daily One", "Other Wire"), since=dt.date(2024, 1, 1)), docs)
    assert both.doc_ids == {"b"}
    assert both.description is not None and "1 of 4 articles" in both.description
    assert "1 undated article left out" in both.description  # c has no date


def test_date_range_counts_undated_articles_left_out() -> None:
    scope = resolve(SourceFilter(since="2023-01-01", until="2023-12-31"), _docs())
    assert scope.doc_ids == {"a"}
    assert scope.description == "dated 2023-01-01 to 2023-12-31: 1 of 4 articles (2 undated articles left out)"
    assert "undated" not in (resolve(SourceFilter(doc_ids=("a",)), _docs()).description or "")


@pytest.mark.parametrize(
    "where,message",
    [
        ({"doc_ids": ["a", "zzz"]}, "no article with id 'zzz'"),
        ({"outlets": ["Nowhere Times"]}, "outlets in the index: Daily One"),
        ({"since": "2025-01-01", "until": "2024-01-01"}, "is after until"),
        ({"since": "2024-13-01"}, "not a date; write YYYY-MM-DD"),
        ({"until": "yesterday"}, "not a date"),
        ({"since": "2030-01-01"}, "no article matches the filter"),
        ({"outlets": ["Other Wire"], "since": "2020-01-01"}, "1 undated article left out"),
        ({"authors": ["x"]}, "bad source filter"),
    ],
)
def test_bad_filters_get_clear_errors(where: dict[str, object], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        resolve(SourceFilter.parse(where), _docs())


def test_options_make_a_filter_or_none() -> None:
    assert from_options(None, [], "", None) is None
    where = from_options(["a", " a ", ""], None, "2023-01-01", dt.date(2024, 1, 1))
    assert where == SourceFilter(doc_ids=("a",), since=dt.date(2023, 1, 1), until=dt.date(2024, 1, 1))


# -- the Python API on the seed index ------------------------------------------------------------
@pytest.mark.slow
def test_answer_never_cites_an_article_outside_the_filter(assistant: Assistant) -> None:
    unfiltered = assistant.ask(QUESTION)
    assert unfiltered.citations and unfiltered.filter_description is None
    cited = {c.doc_id for c in unfiltered.citations}
    others = sorted(set(assistant.retriever.store.documents()) - cited)
    assert others, "the question should not be answered from every article"
    only = others[0]

    answer = assistant.ask(QUESTION, where=SourceFilter(doc_ids=(only,)))
    assert answer.passages and {p.doc_id for p in answer.passages} == {only}
    assert {c.doc_id for c in answer.citations} <= {only}  # cites B or refuses; never A
    assert answer.filter_description is not None and only in answer.filter_description
    # Filtered before ranking: as many passages as unfiltered, all from the one article.
    assert len(answer.passages) == len(assistant.search(QUESTION, where=SourceFilter(doc_ids=(only,))))

    best = unfiltered.citations[0].doc_id
    streamed = list(assistant.ask_stream(QUESTION, where={"doc_ids": [best]}))  # type: ignore[arg-type]
    final = streamed[-1]
    assert not isinstance(final, str) and {c.doc_id for c in final.citations} == {best}


@pytest.mark.slow
def test_outlet_and_date_filters_on_the_index_metadata(assistant: Assistant) -> None:
    docs = assistant.retriever.store.documents()
    dated = sorted((m for m in docs.values() if m.date), key=lambda m: m.date or "")
    assert dated and any(m.outlet for m in docs.values())
    outlet = next(m.outlet for m in docs.values() if m.outlet)
    by_outlet = assistant.search(QUESTION, k=8, where=SourceFilter(outlets=(outlet.upper(),)))
    assert by_outlet and {docs[p.doc_id].outlet for p in by_outlet} == {outlet}

    day = dt.date.fromisoformat(dated[0].date or "")
    answer = assistant.ask(QUESTION, where=SourceFilter(since=day, until=day))
    same_day = {m.doc_id for m in dated if m.date == dated[0].date}
    assert answer.passages and {p.doc_id for p in answer.passages} <= same_day
    undated = sum(1 for m in docs.values() if not m.date)
    assert answer.filter_description is not None
    assert f"{len(same_day)} of {len(docs)} articles" in answer.filter_description
    if undated:
        assert f"{undated} undated article" in answer.filter_description

    with pytest.raises(FilterError, match="no article matches"):
        assistant.ask(QUESTION, where=SourceFilter(since="2999-01-01"))
    with pytest.raises(FilterError, match="no article with id"):
        assistant.search(QUESTION, where=SourceFilter(doc_ids=("not-an-article",)))


# -- the CLI ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_doc_and_date_options(assistant: Assistant) -> None:
    data_dir = str(assistant.settings.paths.data_dir)
    docs = assistant.retriever.store.documents()
    first, second = sorted(docs)[:2]
    result = runner.invoke(app, ["ask", "--json", "--data-dir", data_dir, "--doc", second, QUESTION])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert {p["doc_id"] for p in answer["passages"]} == {second}
    assert {c["doc_id"] for c in answer["citations"]} <= {second} and second in answer["filter_description"]

    shown = runner.invoke(app, ["ask", "--data-dir", data_dir, "--doc", first, "--doc", second, QUESTION])
    assert shown.exit_code == 0 and f"Filtered: articles {first}, {second}" in shown.stdout

    dated = sorted(m.date for m in docs.values() if m.date)
    found = runner.invoke(
        app, ["search", "--json", "--data-dir", data_dir, "--since", dated[0], "--until", dated[0], QUESTION]
    )
    assert found.exit_code == 0, found.output
    assert {docs[p["doc_id"]].date for p in json.loads(found.stdout)} == {dated[0]}
    listed = runner.invoke(app, ["search", "--data-dir", data_dir, "--since", dated[0], QUESTION])
    assert listed.exit_code == 0 and "Filtered: dated" in listed.stdout

    for args, message in [
        (["--since", "2999-01-01"], "no article matches"),
        (["--since", "2024-02-30"], "not a date"),
        (["--doc", "no-such-article"], "no article with id"),
    ]:
        refused = runner.invoke(app, ["ask", "--data-dir", data_dir, *args, QUESTION])
        assert refused.exit_code == 2 and message in refused.output, (args, refused.output)

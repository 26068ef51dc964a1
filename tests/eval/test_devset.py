"""The dev set (eval/devset): articles, questions, quotes, the tune/check split and the committed PDF."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval.devset.split import ARTICLES_DIR, DEVSET_DIR, QUESTIONS_PATH, split_of, split_rows
from eval.gold import GoldRow, SupportingQuote, gold_problems, load_gold, resolve_source_files
from eval.normalize import matches_all
from index.extraction import ExtractedText, extract_text

ISSUE_12_KINDS = ["number", "share", "money", "person", "organisation", "place", "date", "named_thing",
                  "definition", "list", "why_how", "quote", "trend", "metadata", "unanswerable"]
SEED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def rows() -> list[GoldRow]:
    return load_gold(QUESTIONS_PATH)


@pytest.fixture(scope="module")
def extracted() -> dict[str, ExtractedText]:
    """What `rag add` stores for each dev article: the same extraction code users go through."""
    return {p.name: extract_text(p) for p in sorted(ARTICLES_DIR.iterdir()) if p.is_file()}


def test_questions_validate_size_and_mix(rows: list[GoldRow]) -> None:
    kinds: Counter[str] = Counter(str(row.type) for row in rows)
    assert len(rows) >= 80
    assert kinds["unanswerable"] >= 15
    for kind in ISSUE_12_KINDS:
        assert kinds[kind] >= 1, kind
    assert len({row.id for row in rows}) == len(rows)


def test_every_quote_names_a_dev_article_or_a_seed(rows: list[GoldRow], extracted: dict[str, ExtractedText]) -> None:
    seeds = {p.stem for p in SEED_CORPUS.glob("*.txt")}
    for row in rows:
        for support in row.supporting:
            assert (support.source_file in extracted) or (support.doc_id in seeds), (row.id, support)


def test_every_supporting_quote_is_verbatim_in_the_extracted_text(
    rows: list[GoldRow], extracted: dict[str, ExtractedText]
) -> None:
    for row in rows:
        for support in row.supporting:
            if support.source_file is None:  # a seed article, stored as its text
                assert support.quote in (SEED_CORPUS / f"{support.doc_id}.txt").read_text(encoding="utf-8")
                continue
            found = extracted[support.source_file]
            fields = [v for v in (found.title, found.author, found.outlet, found.date, found.url) if v]
            in_meta = support.in_metadata and any(support.quote in value for value in fields)
            assert support.quote in found.text or in_meta, (row.id, support.source_file, support.quote)


def test_gold_problems_finds_none_once_files_are_resolved(rows: list[GoldRow], extracted: dict[str, ExtractedText]) -> None:
    ids = {name: f"dev_{i:02d}" for i, name in enumerate(sorted(extracted))}
    texts = {ids[name]: e.text for name, e in extracted.items()}
    texts |= {p.stem: p.read_text(encoding="utf-8") for p in SEED_CORPUS.glob("*.txt")}
    metadata = {ids[name]: {k: v for k, v in [("title", e.title), ("author", e.author), ("outlet", e.outlet),
                                              ("date", e.date), ("url", e.url)] if v} for name, e in extracted.items()}
    assert gold_problems(resolve_source_files(rows, ids), texts, metadata) == []


def test_patterns_match_gold_answers_and_quotes_and_are_not_loose(rows: list[GoldRow]) -> None:
    for row in rows:
        if not row.answerable:
            assert not row.answer_patterns and not row.supporting, row.id
            continue
        assert matches_all(row.answer_patterns, row.gold_answer or "", row.pattern_kind), row.id
        if row.type != "metadata":  # metadata answers come from the article's metadata, not its sentences
            quotes = " ".join(s.quote for s in row.supporting)
            assert matches_all(row.answer_patterns, quotes, row.pattern_kind), row.id
        for text in ["The sources don't say.", "Hundreds of thousands of people were trafficked.", ""]:
            assert not matches_all(row.answer_patterns, text, row.pattern_kind), (row.id, text)


def test_split_rule_is_the_documented_hash_parity() -> None:
    for question_id in ["d001", "d002", "d150", "q017", "anything"]:
        expected = "tune" if hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0 else "check"
        assert split_of(question_id) == expected


def test_split_is_deterministic_and_independent_of_other_rows(rows: list[GoldRow]) -> None:
    whole = {r.id: half for half, members in split_rows(rows).items() for r in members}
    part = {r.id: half for half, members in split_rows(rows[::3]).items() for r in members}
    assert all(whole[qid] == half for qid, half in part.items())
    assert whole == {r.id: split_of(r.id) for r in rows}


def test_each_half_is_balanced_enough(rows: list[GoldRow]) -> None:
    halves = split_rows(rows)
    for half in ("tune", "check"):
        members = halves[half]
        assert 0.35 <= len(members) / len(rows) <= 0.65, half
        assert sum(not r.answerable for r in members) >= 7, half


def test_articles_sources_formats_and_lengths(extracted: dict[str, ExtractedText]) -> None:
    sources = json.loads((DEVSET_DIR / "sources.json").read_text(encoding="utf-8"))
    listed = {name for name in sources if not name.startswith("_")}
    assert listed == set(extracted)
    assert len(extracted) >= 10
    for name, entries in sources.items():
        if name.startswith("_"):
            continue
        assert entries and all(e["url"].startswith("http") for e in entries), name
        # A month at least; a page that shows only its year says so in a note.
        assert all(re.match(r"\d{4}-\d{2}", e["date"]) or (re.fullmatch(r"\d{4}", e["date"]) and e.get("date_note")) for e in entries), name
    for name, found in extracted.items():
        words = len(found.text.split())
        assert 300 <= words <= 1200, (name, words)
    suffixes = Counter(Path(name).suffix for name in extracted)
    assert suffixes[".txt"] and suffixes[".md"] and suffixes[".html"] and suffixes[".pdf"]
    raw = {p.name: p.read_bytes() for p in ARTICLES_DIR.iterdir() if p.suffix in (".txt", ".md")}
    assert any(data.startswith(b"Title: ") for data in raw.values())  # plain text with a header block
    assert any(data.startswith(b"---\n") for data in raw.values())  # Markdown with YAML front matter
    # Page chrome around the article (menus, footer) in most HTML articles, as saved web pages have;
    # pages saved without it (a case note, a bare article page) are HTML files users have too.
    pages = [(ARTICLES_DIR / name).read_text(encoding="utf-8") for name in extracted if name.endswith(".html")]
    with_chrome = [html for html in pages if ("<nav" in html or "<header" in html) and "<footer" in html]
    assert len(pages) / 2 < len(with_chrome) < len(pages)


def test_the_committed_pdf_is_what_make_pdf_builds_and_has_pages(tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    from pypdf import PdfReader

    from eval.devset.make_pdf import build_all

    built = build_all(tmp_path)
    assert built
    for path in built:
        committed = ARTICLES_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), f"rebuild {committed.name}: python -m eval.devset.make_pdf"
        assert len(PdfReader(str(committed)).pages) >= 2


def test_supporting_quote_names_exactly_one_article() -> None:
    SupportingQuote(source_file="a.txt", quote="x")
    SupportingQuote(doc_id="a", quote="x")
    with pytest.raises(ValueError, match="exactly one"):
        SupportingQuote(quote="x")
    with pytest.raises(ValueError, match="exactly one"):
        SupportingQuote(doc_id="a", source_file="a.txt", quote="x")


def test_resolve_source_files_maps_names_and_refuses_unknown_files() -> None:
    row = GoldRow(id="x", question="q?", type="number", answerable=True, gold_answer="1", answer_patterns=["1"],
                  supporting=[SupportingQuote(source_file="a.txt", quote="1 person")])
    resolved = resolve_source_files([row], {"a.txt": "a_123"})
    assert resolved[0].supporting[0].doc_id == "a_123"
    assert row.supporting[0].doc_id is None  # the input is not changed
    with pytest.raises(KeyError, match=r"b\.txt"):
        resolve_source_files([row.model_copy(update={"supporting": [SupportingQuote(source_file="b.txt", quote="1")]})],
                             {"a.txt": "a_123"})


def test_gold_problems_reports_a_metadata_quote_found_nowhere() -> None:
    row = GoldRow(id="m", question="Who wrote it?", type="metadata", answerable=True, gold_answer="Ann Lee",
                  answer_patterns=["Ann Lee"], supporting=[SupportingQuote(doc_id="d", quote="Ann Lee", in_metadata=True)])
    assert gold_problems([row], {"d": "no author here"}, {"d": {"author": "Ann Lee"}}) == []
    assert gold_problems([row], {"d": "no author here"}, {"d": {"author": "Bo Chen"}}) != []
    plain = row.model_copy(update={"supporting": [SupportingQuote(doc_id="d", quote="Ann Lee")]})
    assert gold_problems([plain], {"d": "no author here"}, {"d": {"author": "Ann Lee"}}) != []  # not marked in_metadata


def test_seed_overrides_relabel_seed_questions_the_dev_articles_answer(extracted: dict[str, ExtractedText]) -> None:
    from eval.devset.split import SEED_OVERRIDES_PATH
    from eval.gold import GOLD_PATH

    seed = {row.id: row for row in load_gold(GOLD_PATH)}
    overrides = load_gold(SEED_OVERRIDES_PATH)
    assert overrides
    for row in overrides:
        assert row.id in seed and not seed[row.id].answerable, row.id  # unanswerable on the seeds alone
        assert row.question == seed[row.id].question
        assert row.answerable and row.supporting
        assert matches_all(row.answer_patterns, row.gold_answer or "", row.pattern_kind)
        for support in row.supporting:
            assert support.source_file is not None and support.quote in extracted[support.source_file].text


def test_run_devset_eval_refuses_overrides_for_unknown_seed_ids() -> None:
    from eval.runner import run_devset_eval

    row = GoldRow(id="nope", question="q?", type="name", answerable=True, gold_answer="A", answer_patterns=["A"],
                  supporting=[SupportingQuote(source_file="a.txt", quote="A")])
    with pytest.raises(KeyError, match="nope"):
        run_devset_eval(object(), [], [], {"a.txt": "a_1"}, seed_overrides=[row])  # type: ignore[arg-type]


# -- end to end: a scratch corpus with a few dev articles, the three blocks, the report ----------
SMALL_ARTICLES = ["kk_park_raid_2025.html", "prince_group_us_case_2025.pdf", "korean_student_cambodia_2025.txt"]


@pytest.mark.slow
def test_devset_cli_end_to_end_on_three_articles(tmp_path: Path, rows: list[GoldRow]) -> None:
    import shutil

    import typer
    from typer.testing import CliRunner

    from eval.cli import register
    from eval.gold import GOLD_PATH

    articles = tmp_path / "articles"
    articles.mkdir()
    for name in SMALL_ARTICLES:
        shutil.copy(ARTICLES_DIR / name, articles)
    chosen = [r for r in rows if not r.answerable or {s.source_file for s in r.supporting} <= set(SMALL_ARTICLES)]
    chosen = [r for r in chosen if r.answerable][:8] + [r for r in chosen if not r.answerable][:4]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in chosen), encoding="utf-8")
    seed_gold = tmp_path / "gold.jsonl"
    seed_gold.write_text("".join(GOLD_PATH.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")

    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so typer keeps "eval" as a subcommand name
        pass

    out, scratch = tmp_path / "reports", tmp_path / "scratch"
    result = CliRunner().invoke(app, [
        "eval", "--devset", "--no-baseline", "--gold", str(seed_gold), "--dev-articles", str(articles),
        "--dev-questions", str(questions), "--scratch", str(scratch), "--out", str(out),
    ])
    assert result.exit_code == 0, result.output

    # The articles went in as `rag add` puts them: text + metadata sidecar recording the file name.
    metas = [json.loads(p.read_text()) for p in (scratch / "corpus").glob("*.meta.json")]
    assert {m.get("source_file") for m in metas} >= set(SMALL_ARTICLES)
    assert len(metas) == 5 + len(SMALL_ARTICLES)

    report = json.loads((out / "eval_devset.json").read_text())
    assert list(report["blocks"]) == ["seed", "dev-tune", "dev-check"]
    assert report["blocks"]["seed"]["n_questions"] == 5
    halves = {half: [r for r in chosen if split_of(r.id) == half] for half in ("tune", "check")}
    for half in ("tune", "check"):
        block = report["blocks"][f"dev-{half}"]
        assert block["n_questions"] == len(halves[half])
        assert {q["id"] for q in block["backends"]["extractive"]["rows"]} == {r.id for r in halves[half]}
    assert {a["file"] for a in report["articles"]} == set(SMALL_ARTICLES)
    markdown = (out / "eval_devset.md").read_text()
    assert "| seed | extractive |" in markdown and "| dev-check | extractive |" in markdown
    assert "## Accuracy by question type: extractive" in markdown

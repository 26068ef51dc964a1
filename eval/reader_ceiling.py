"""How well a backend reads when retrieval is taken out of the way: each answerable question answered
from the one passage that holds its supporting quote.

    python -m eval.reader_ceiling --backend local [--split check]
    python -m eval.reader_ceiling --backend local --articles DIR --questions FILE

`rag eval --devset` measures the whole answer; when it falls short, this says how much of the shortfall
is reading: a backend that cannot answer from the very passage that holds the answer will not answer
from a retrieved one. By default it builds the multilingual dev set's corpus (a copy of the seeds plus
the Chinese and Thai articles, as `rag eval --devset` does) in a temporary folder. The gold quote only
chooses the passage; the backend sees the passage, never the quote or the answer, and the answer goes
through the same citation check as any other. The relevance gate is retrieval's and is passed (the
passage is known to hold the answer).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from eval.gold import GoldRow, corpus_texts, quote_spans, resolve_source_files
from eval.metrics import correctly_cited, is_correct
from eval.retrieval_metrics import covers
from rag.assistant import Assistant
from rag.types import Passage

PASSAGES_SEARCHED = 500  # every chunk of one article, in practice


class CeilingRow(BaseModel):
    id: str
    question: str
    found_passage: bool  # the archive holds a chunk with the supporting quote
    correct: bool
    correctly_cited: bool
    answer: str
    reason: str | None = None


def supporting_passage(assistant: Assistant, row: GoldRow, texts: dict[str, str]) -> Passage | None:
    """The first chunk, best for the question first, of a supporting quote's article that covers the quote
    as retrieval recall counts it (eval.retrieval_metrics.covers); None when none does. `texts`: doc_id ->
    article text (eval.gold.corpus_texts)."""
    for support, spans in zip(row.supporting, quote_spans(row, texts), strict=True):
        assert support.doc_id is not None  # quote_spans raised otherwise
        for passage in assistant.retriever.search(row.question, PASSAGES_SEARCHED, "dense", [support.doc_id]):
            if covers(passage, spans, support.quote):
                return passage
    return None


def ceiling_rows(assistant: Assistant, rows: Sequence[GoldRow], backend: str) -> list[CeilingRow]:
    """Each answerable row (its quotes resolved to doc_ids) answered by `backend` from its supporting
    passage alone."""
    texts = corpus_texts(assistant.settings.paths.corpus_dir)
    results = []
    for row in rows:
        if not row.answerable:
            continue
        passage = supporting_passage(assistant, row, texts)
        if passage is None:
            results.append(CeilingRow(id=row.id, question=row.question, found_passage=False, correct=False,
                                      correctly_cited=False, answer="", reason="no chunk covers the supporting quote"))
            continue
        given = passage.model_copy(update={"dense_score": 1.0})  # past the relevance gate: it holds the answer
        answer = assistant.answer_from_passages(row.question, [given], backend)
        results.append(CeilingRow(id=row.id, question=row.question, found_passage=True, correct=is_correct(answer, row),
                                  correctly_cited=correctly_cited(answer, row), answer=answer.text,
                                  reason=answer.reason))
    return results


def summary(rows: Sequence[CeilingRow]) -> str:
    found = [row for row in rows if row.found_passage]
    right = sum(row.correct for row in found)
    cited = sum(row.correctly_cited for row in found)
    share = cited / len(found) if found else 0.0
    return (f"from the supporting passage alone: right {right}/{len(found)}, right with a supporting citation "
            f"{cited}/{len(found)} ({share:.2f}); no chunk covers the quote of {len(rows) - len(found)}")


def main(argv: Sequence[str] | None = None) -> int:
    from eval.devset.scratch import build_scratch_corpus
    from eval.devset.split import MULTILINGUAL_ARTICLES_DIR, MULTILINGUAL_QUESTIONS_PATH, load_dev_questions, split_of
    from rag.cli import open_assistant
    from rag.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="local", help="extractive, local, openai, ... (default local)")
    parser.add_argument("--articles", type=Path, default=MULTILINGUAL_ARTICLES_DIR, help="articles added to the seeds")
    parser.add_argument("--questions", type=Path, default=MULTILINGUAL_QUESTIONS_PATH, help="questions (JSONL)")
    parser.add_argument("--split", choices=("tune", "check", "all"), default="all", help="half of the dev set")
    args = parser.parse_args(argv)
    rows = [row for row in load_dev_questions(args.questions) if args.split == "all" or split_of(row.id) == args.split]
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="rag-ceiling-") as folder:
        built = build_scratch_corpus(settings.paths.corpus_dir, args.articles, Path(folder), settings)
        assistant = open_assistant(built.settings)
        results = ceiling_rows(assistant, resolve_source_files(rows, built.file_ids), args.backend)
    for result in results:
        verdict = "right, cited" if result.correctly_cited else "right" if result.correct else "wrong"
        print(f"{result.id}  {verdict:12} {result.answer[:100]!r}  {result.reason or ''}")
    print(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

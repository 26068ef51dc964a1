"""Run the gold set through an Assistant: answers per backend, retrieval per search mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from eval.gold import GoldRow, corpus_texts, quote_spans
from eval.metrics import AnswerMetrics, answer_metrics, citation_counts, correctly_cited, is_correct
from eval.retrieval_metrics import RetrievalScores, retrieval_scores
from eval.support import strip_markers
from rag.types import Answer, AnswerStatus, Passage

MODES = ("dense", "keyword", "hybrid")


class AssistantLike(Protocol):
    settings: Any

    def ask(self, question: str, history: Any = None, backend: str | None = None) -> Answer: ...

    def search(self, query: str, k: int | None = None, mode: Any = "hybrid") -> list[Passage]: ...


class QuestionRow(BaseModel):
    id: str
    type: str
    question: str
    answerable: bool
    gold_answer: str | None
    answer: str
    status: str
    correct: bool
    citations_ok: bool | None = Field(description="answerable and correct: a cited passage contains the answer")
    sentences_supported: str = Field(description="supported / all answer sentences")
    cited_docs: list[str]
    seconds: float
    reason: str | None = None


class BackendResult(BaseModel):
    backend: str
    metrics: AnswerMetrics
    rows: list[QuestionRow]


class EvalResult(BaseModel):
    created_at: str
    k: int
    n_questions: int
    backends: dict[str, BackendResult]
    retrieval: dict[str, RetrievalScores]
    baseline: dict[str, Any] | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


def timed_answers(ask: Callable[[str], Answer], rows: Sequence[GoldRow], backend: str) -> tuple[list[Answer], list[float]]:
    answers, seconds = [], []
    for row in rows:
        start = time.perf_counter()
        try:
            answer = ask(row.question)
        except Exception as err:  # an exception is a failed answer, recorded, not a crashed eval
            answer = Answer(question=row.question, text="", status=AnswerStatus.FAILED, refused=False,
                            reason=f"{type(err).__name__}: {err}", backend_requested=backend, backend_used="none")
        seconds.append(time.perf_counter() - start)
        answers.append(answer)
    return answers, seconds


def question_rows(answers: Sequence[Answer], rows: Sequence[GoldRow], seconds: Sequence[float]) -> list[QuestionRow]:
    out = []
    for answer, row, secs in zip(answers, rows, seconds, strict=True):
        supported, n_sentences, _, _ = citation_counts(answer)
        correct = is_correct(answer, row)
        out.append(QuestionRow(
            id=row.id, type=row.type, question=row.question, answerable=row.answerable, gold_answer=row.gold_answer,
            answer=strip_markers(answer.text), status=str(answer.status), correct=correct,
            citations_ok=correctly_cited(answer, row) if (row.answerable and correct) else None,
            sentences_supported=f"{supported}/{n_sentences}", cited_docs=sorted({c.doc_id for c in answer.citations}),
            seconds=round(secs, 4), reason=answer.reason,
        ))
    return out


def cold_caches(assistant: object) -> None:
    """Empty the assistant's sentence-embedding cache, so every timed pass starts equally cold."""
    cache = getattr(getattr(assistant, "encoder", None), "cache", None)
    if isinstance(cache, dict):
        cache.clear()


def evaluate_backend(assistant: AssistantLike, rows: Sequence[GoldRow], backend: str) -> BackendResult:
    cold_caches(assistant)
    answers, seconds = timed_answers(lambda q: assistant.ask(q, backend=backend), rows, backend)
    return BackendResult(backend=backend, metrics=answer_metrics(answers, rows, seconds),
                         rows=question_rows(answers, rows, seconds))


def evaluate_retrieval(
    assistant: AssistantLike, rows: Sequence[GoldRow], texts: dict[str, str], k: int, modes: Sequence[str] = MODES
) -> dict[str, RetrievalScores]:
    scores = {}
    answerable = [r for r in rows if r.answerable]
    for mode in modes:
        results, seconds = [], []
        for row in answerable:
            start = time.perf_counter()
            results.append(assistant.search(row.question, k=k, mode=mode))
            seconds.append(time.perf_counter() - start)
        scores[mode] = retrieval_scores(results, answerable, texts, k, seconds)
    return scores


def run_eval(
    assistant: AssistantLike,
    gold: Sequence[GoldRow],
    backends: Sequence[str] = ("extractive",),
    k: int | None = None,
    with_baseline: bool = False,
    modes: Sequence[str] = MODES,
) -> EvalResult:
    k = k or assistant.settings.retrieval.top_k
    texts = corpus_texts(assistant.settings.paths.corpus_dir)
    # Questions whose every quote lives in metadata only (dev "metadata" kind) have no passage to find.
    locatable = [r for r in gold if not r.answerable or any(quote_spans(r, texts))]
    retrieval = evaluate_retrieval(assistant, locatable, texts, k, modes)
    results = {b: evaluate_backend(assistant, gold, b) for b in backends}
    baseline = None
    if with_baseline:
        from eval.baseline import compare_baseline

        baseline = compare_baseline(assistant, gold, texts, k, results.get("extractive"), retrieval.get("hybrid"))
    return EvalResult(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"), k=k, n_questions=len(gold),
        backends=results, retrieval=retrieval, baseline=baseline,
        settings=assistant.settings.model_dump(mode="json", exclude={"openai"}),
    )


# -- the dev set: seed gold + dev tune + dev check, on one scratch corpus -----------------------
DEV_BLOCKS = ("seed", "dev-tune", "dev-check", "multi-tune", "multi-check")


class DevArticle(BaseModel):
    file: str
    doc_id: str


class DevsetEvalResult(BaseModel):
    """EvalResults per block: the seed gold set and the dev halves over one scratch corpus (seed articles +
    dev articles added as `rag add` does); the multilingual halves, when run, over their own (seed articles
    + the Chinese and Thai articles, which report events the English dev articles also report)."""

    created_at: str
    split_rule: str
    articles: list[DevArticle]
    seed_overrides: list[str] = Field(default_factory=list, description="seed ids re-labelled because dev articles answer them")
    blocks: dict[str, EvalResult] = Field(description="seed, dev-tune, dev-check[, multi-tune, multi-check]")


def run_devset_eval(
    assistant: AssistantLike,
    seed_gold: Sequence[GoldRow],
    dev_rows: Sequence[GoldRow],
    file_ids: dict[str, str],
    backends: Sequence[str] = ("extractive",),
    k: int | None = None,
    with_baseline: bool = False,
    modes: Sequence[str] = MODES,
    seed_overrides: Sequence[GoldRow] = (),
) -> DevsetEvalResult:
    """Evaluate the seed gold set and both dev halves with `assistant`, whose corpus holds every article.

    `dev_rows` name their articles by file; `file_ids` (file name -> doc_id, from the add) resolves them.
    `seed_overrides` replace the seed rows of the same id: seed questions that the dev articles answer
    (unanswerable on the seeds alone). The baseline, when asked for, runs on the seed block only.
    """
    from eval.devset.split import SPLIT_RULE, split_rows
    from eval.gold import resolve_source_files

    resolved = resolve_source_files(list(dev_rows), file_ids)
    halves = split_rows(resolved)
    overrides = {row.id: row for row in resolve_source_files(list(seed_overrides), file_ids)}
    unknown = set(overrides) - {row.id for row in seed_gold}
    if unknown:
        raise KeyError(f"seed overrides for ids not in the seed gold set: {sorted(unknown)}")
    seed_rows = [overrides.get(row.id, row) for row in seed_gold]
    blocks = {
        "seed": run_eval(assistant, seed_rows, backends, k, with_baseline=with_baseline, modes=modes),
        "dev-tune": run_eval(assistant, halves["tune"], backends, k, modes=modes),
        "dev-check": run_eval(assistant, halves["check"], backends, k, modes=modes),
    }
    return DevsetEvalResult(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"), split_rule=SPLIT_RULE,
        seed_overrides=sorted(overrides),
        articles=[DevArticle(file=f, doc_id=d) for f, d in sorted(file_ids.items())], blocks=blocks,
    )


def run_multilingual_blocks(
    assistant: AssistantLike,
    rows: Sequence[GoldRow],
    file_ids: dict[str, str],
    backends: Sequence[str] = ("extractive",),
    k: int | None = None,
    modes: Sequence[str] = MODES,
) -> dict[str, EvalResult]:
    """The multi-tune and multi-check blocks: English questions on articles in other languages, split by
    the dev set's rule, on `assistant`'s corpus (the seed articles plus those articles)."""
    from eval.devset.split import split_rows
    from eval.gold import resolve_source_files

    halves = split_rows(resolve_source_files(list(rows), file_ids))
    return {f"multi-{half}": run_eval(assistant, halves[half], backends, k, modes=modes) for half in ("tune", "check")}

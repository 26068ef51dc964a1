"""Retrieval metrics over the answerable gold questions: recall@k, quote recall@k and MRR.

A retrieved passage is gold for a question when it comes from a supporting document and its
character span covers at least MIN_OVERLAP of one of that document's gold quotes, or its text
contains the quote verbatim (for passages without reliable offsets).
  recall@k       share of questions with at least one gold passage in the top k
  quote_recall@k share of supporting quotes covered by some passage in the top k, averaged
                 over questions (multi-document answers need every source)
  mrr            mean of 1 / rank of the first gold passage (0 when none in the top k)
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel

from eval.gold import GoldRow, Span, quote_spans
from eval.metrics import percentile, ratio
from rag.types import Passage

MIN_OVERLAP = 0.5


class RetrievalScores(BaseModel):
    k: int
    n: int
    recall_at_k: float
    quote_recall_at_k: float
    mrr: float
    latency_median_s: float
    latency_p95_s: float


def covers(passage: Passage, spans: Sequence[Span], quote: str) -> bool:
    for doc_id, start, end in spans:
        if doc_id != passage.doc_id:
            continue
        overlap = min(end, passage.end) - max(start, passage.start)
        if overlap >= MIN_OVERLAP * (end - start) or quote in passage.text:
            return True
    return False


def gold_flags(passages: Sequence[Passage], row: GoldRow, texts: dict[str, str]) -> list[list[bool]]:
    """flags[i][j]: passage i covers supporting quote j of the row."""
    spans = quote_spans(row, texts)
    return [
        [covers(p, found, s.quote) for s, found in zip(row.supporting, spans, strict=True)] for p in passages
    ]


def retrieval_scores(
    results: Sequence[Sequence[Passage]],
    rows: Sequence[GoldRow],
    texts: dict[str, str],
    k: int,
    seconds: Sequence[float] = (),
) -> RetrievalScores:
    """`results[i]` are the passages retrieved for `rows[i]`, best first; unanswerable rows are skipped."""
    hits, quote_recalls, reciprocal = [], [], []
    for passages, row in zip(results, rows, strict=True):
        if not row.answerable:
            continue
        flags = gold_flags(list(passages)[:k], row, texts)
        ranks = [i for i, f in enumerate(flags, start=1) if any(f)]
        hits.append(bool(ranks))
        reciprocal.append(1 / ranks[0] if ranks else 0.0)
        covered = [any(f[j] for f in flags) for j in range(len(row.supporting))]
        quote_recalls.append(ratio(sum(covered), len(covered)))
    return RetrievalScores(
        k=k,
        n=len(hits),
        recall_at_k=ratio(sum(hits), len(hits)),
        quote_recall_at_k=statistics.fmean(quote_recalls) if quote_recalls else 0.0,
        mrr=statistics.fmean(reciprocal) if reciprocal else 0.0,
        latency_median_s=statistics.median(seconds) if seconds else 0.0,
        latency_p95_s=percentile(seconds, 95),
    )

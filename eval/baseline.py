"""Peer baseline: the stock LangChain RAG recipe, measured on the same gold set in the same run.

Recipe (LangChain's RAG tutorial): the raw article files -> RecursiveCharacterTextSplitter
(chunk_size=1000, chunk_overlap=200, the tutorial's values; the library default is 4000/200)
-> langchain_community FAISS (flat L2 index) with the same all-MiniLM-L6-v2 embedder as ours
-> similarity_search_with_score(question, k). Its k passages go, as rag.types.Passage, through
the same extractive generator and citation checks (Assistant.answer_from_passages), so the
answer comparison isolates retrieval: no hybrid BM25, no boilerplate cleaning, no sentence-aware
chunks. Ratios are baseline / ours (ours: hybrid retrieval, extractive answers).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.gold import GoldRow
from eval.metrics import answer_metrics
from eval.retrieval_metrics import RetrievalScores, retrieval_scores
from eval.runner import AssistantLike, BackendResult, cold_caches, timed_answers
from rag.types import Passage

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
COMPARED = ["recall_at_k", "quote_recall_at_k", "mrr", "accuracy", "precision", "refusal_recall",
            "citation_recall", "retrieval_latency_median_s", "answer_latency_median_s"]


class LangChainBaseline:
    def __init__(self, embedder: Any, corpus_dir: Path, titles: dict[str, str] | None = None) -> None:
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        class _Wrapped(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return [list(map(float, v)) for v in embedder.embed(texts)]

            def embed_query(self, text: str) -> list[float]:
                return [float(x) for x in embedder.embed([text])[0]]

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
        docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"doc_id": p.stem})
                for p in sorted(Path(corpus_dir).glob("*.txt"))]
        self.chunks = splitter.split_documents(docs)
        self.titles = titles or {}
        start = time.perf_counter()
        self.store = FAISS.from_documents(self.chunks, _Wrapped())
        self.build_s = time.perf_counter() - start

    def search(self, query: str, k: int) -> list[Passage]:
        passages = []
        for doc, distance in self.store.similarity_search_with_score(query, k=k):
            doc_id, start = doc.metadata["doc_id"], int(doc.metadata["start_index"])
            cosine = 1.0 - float(distance) / 2.0  # squared L2 between unit vectors
            passages.append(Passage(
                chunk_id=f"langchain:{doc_id}:{start}", doc_id=doc_id, title=self.titles.get(doc_id, doc_id),
                text=doc.page_content, start=start, end=start + len(doc.page_content), paragraph=0,
                score=cosine, dense_score=cosine, keyword_score=None))
        return passages


def _titles(assistant: AssistantLike) -> dict[str, str]:
    store = getattr(getattr(assistant, "retriever", None), "store", None)
    return {d: m.title for d, m in (store.documents() if store is not None else {}).items()}


def compare_baseline(
    assistant: Any, gold: Sequence[GoldRow], texts: dict[str, str], k: int,
    ours: BackendResult | None, ours_retrieval: RetrievalScores | None,
) -> dict[str, Any]:
    baseline = LangChainBaseline(assistant.embedder, assistant.settings.paths.corpus_dir, _titles(assistant))
    answerable = [r for r in gold if r.answerable]
    results, seconds = [], []
    for row in answerable:
        start = time.perf_counter()
        results.append(baseline.search(row.question, k))
        seconds.append(time.perf_counter() - start)
    retrieval = retrieval_scores(results, answerable, texts, k, seconds)

    def ask(question: str) -> Any:
        return assistant.answer_from_passages(question, baseline.search(question, k), backend="extractive")

    cold_caches(assistant)  # as before our own pass: the passes must not share warm sentence embeddings
    answers, answer_seconds = timed_answers(ask, gold, "extractive")
    metrics = answer_metrics(answers, gold, answer_seconds)
    values = {**retrieval.model_dump(), **metrics.model_dump(), "retrieval_latency_median_s": retrieval.latency_median_s,
              "answer_latency_median_s": metrics.latency_median_s}
    mine: dict[str, Any] = {}
    if ours_retrieval is not None:
        mine |= {**ours_retrieval.model_dump(), "retrieval_latency_median_s": ours_retrieval.latency_median_s}
    if ours is not None:
        mine |= {**ours.metrics.model_dump(), "answer_latency_median_s": ours.metrics.latency_median_s}
    comparison = {
        key: {"baseline": float(values[key]), "ours": float(mine[key]),
              "ratio": float(values[key]) / float(mine[key]) if mine[key] else float("nan")}
        for key in COMPARED if key in mine
    }
    return {"description": __doc__, "n_chunks": len(baseline.chunks), "build_s": baseline.build_s,
            "retrieval": retrieval.model_dump(), "metrics": metrics.model_dump(), "comparison": comparison}

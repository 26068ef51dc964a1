"""The Python API: `Assistant.load()`, then `.ask(question)` and `.search(query, k)`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from index.corpus_store import AddReport, CorpusStore
from index.embedder import Embedder, load_embedder
from index.store import IndexStore, UpdateReport
from index.vector_index import set_single_query_threads
from rag.citations import check_citations
from rag.conversation import Rewrite, rewrite_followup_explained
from rag.generators.base import Generator, GeneratorError
from rag.generators.registry import make_generator
from rag.retriever import Retriever, SearchMode
from rag.settings import Settings
from rag.support import SentenceEncoder
from rag.types import REFUSAL_PHRASE, Answer, AnswerStatus, Passage

History = Sequence[tuple[str, str]]


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, too long); the message says why."""


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder, retriever: Retriever) -> None:
        self.settings = settings
        self.embedder = embedder
        self.retriever = retriever
        self.encoder = SentenceEncoder(embedder)
        self._generators: dict[str, Generator] = {}

    @classmethod
    def load(cls, settings: Settings | None = None, build_if_missing: bool = False) -> Assistant:
        settings = settings or Settings()
        set_single_query_threads(settings.retrieval.faiss_threads)
        embedder = load_embedder(settings.embedder)
        store = IndexStore(settings.paths.data_dir)
        if build_if_missing and not store.exists():
            update_index(settings, embedder)
        index = store.load(embedder.model_id, embedder.dimension, settings.chunker)
        return cls(settings, embedder, Retriever(index, embedder, settings.retrieval))

    # -- corpus -------------------------------------------------------------------------------
    def add(self, path: Path) -> tuple[AddReport, UpdateReport | None]:
        report = CorpusStore(self.settings.paths.corpus_dir).add(path, self.settings.ui.max_upload_mb << 20)
        return report, (self.refresh() if report.added else None)

    def remove(self, doc_id: str) -> UpdateReport | None:
        return self.refresh() if CorpusStore(self.settings.paths.corpus_dir).remove(doc_id) else None

    def refresh(self) -> UpdateReport:
        """Re-index what changed in the corpus folder and reload the index."""
        report = update_index(self.settings, self.embedder)
        store = IndexStore(self.settings.paths.data_dir)
        index = store.load(self.embedder.model_id, self.embedder.dimension, self.settings.chunker)
        self.retriever = Retriever(index, self.embedder, self.settings.retrieval)
        return report

    # -- asking ---------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, mode: SearchMode = "hybrid") -> list[Passage]:
        return self.retriever.search(self._validate(query), k, mode)

    def ask(
        self, question: str, history: History | None = None, backend: str | None = None, top_k: int | None = None
    ) -> Answer:
        answer: Answer | None = None
        for item in self.ask_stream(question, history, backend, top_k):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def ask_stream(
        self, question: str, history: History | None = None, backend: str | None = None, top_k: int | None = None
    ) -> Iterator[str | Answer]:
        """Yield raw text pieces as the generator writes them, then the checked `Answer`."""
        question = self._validate(question)
        start = time.perf_counter()
        rewrite = self._standalone(question, history, backend)
        rewritten = time.perf_counter()
        passages = self.retriever.search(rewrite.text, top_k)
        timings = {"retrieve_s": time.perf_counter() - rewritten}
        if rewrite.method != "unchanged":
            timings["rewrite_s"] = rewritten - start
        notes = [f"follow-up rewritten by rule because {rewrite.problem}"] if rewrite.problem else []
        yield from self._answer(question, rewrite.text, passages, backend, timings, notes)

    def answer_from_passages(self, question: str, passages: Sequence[Passage], backend: str | None = None) -> Answer:
        """Answer from passages found elsewhere (e.g. a baseline retriever); same checks."""
        result = [x for x in self._answer(question, question, list(passages), backend, {}) if isinstance(x, Answer)]
        return result[-1]

    def generator(self, backend: str) -> Generator:
        """The generator for a backend name, built on first use (GeneratorUnavailable says why not)."""
        if backend not in self._generators:
            self._generators[backend] = make_generator(backend, self.settings, self.encoder)
        return self._generators[backend]

    def register_generator(self, name: str, generator: Generator) -> None:
        """Plug in any generator under a backend name (e.g. an OpenAICompatibleGenerator wrapping any
        LangChain chat model); its drafts go through the same citation checks."""
        self._generators[name] = generator

    def available_backends(self) -> dict[str, str | None]:
        """Backend name -> None if usable, else the reason it is not."""
        from rag.generators.base import GeneratorUnavailable
        from rag.generators.registry import BACKENDS

        status: dict[str, str | None] = {}
        for name in dict.fromkeys([*BACKENDS, *self._generators]):
            try:
                self.generator(name)
                status[name] = None
            except GeneratorUnavailable as err:
                status[name] = str(err)
        return status

    # -- internals ------------------------------------------------------------------------------
    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("The question is empty; type a question about the articles.")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise QuestionError(f"The question is {len(question):,} characters long; the limit is {limit:,}.")
        return " ".join(question.split())

    def _standalone(self, question: str, history: History | None, backend: str | None) -> Rewrite:
        if not history:
            return Rewrite(question, "unchanged")
        llm = self._rewriter(backend or self.settings.answer.backend)
        return rewrite_followup_explained(question, list(history), llm)

    def _rewriter(self, backend: str) -> Callable[[str], str] | None:
        """The LLM's plain completion when an LLM backend is in use and loads; else None (rules)."""
        if backend == "extractive":
            return None
        from rag.generators.llm_factory import rewriter_for

        try:
            return rewriter_for(self.generator(backend))
        except GeneratorError:
            return None  # the answer step reports the unavailable backend; rules rewrite meanwhile

    def _answer(
        self,
        question: str,
        standalone: str,
        passages: list[Passage],
        backend: str | None,
        timings: dict[str, float],
        notes: Sequence[str] = (),
    ) -> Iterator[str | Answer]:
        requested = backend or self.settings.answer.backend
        base = Answer(
            question=question,
            standalone_question=standalone if standalone != question else None,
            text="",
            status=AnswerStatus.ANSWERED,
            refused=False,
            passages=passages,
            backend_requested=requested,
            backend_used="none",
            timings=timings,
            warnings=list(notes),
        )
        best = max((p.dense_score or 0.0 for p in passages), default=0.0)
        if best < self.settings.retrieval.min_relevance:
            reason = f"no passage is relevant enough (best similarity {best:.2f} < {self.settings.retrieval.min_relevance:.2f})"
            yield base.model_copy(
                update={"text": REFUSAL_PHRASE, "status": AnswerStatus.REFUSED, "refused": True, "reason": reason}
            )
            return
        used, fallback, warnings = requested, None, []
        given = passages if requested == "extractive" else passages[: self.settings.answer.max_passages_llm]
        start = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self.generator(requested).stream(standalone, given):
                pieces.append(piece)
                timings.setdefault("first_token_s", time.perf_counter() - start)
                yield piece
        except GeneratorError as err:
            failure = f"{requested} backend failed: {err}"
            if not self.settings.answer.fallback_to_extractive or requested == "extractive":
                yield base.model_copy(update={"status": AnswerStatus.FAILED, "reason": failure})
                return
            # Never silent: the answer says who answered and why.
            used, fallback, given = "extractive", failure, passages
            warnings.append(f"answered by the extractive backend because the {failure}")
            pieces = [self.generator("extractive").generate(standalone, given).text]
        timings["generate_s"] = time.perf_counter() - start
        timings["pieces"] = len(pieces)  # streamed pieces: one token each from llama.cpp and OpenAI servers
        start = time.perf_counter()
        attribute = self.settings.answer.attribute_uncited and used != "extractive"
        checked = check_citations(
            "".join(pieces), given, self.encoder, self.settings.answer.support_threshold, attribute
        )
        timings["check_s"] = time.perf_counter() - start
        why: str | None = None
        if checked.refused:
            why = (
                "the sources do not answer the question"
                if not checked.sentences
                else f"no sentence of the {used} answer survived the citation checks"
            )
        yield base.model_copy(
            update={
                "text": checked.text,
                "status": AnswerStatus.REFUSED if checked.refused else AnswerStatus.ANSWERED,
                "refused": checked.refused,
                "reason": why,
                "sentences": checked.sentences,
                "citations": checked.citations,
                "passages": given,
                "backend_used": used,
                "fallback_reason": fallback,
                "warnings": base.warnings + warnings + checked.warnings,
                "timings": timings,
            }
        )


def update_index(
    settings: Settings, embedder: Embedder | None = None, rebuild: bool = False, show_progress: bool = False
) -> UpdateReport:
    embedder = embedder or load_embedder(settings.embedder)
    documents = CorpusStore(settings.paths.corpus_dir).documents()
    return IndexStore(settings.paths.data_dir).update(documents, embedder, settings.chunker, rebuild, show_progress)

"""The Python API: `Assistant.load()`, then `.ask(question)` and `.search(query, k)`."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from index.corpus_store import AddReport, CorpusStore
from index.documents import Document, DocumentMeta
from index.embedder import Embedder, load_embedder, load_query_embedder, query_embedder_fallback
from index.store_protocol import Store, UpdateReport
from index.vector_index import set_single_query_threads
from rag import sentence_cache
from rag.citations import check_citations
from rag.closest import closest_passages
from rag.conversation import Rewrite, rewrite_followup_explained
from rag.deadline import Deadline, DeadlineExceeded
from rag.filters import Scope, SourceFilter, resolve
from rag.generators.base import Draft, Generator, GeneratorError
from rag.generators.registry import make_generator
from rag.reader.listing import ADJACENT_GAP, ends_in_list
from rag.reader.question import source_names
from rag.retriever import Retriever, SearchMode, store_from_settings
from rag.settings import Settings
from rag.spelling import corrected_question
from rag.support import SentenceEncoder
from rag.text_features import content_terms, entities, mentions, published_by
from rag.translation import Translation, TranslationError, translate
from rag.types import REFUSAL_PHRASE, Answer, AnswerStatus, Citation, Passage

History = Sequence[tuple[str, str]]


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, too long); the message says why."""


NAMED_SOURCE_PASSAGES = 3  # passages added from the articles a question names as its source
LIST_CONTINUATION_CHUNKS = 3  # chunks added after a passage that stops inside a list, at most

# Unicode categories that are never part of a question: control characters (NUL included), lone
# surrogates (not encodable; they crash tokenizers), unassigned and private-use code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Cn", "Co"})


def clean_question(question: str) -> str:
    """NFC-normalised text without invalid or invisible control characters, whitespace collapsed."""
    question = "".join(
        ch if unicodedata.category(ch) not in _DROPPED_CATEGORIES else " " for ch in question
    )
    return " ".join(unicodedata.normalize("NFC", question).split())


class Assistant:
    def __init__(
        self, settings: Settings, embedder: Embedder, retriever: Retriever, encoder: SentenceEncoder | None = None
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.retriever = retriever
        # `load` passes the encoder the retriever embeds questions with, so the reader finds their vectors.
        self.encoder = encoder or sentence_encoder(settings, retriever.embedder)
        self._generators: dict[str, Generator] = {}
        self._generators_lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings | None = None, build_if_missing: bool = False) -> Assistant:
        settings = settings or Settings()
        set_single_query_threads(settings.retrieval.faiss_threads)
        embedder = load_embedder(settings.embedder)  # documents; torch loads only when one is embedded
        store = store_from_settings(settings)  # embedded or PostgreSQL: the rest does not need to know
        if build_if_missing and not store.exists():
            update_index(settings, embedder, store=store)
        # The query embedder (an ONNX session, ~0.4 s) loads while the index does: a cold `rag ask`
        # waits for the slower of the two only. Both name the same model and dimension.
        with ThreadPoolExecutor(max_workers=1) as pool:
            query_future = pool.submit(load_query_embedder, settings.embedder)
            store.open(embedder.model_id, embedder.dimension, settings.chunker)
            query_embedder = query_future.result()
        if (query_embedder.model_id, query_embedder.dimension) != (embedder.model_id, embedder.dimension):
            raise ValueError(
                f"the query embedder ({query_embedder.model_id}, {query_embedder.dimension}) is not the index's "
                f"({embedder.model_id}, {embedder.dimension})"
            )
        encoder = sentence_encoder(settings, query_embedder)  # one vector per question, for retrieval and reader
        retriever = Retriever(store, query_embedder, settings.retrieval, embed_queries=encoder.encode)
        return cls(settings, embedder, retriever, encoder)

    # -- corpus -------------------------------------------------------------------------------
    def add(self, path: Path) -> tuple[AddReport, UpdateReport | None]:
        report = CorpusStore(self.settings.paths.corpus_dir).add(path, self.settings.ui.max_upload_mb << 20)
        # Idempotent: a duplicate that an interrupted earlier add left unindexed gets indexed now.
        needed = report.added or unindexed(self.settings, report.duplicate_ids)
        return report, (self.refresh() if needed else None)

    def remove(self, doc_id: str) -> UpdateReport | None:
        return self.refresh() if CorpusStore(self.settings.paths.corpus_dir).remove(doc_id) else None

    def set_meta(self, doc_id: str, **changes: str | None) -> tuple[DocumentMeta, UpdateReport]:
        """Set title, outlet, date (YYYY-MM-DD), author or URL of an article ("" clears one) and refresh
        the index. The text is unchanged, so nothing is embedded again; raises MetadataError on bad input."""
        meta = CorpusStore(self.settings.paths.corpus_dir).set_meta(doc_id, **changes)
        return meta, self.refresh()

    def refresh(self) -> UpdateReport:
        """Re-index what changed in the corpus folder and reload the index."""
        report = update_index(self.settings, self.embedder, store=self.retriever.store)
        self.encoder.forget_precomputed()
        self.retriever.store.reload_if_changed()  # the new generation (embedded); PostgreSQL reads live anyway
        return report

    # -- asking ---------------------------------------------------------------------------------
    def search(
        self, query: str, k: int | None = None, mode: SearchMode = "hybrid", where: SourceFilter | None = None
    ) -> list[Passage]:
        query = self._validate(query)
        return self.retriever.search(query, k, mode, self.scope(where).doc_ids)

    def scope(self, where: SourceFilter | None) -> Scope:
        """The articles `where` allows in the index as it is now, and its description (FilterError if bad)."""
        if where is None:
            return Scope(None, None)
        self.retriever.store.reload_if_changed()  # resolve against the articles the search will see
        return resolve(SourceFilter.parse(where), self.retriever.store.documents())

    def ask(
        self,
        question: str,
        history: History | None = None,
        backend: str | None = None,
        top_k: int | None = None,
        where: SourceFilter | None = None,
    ) -> Answer:
        """The checked answer; `where` limits the articles it may come from (see rag.filters)."""
        answer: Answer | None = None
        for item in self.ask_stream(question, history, backend, top_k, where):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def ask_stream(
        self,
        question: str,
        history: History | None = None,
        backend: str | None = None,
        top_k: int | None = None,
        where: SourceFilter | None = None,
    ) -> Iterator[str | Answer]:
        """Yield raw text pieces as the generator writes them, then the checked `Answer`."""
        question = self._validate(question)
        scope = self.scope(where)  # a bad filter fails before any work (FilterError)
        start = time.perf_counter()
        deadline = Deadline(self.settings.answer.deadline_s)
        rewrite = self._standalone(question, history, backend, deadline)
        rewritten = time.perf_counter()
        passages = self.retriever.search(rewrite.text, top_k, doc_ids=scope.doc_ids)
        # A word the archive lacks that is one slip from a word of these passages: search again as corrected.
        spelling = corrected_question(
            rewrite.text, self.retriever.store.unknown_words, lambda: [p.text for p in passages]
        )
        if spelling.replaced:
            passages = self.retriever.search(spelling.text, top_k, doc_ids=scope.doc_ids)
        passages = self._with_named_sources(spelling.text, passages, scope.doc_ids)
        passages = self._with_list_continuations(passages)
        timings = {"retrieve_s": time.perf_counter() - rewritten}
        if rewrite.method != "unchanged":
            timings["rewrite_s"] = rewritten - start
        notes = [f"follow-up rewritten by rule because {rewrite.problem}"] if rewrite.problem else []
        notes += [spelling.note] if spelling.replaced else []
        for item in self._answer(question, spelling.text, passages, backend, timings, deadline, notes):
            if isinstance(item, Answer):
                item.timings["total_s"] = time.perf_counter() - start  # the real elapsed time, failures included
                item.filter_description = scope.description
            yield item

    def answer_from_passages(self, question: str, passages: Sequence[Passage], backend: str | None = None) -> Answer:
        """Answer from passages found elsewhere (e.g. a baseline retriever); same checks."""
        deadline = Deadline(self.settings.answer.deadline_s)
        result = [
            x for x in self._answer(question, question, list(passages), backend, {}, deadline) if isinstance(x, Answer)
        ]
        return result[-1]

    def generator(self, backend: str) -> Generator:
        """The generator for a backend name, built on first use (GeneratorUnavailable says why not)."""
        with self._generators_lock:  # parallel answers must not build (and load a model) twice
            if backend not in self._generators:
                self._generators[backend] = make_generator(backend, self.settings, self.encoder)
            return self._generators[backend]

    def register_generator(self, name: str, generator: Generator) -> None:
        """Plug in any generator under a backend name (e.g. an OpenAICompatibleGenerator wrapping any
        LangChain chat model); its drafts go through the same citation checks."""
        self._generators[name] = generator

    def close(self) -> None:
        """Free what the generators hold (an in-process LLM: about 2 GB with Qwen); a later question loads it
        again. Call it before the interpreter exits: llama.cpp cannot free a model during teardown."""
        with self._generators_lock:
            generators = list(self._generators.values())
        for generator in generators:
            close = getattr(generator, "close", None)
            if callable(close):
                close()

    def translate(self, text: str, source_language: str, backend: str | None = None) -> Translation:
        """`text` (a quote) in English by an LLM: `backend`'s, else the configured backend's, else any
        usable one; the translation names the one that made it (TranslationError when none can)."""
        from rag.generators.llm_factory import rewriter_for

        wanted = [backend or self.settings.answer.backend, "local", "openai"]
        llms = dict.fromkeys(self.settings.answer.combined_llm if name == "combined" else name for name in wanted)
        reasons = []
        for name in (llm for llm in llms if llm in ("local", "openai")):
            try:
                generator = self.generator(name)
            except GeneratorError as err:
                reasons.append(f"{name}: {err}")
                continue
            complete = rewriter_for(generator)
            if complete is not None:
                return translate(complete, text, source_language, f"{name} ({getattr(generator, 'model', name)})")
        raise TranslationError("no LLM backend can translate: " + "; ".join(reasons or ["none configured"]))

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
    def _with_named_sources(
        self, question: str, passages: list[Passage], allowed: Collection[str] | None
    ) -> list[Passage]:
        """`passages` and the best passages of the articles the question names as its source ("according
        to JURIST", "the Recorded Future article"): on wording alone, one outlet's article can lose every
        place to other articles' passages although the question asks what that outlet says."""
        names = source_names(question, entities(question))
        if not names:
            return passages
        named = {
            doc_id
            for doc_id, meta in self.retriever.store.documents().items()
            if published_by(meta.outlet, meta.author, names)
        }
        if allowed is not None:
            named &= set(allowed)
        if not named:
            return passages
        seen = {p.chunk_id for p in passages}
        inside = self.retriever.search(question, NAMED_SOURCE_PASSAGES, doc_ids=sorted(named))
        return passages + [p for p in inside if p.chunk_id not in seen]

    def _with_list_continuations(self, passages: list[Passage]) -> list[Passage]:
        """`passages` and, for each that stops inside a list ("... in five provinces:"), the chunk
        after it in its article: a list cut by a chunk boundary is read whole, each item cited where
        it is. The added chunk is as relevant as the passage it continues."""
        seen = {p.chunk_id for p in passages}
        added: list[Passage] = []
        for passage in passages:
            for _ in range(LIST_CONTINUATION_CHUNKS):  # a long list may go on over several chunks
                if not ends_in_list(passage.text):
                    break
                chunk = self.retriever.store.next_chunk(passage.doc_id, passage.chunk_id)
                if chunk is None or chunk.chunk_id in seen or chunk.start > passage.end + ADJACENT_GAP:
                    break
                seen.add(chunk.chunk_id)
                passage = passage.model_copy(
                    update={
                        "chunk_id": chunk.chunk_id, "text": chunk.text, "start": chunk.start,
                        "end": chunk.end, "paragraph": chunk.paragraph, "keyword_score": None,
                    }
                )
                added.append(passage)
        return passages + added

    def _validate(self, question: str) -> str:
        if not isinstance(question, str):
            raise QuestionError(f"The question must be text, not {type(question).__name__}.")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise QuestionError(f"The question is {len(question):,} characters long; the limit is {limit:,}.")
        question = clean_question(question)
        if not question:
            raise QuestionError("The question is empty; type a question about the articles.")
        return question

    def _standalone(self, question: str, history: History | None, backend: str | None, deadline: Deadline) -> Rewrite:
        if not history:
            return Rewrite(question, "unchanged")
        llm = self._rewriter(backend or self.settings.answer.backend, deadline)
        turns = [(clean_question(str(q)), clean_question(str(a))) for q, a in history]
        return rewrite_followup_explained(question, turns, llm)

    def _rewriter(self, backend: str, deadline: Deadline) -> Callable[[str], str] | None:
        """The LLM's plain completion when an LLM backend is in use and loads; else None (rules).
        It counts against the answer's deadline (a timeout is a failed rewrite: rules take over, reported)."""
        if backend == "extractive":
            return None
        from rag.generators.llm_factory import rewriter_for

        try:
            complete = rewriter_for(self.generator(backend))
        except GeneratorError:
            return None  # the answer step reports the unavailable backend; rules rewrite meanwhile
        if complete is None:
            return None

        def within_deadline(prompt: str) -> str:
            try:
                return deadline.call(lambda: complete(prompt), "rewriting the follow-up question")
            except DeadlineExceeded as err:
                raise GeneratorError(str(err)) from err

        return within_deadline

    def _answer(
        self,
        question: str,
        standalone: str,
        passages: list[Passage],
        backend: str | None,
        timings: dict[str, float],
        deadline: Deadline,
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
            warnings=[*notes, *filter(None, [query_embedder_fallback(self.settings.embedder)])],
        )
        best = max((p.dense_score or 0.0 for p in passages), default=0.0)
        relevant = names_a_source(standalone, passages) or only_names_in(standalone, passages)
        if best < self.settings.retrieval.min_relevance and not relevant:
            reason = f"no passage is relevant enough (best similarity {best:.2f} < {self.settings.retrieval.min_relevance:.2f})"
            yield base.model_copy(
                update={"text": REFUSAL_PHRASE, "status": AnswerStatus.REFUSED, "refused": True, "reason": reason}
            )
            return
        used, fallback, warnings = requested, None, []
        given = passages if requested in ("extractive", "combined") else passages[: self.settings.answer.max_passages_llm]
        start = time.perf_counter()
        pieces: list[str] = []
        drafts: list[Draft] = []
        try:
            for piece in deadline.iterate(self._pieces(requested, standalone, given, drafts), f"the {requested} backend"):
                pieces.append(piece)
                timings.setdefault("first_token_s", time.perf_counter() - start)
                yield piece
        except (GeneratorError, DeadlineExceeded) as err:
            timings["generate_s"] = time.perf_counter() - start
            failure = f"{requested} backend failed: {err}"
            if not self.settings.answer.fallback_to_extractive or requested == "extractive":
                yield base.model_copy(update={"status": AnswerStatus.FAILED, "reason": failure})
                return
            # Never silent: the answer says who answered and why.
            used, fallback, given = "extractive", failure, passages
            warnings.append(f"answered by the extractive backend because the {failure}")
            pieces = [self.generator("extractive").generate(standalone, given).text]
        timings["generate_s"] = time.perf_counter() - start
        unread = drafts[0].extra.get("unread_languages") if drafts else None
        if isinstance(unread, list) and unread:
            warnings.append(f"passages in {', '.join(unread)} were retrieved but not read: the extractive reader reads English only")
        if drafts and drafts[0].extra.get("answer_translated_from"):
            warnings.append(f"the model read the answer in another language and translated it: "
                            f"{drafts[0].extra['answer_translated_from']!r} (machine translation)")
        if drafts and drafts[0].extra.get("reading_rejected"):
            warnings.append("the model's reading was set aside: asked again, the model judged that the sentences "
                            f"it cited do not answer the question: {drafts[0].extra['reading_rejected']!r}")
        if drafts and drafts[0].extra.get("llm_overruled"):
            # The combined backend set the LLM's reading aside: said, not silent.
            warnings.append(f"answered by the extractive reader: {drafts[0].extra['llm_overruled']}")
        timings["pieces"] = len(pieces)  # streamed pieces: one token each from llama.cpp and OpenAI servers
        start = time.perf_counter()
        attribute = self.settings.answer.attribute_uncited and used != "extractive"
        checked = check_citations(
            "".join(pieces), given, self.encoder, self.settings.answer.support_threshold, attribute
        )
        timings["check_s"] = time.perf_counter() - start
        why: str | None = None
        closest: list[Citation] = []
        if checked.refused:
            closest = closest_passages(standalone, given, self.encoder, _closest_span(drafts))
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
                "closest": closest,
                "passages": given,
                "backend_used": used,
                "answered_by": str(drafts[0].extra["answered_by"]) if drafts and "answered_by" in drafts[0].extra else None,
                "fallback_reason": fallback,
                "warnings": base.warnings + warnings + checked.warnings,
                "timings": timings,
            }
        )


    def _pieces(self, backend: str, question: str, passages: Sequence[Passage], drafts: list[Draft]) -> Iterator[str]:
        """The backend's text pieces; a generator that reports who answered (combined) drafts whole."""
        generator = self.generator(backend)
        if getattr(generator, "reports_answerer", False):
            draft = generator.generate(question, passages)
            drafts.append(draft)
            yield draft.text
            return
        yield from generator.stream(question, passages)


def _closest_span(drafts: Sequence[Draft]) -> tuple[int, int] | None:
    """(passage number, offset in the source) of the span a reader came closest to answering with."""
    where = drafts[0].extra.get("closest_span") if drafts else None
    if isinstance(where, (list, tuple)) and len(where) == 2:
        return int(where[0]), int(where[1])
    return None


def sentence_encoder(settings: Settings, query_embedder: Embedder) -> SentenceEncoder:
    """Queries and answer sentences use the query embedder (ONNX: no torch on a cold start); passage
    sentences were embedded when the index was built (rag/sentence_cache.py)."""
    return SentenceEncoder(
        query_embedder,
        precomputed=lambda: sentence_cache.load(settings.paths.data_dir, query_embedder.model_id, query_embedder.dimension),
    )


def names_a_source(question: str, passages: Sequence[Passage]) -> bool:
    """The question names a retrieved article by its outlet, author or title ("the Recorded Future
    article"): it is about that article even when no passage text is similar to it."""
    names = entities(question)
    return bool(names) and any(
        all(mentions(f"{p.outlet or ''} {p.author or ''} {p.title}", name) for name in names) for p in passages
    )


def only_names_in(question: str, passages: Sequence[Passage]) -> bool:
    """The question asks about nothing but names ("Who is John Wojcik?") and a passage mentions them
    all: a short question like that is barely similar to any passage, yet that passage is about it."""
    names = entities(question)
    if not names or not content_terms(question) <= content_terms(" ".join(names)):
        return False
    return any(all(mentions(p.text, name) for name in names) for p in passages)


def update_index(
    settings: Settings,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
    store: Store | None = None,
) -> UpdateReport:
    """Make the store the settings name hold exactly the corpus folder's articles."""
    embedder = embedder or load_embedder(settings.embedder)
    documents = CorpusStore(settings.paths.corpus_dir).documents()
    if store is not None:
        report = store.update(documents, embedder, settings.chunker, rebuild, show_progress)
    else:
        with closing(store_from_settings(settings)) as own:
            report = own.update(documents, embedder, settings.chunker, rebuild, show_progress)
    build_sentence_cache(settings, documents, embedder)
    return report


def build_sentence_cache(settings: Settings, documents: Sequence[Document], embedder: Embedder) -> int:
    """Embed the chunks' sentences now, so a cold question does not (rag/sentence_cache.py). Torch fp32
    gives the query embedder's vectors (within 1e-4), so the document embedder does it when it is fp32."""
    if settings.retrieval.sentence_cache_max == 0:
        return 0
    sentence_embedder = embedder if embedder.precision == "fp32" else load_query_embedder(settings.embedder)
    return sentence_cache.build(
        settings.paths.data_dir, documents, settings.chunker, sentence_embedder, settings.retrieval.sentence_cache_max
    )


def unindexed(settings: Settings, doc_ids: Sequence[str]) -> list[str]:
    """Those of `doc_ids` that the index does not hold (all of them when there is no readable index)."""
    from index.manifest import CorruptIndexError
    from index.store import NoIndexError

    if not doc_ids:
        return []
    try:
        with closing(store_from_settings(settings)) as store:
            held = store.read_manifest().documents
    except (NoIndexError, CorruptIndexError):
        return list(dict.fromkeys(doc_ids))
    return [doc_id for doc_id in dict.fromkeys(doc_ids) if doc_id not in held]

"""Passage-sentence vectors made at index time: the same vectors, the same answers, only new sentences
embedded on update, and a damaged cache file costs time, not answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.corpus_store import CorpusStore
from index.embedder import load_query_embedder
from rag import sentence_cache
from rag.assistant import Assistant, update_index
from rag.settings import Settings
from tests.conftest import SEED_CORPUS, make_settings

pytestmark = pytest.mark.slow
QUESTIONS = [
    "How many people are held in Myanmar?",
    "Who runs the scam compounds?",
    "How are victims recruited?",
]


def test_cached_vectors_are_the_query_embedders(seed_settings: Settings) -> None:
    embedder = load_query_embedder(seed_settings.embedder)
    cached = sentence_cache.load(seed_settings.paths.data_dir, embedder.model_id, embedder.dimension)
    documents = CorpusStore(seed_settings.paths.corpus_dir).documents()
    texts = sentence_cache.chunk_sentences(documents, seed_settings.chunker)
    assert texts and len(cached) == len(texts)
    sample = texts[:: max(1, len(texts) // 40)]
    fresh = embedder.embed(sample)
    stored = np.stack([cached[sentence_cache.sentence_key(t)] for t in sample])
    assert float(np.min(np.sum(fresh * stored, axis=1))) >= 1 - 1e-3


def test_answers_with_and_without_the_cache_are_the_same(seed_settings: Settings) -> None:
    with_cache = Assistant.load(seed_settings)
    without = Assistant.load(seed_settings)
    without.encoder._precomputed = {}  # as if no cache file existed: every sentence embedded at question time
    for question in QUESTIONS:
        a, b = with_cache.ask(question), without.ask(question)
        assert (a.text, [c.quote for c in a.citations]) == (b.text, [c.quote for c in b.citations])
    assert with_cache.encoder.cache.keys() < without.encoder.cache.keys()  # fewer embedded at question time


def test_update_embeds_only_new_sentences_and_a_damaged_file_is_ignored(small_corpus: Settings) -> None:
    update_index(small_corpus)
    embedder = load_query_embedder(small_corpus.embedder)
    path = sentence_cache.cache_path(small_corpus.paths.data_dir, embedder.model_id)
    before = len(sentence_cache.load(small_corpus.paths.data_dir, embedder.model_id, embedder.dimension))
    shutil.copy(SEED_CORPUS / "003_6f1c126e6cebdb67.txt", small_corpus.paths.corpus_dir)
    shutil.copy(SEED_CORPUS / "003_6f1c126e6cebdb67.meta.json", small_corpus.paths.corpus_dir)
    documents = CorpusStore(small_corpus.paths.corpus_dir).documents()
    new = sentence_cache.build(small_corpus.paths.data_dir, documents, small_corpus.chunker, embedder, 10_000)
    after = len(sentence_cache.load(small_corpus.paths.data_dir, embedder.model_id, embedder.dimension))
    assert 0 < new == after - before
    assert sentence_cache.build(small_corpus.paths.data_dir, documents, small_corpus.chunker, embedder, 10_000) == 0

    path.write_bytes(b"not an npz file")
    assert sentence_cache.load(small_corpus.paths.data_dir, embedder.model_id, embedder.dimension) == {}
    answer = Assistant.load(small_corpus).ask(QUESTIONS[0])
    assert answer.citations and not answer.refused


def test_over_the_limit_there_is_no_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "corpus", tmp_path / "data")
    shutil.copytree(SEED_CORPUS, settings.paths.corpus_dir)
    settings.retrieval.sentence_cache_max = 10
    update_index(settings)
    embedder = load_query_embedder(settings.embedder)
    assert not sentence_cache.cache_path(settings.paths.data_dir, embedder.model_id).exists()
    assert Assistant.load(settings).ask(QUESTIONS[0]).citations

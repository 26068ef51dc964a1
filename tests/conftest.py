"""Shared fixtures: a copy of the seed corpus and one index built from it per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The local backend's default is Qwen2.5-Coder-1.5B (1.1 GB, joined on demand): the tests use SmolLM2,
# which loads in a second, and never need Qwen. Tests of the default itself build their settings directly.
os.environ["RAG_LOCAL__MODEL_PATH"] = "smollm2"

from rag.assistant import Assistant, update_index
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"


def make_settings(corpus_dir: Path, data_dir: Path) -> Settings:
    settings = Settings()
    settings.paths.corpus_dir = corpus_dir
    settings.paths.data_dir = data_dir
    return settings


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("seed")
    shutil.copytree(SEED_CORPUS, base / "corpus")
    settings = make_settings(base / "corpus", base / "data")
    update_index(settings)
    return settings


@pytest.fixture(scope="session")
def assistant(seed_settings: Settings) -> Assistant:
    return Assistant.load(seed_settings)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Settings:
    """Two seed articles in a fresh corpus and data folder, for tests that change the index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in ("001_6b63a1e1db25d1e7", "004_830bf3688af14f07"):
        for suffix in (".txt", ".meta.json"):
            shutil.copy(SEED_CORPUS / f"{stem}{suffix}", corpus)
    return make_settings(corpus, tmp_path / "data")

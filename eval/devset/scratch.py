"""A scratch corpus for `rag eval --devset`: the seed articles plus every dev article, added as a user would.

The seed corpus folder is copied as it is; the dev articles go through CorpusStore.add (what
`rag add <folder>` runs: extraction, metadata, doc ids), then the index is built with
rag.assistant.update_index (what `rag add` and `rag index` run). Nothing here reads gold answers.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from eval.gold import source_file_ids
from index.corpus_store import AddReport, CorpusStore
from rag.settings import Settings


@dataclass
class ScratchCorpus:
    settings: Settings
    added: AddReport
    file_ids: dict[str, str]  # dev article file name -> doc_id given at add time


def build_scratch_corpus(
    seed_corpus: Path, articles: Path, scratch_dir: Path, base: Settings | None = None
) -> ScratchCorpus:
    """Copy `seed_corpus` into `scratch_dir`/corpus, add every file under `articles`, build the index."""
    from rag.assistant import update_index

    corpus_dir, data_dir = scratch_dir / "corpus", scratch_dir / "data"
    if corpus_dir.exists() or data_dir.exists():
        raise FileExistsError(f"{scratch_dir} already holds a corpus or an index; give an empty folder")
    shutil.copytree(seed_corpus, corpus_dir, ignore=shutil.ignore_patterns(".corpus.lock", "*.tmp"))
    settings = (base or Settings()).model_copy(deep=True)
    settings.paths.corpus_dir = corpus_dir
    settings.paths.data_dir = data_dir
    report = CorpusStore(corpus_dir).add(articles, settings.ui.max_upload_mb << 20)
    if report.errors:
        raise ValueError("dev articles that `rag add` refused: " + "; ".join(report.errors))
    update_index(settings)
    names = {p.name for p in articles.rglob("*") if p.is_file()} if articles.is_dir() else {articles.name}
    file_ids = {name: doc_id for name, doc_id in source_file_ids(corpus_dir).items() if name in names}
    return ScratchCorpus(settings=settings, added=report, file_ids=file_ids)

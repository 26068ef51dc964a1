"""A real `rag serve` on a free loopback port, over a temporary copy of the corpus and its own index."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = ROOT / "test-output"
MAX_UPLOAD_MB = 1  # small, so that the too-large upload test needs only a 1.2 MB file
EDITOR_USER, EDITOR_PASSWORD = "editor", "corpus-edit-9f3"  # RAG_UI__EDITOR_AUTH of the test server

XSS_ID = "zz_xss_probe"
XSS_TEXT = """Kestrel Bay compound raid report (test article)

This article is a test fixture written for the UI tests; the place and the figures are invented.

Police in the invented town of Kestrel Bay said on Monday that 3,917 workers had been held inside the \
Kestrel Bay compound and forced to run online investment scams. <script>window.__xss=1</script>

The workers came from nine countries, officers said. <img src=x onerror="window.__xss=2"> Many had \
answered fake job adverts for customer-service posts.
"""
XSS_META = {
    "doc_id": XSS_ID,
    "title": 'Kestrel Bay raid <img src=x onerror="window.__xss=3"><script>window.__xss=4</script>',
    "outlet": "<b onmouseover=\"window.__xss=5\">Test Outlet</b>",
    "date": "2024-03-11",
    "url": "javascript:window.__xss=6",
    "source_file": "xss.txt",
}


# An article in Chinese (facts invented for the tests): found by English questions, not read by the
# extractive reader, its quotes machine-translated on request.
ZH_ID = "zz_zh_rescue"
ZH_TEXT = (
    "妙瓦底警方解救三百一十二名外国人\n\n"
    "缅甸妙瓦底警方周二在一次突击行动中解救了312名被困在电信诈骗园区的外国人，其中大部分来自埃塞俄比亚和肯尼亚。"
    "警方逮捕了园区的14名管理人员，并查获了大量手机和电脑。\n"
)
ZH_META = {"doc_id": ZH_ID, "title": "妙瓦底警方解救三百一十二名外国人", "outlet": "Test Wire", "date": "2024-05-07",
           "language": "zh", "source_file": "zh_rescue.txt"}
SERVER_DIRS: dict[str, Path] = {}  # server URL -> its temporary folder (corpus/, data/)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"rag serve exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/config", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    proc.terminate()
    pytest.fail(f"rag serve did not answer within {timeout:.0f}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a server over a temporary corpus (the repo's articles plus an XSS probe article)."""
    base = tmp_path_factory.mktemp("ui")
    corpus, data = base / "corpus", base / "data"
    corpus.mkdir()
    for f in sorted((ROOT / "corpus").iterdir()):
        if f.name.endswith((".txt", ".meta.json")):
            shutil.copyfile(f, corpus / f.name)
    (corpus / f"{XSS_ID}.txt").write_text(XSS_TEXT, encoding="utf-8")
    (corpus / f"{XSS_ID}.meta.json").write_text(json.dumps(XSS_META), encoding="utf-8")
    (corpus / f"{ZH_ID}.txt").write_text(ZH_TEXT, encoding="utf-8")
    (corpus / f"{ZH_ID}.meta.json").write_text(json.dumps(ZH_META, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "GRADIO_ANALYTICS_ENABLED": "False", "RAG_UI__MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
           "GRADIO_TEMP_DIR": str(base / "gradio-tmp")}
    env.pop("RAG_UI__AUTH", None)
    env.pop("RAG_UI__SINGLE_USER", None)
    env["RAG_UI__EDITOR_AUTH"] = f"{EDITOR_USER}:{EDITOR_PASSWORD}"
    log = base / "serve.log"
    cmd = [sys.executable, "-c", "from rag.cli import main; main()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--data-dir", str(data), "--corpus-dir", str(corpus)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    SERVER_DIRS[url] = base
    try:
        _wait_ready(url, proc, log, timeout=420)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-setup` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: object, ui_server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(ui_server)
    pg.wait_for_selector("#question textarea")
    yield pg
    context.close()

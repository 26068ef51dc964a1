"""The server for programs: /ask over gradio_client, follow-ups, upload errors, 20 concurrent sessions."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from tests.ui.conftest import EDITOR_PASSWORD, EDITOR_USER, MAX_UPLOAD_MB, OUTPUT, SERVER_DIRS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def client(url: str) -> Client:
    return Client(url, verbose=False)


def test_ask_endpoint_returns_answer_json(ui_server: str) -> None:
    result = client(ui_server).predict("How many people are held in Myanmar?", api_name="/ask")
    assert isinstance(result, dict)
    assert result["status"] == "answered" and not result["refused"]
    assert "120,000" in result["text"]
    assert result["citations"], "an answer must cite"
    for c in result["citations"]:
        assert {"n", "doc_id", "title", "outlet", "date", "quote", "quote_start", "quote_end"} <= c.keys()
        assert f"[{c['n']}]" in result["text"]
    assert any("120,000" in c["quote"] for c in result["citations"])


def test_ask_endpoint_follow_up_uses_history(ui_server: str) -> None:
    history = [["How many people are held in Myanmar?", "At least 120,000 [1]."]]
    result = client(ui_server).predict("And in Cambodia?", "extractive", history, api_name="/ask")
    assert result["standalone_question"], "the follow-up was not rewritten from the history"
    assert "Cambodia" in result["standalone_question"]
    assert "100,000" in result["text"]


def test_ask_endpoint_refuses_off_topic(ui_server: str) -> None:
    result = client(ui_server).predict("Who won the 2022 World Cup?", api_name="/ask")
    assert result["status"] == "refused" and result["refused"]
    assert result["text"] == "The sources don't say." and result["reason"]
    assert result["citations"] == []


def test_ask_endpoint_rejects_empty_question(ui_server: str) -> None:
    with pytest.raises(Exception, match="empty"):
        client(ui_server).predict("   ", api_name="/ask")


def test_ask_endpoint_takes_a_source_filter(ui_server: str) -> None:
    only = "002_156414120a098346"
    c = client(ui_server)
    result = c.predict("How many people are held in Myanmar?", None, None, None, [only], api_name="/ask")
    assert result["citations"] and {x["doc_id"] for x in result["citations"]} == {only}
    assert only in result["filter_description"]
    dated = c.predict("How many people are held in Myanmar?", api_name="/ask", since="2023-01-01", until="2023-12-31")
    assert "undated article" in dated["filter_description"]  # the seed corpus has undated articles
    with pytest.raises(Exception, match="no article with id"):
        c.predict("How many people are held in Myanmar?", api_name="/ask", doc_ids=["not-an-article"])


def editor_client(url: str) -> Client:
    """A client whose session has logged in as editor (gradio_client keeps one session per Client)."""
    c = client(url)
    access, _password = c.predict(EDITOR_USER, EDITOR_PASSWORD, api_name="/editor_login")  # the state stays server-side
    assert "Logged in as editor" in str(access), access
    return c


def _add(url: str, path: Path) -> str:
    status, _table, _choices, _upload = editor_client(url).predict([handle_file(str(path))], api_name="/add_articles")
    return str(status)


def _raw_call(url: str, api_name: str, data: list[Any]) -> str:
    """POST /gradio_api/call/<api_name> as a bare HTTP client would (no session, no login); the result stream."""
    request = urllib.request.Request(
        f"{url}/gradio_api/call/{api_name}", data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        event_id = json.loads(resp.read())["event_id"]
    with urllib.request.urlopen(f"{url}/gradio_api/call/{api_name}/{event_id}", timeout=120) as resp:
        return resp.read().decode("utf-8", "replace")


def test_remove_without_login_is_refused_and_deletes_nothing(ui_server: str) -> None:
    corpus = Path(_server_corpus(ui_server))
    target = corpus / "004_830bf3688af14f07.txt"
    assert target.exists()
    result = _raw_call(ui_server, "remove_article", ["004_830bf3688af14f07"])
    assert "Log in as editor" in result, result
    assert target.exists(), "an anonymous POST deleted an article"
    status, _table, _choices = client(ui_server).predict("004_830bf3688af14f07", api_name="/remove_article")
    assert "Log in as editor" in str(status) and target.exists()


def test_wrong_editor_password_is_refused(ui_server: str, tmp_path: Path) -> None:
    c = client(ui_server)
    access, _password = c.predict(EDITOR_USER, "wrong-password", api_name="/editor_login")
    assert "Wrong editor name or password" in str(access)
    path = tmp_path / "sneaky.txt"
    path.write_text("Sneaky article about 4,321 workers held at the invented Sneaky Cove compound.\n", encoding="utf-8")
    status, _table, _choices, _upload = c.predict([handle_file(str(path))], api_name="/add_articles")
    assert "Log in as editor" in str(status) and 'class="ok"' not in str(status)
    assert not any("Sneaky" in p.read_text(encoding="utf-8") for p in Path(_server_corpus(ui_server)).glob("*.txt"))


def _server_corpus(url: str) -> str:
    return str(SERVER_DIRS[url] / "corpus")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("blob.md", b"\x00\x01\x02binary\x00" * 50, "binary"),
        ("notes.docx", b"PK\x03\x04 not an article", "unsupported file type"),
    ],
)
def test_upload_errors_are_reported(ui_server: str, tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    try:
        status = _add(ui_server, path)
    except Exception as err:  # gradio itself may refuse the file before the handler sees it
        status = str(err)
        assert expected in status or "file type" in status.lower() or "empty" in status.lower(), status
        return
    assert 'class="error"' in status and name in status and expected in status, status
    assert 'class="ok"' not in status


def test_upload_too_large_is_refused(ui_server: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Scam compounds held many people. " * (MAX_UPLOAD_MB * 40_000), encoding="utf-8")
    assert path.stat().st_size > MAX_UPLOAD_MB << 20
    try:
        status = _add(ui_server, path)
    except Exception as err:  # refused at upload by launch(max_file_size=...)
        assert re.search(r"(?i)too large|exceed|size", str(err)), err
        return
    assert 'class="error"' in status and "limit" in status and 'class="ok"' not in status, status


# Different questions on three topics; under load each answer must be the one its question gets alone.
LOAD_QUESTIONS: list[tuple[str, str]] = [
    ("How many people are held in Myanmar?", "120,000"),
    ("How many people are held in Cambodia?", "100,000"),
    ("How much is the scam industry in the Mekong region worth?", "43.8"),
    ("How many people are forced to work in scam operations in Myanmar?", "120,000"),
    ("How many people are trapped in Cambodian scam centres?", "100,000"),
    ("What is the yearly value of the scam industry in the Mekong region?", "43.8"),
]
N_SESSIONS = 20


def test_twenty_concurrent_sessions(ui_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    clients = [client(ui_server) for _ in range(N_SESSIONS)]  # one session each, built before timing
    jobs = [LOAD_QUESTIONS[i % len(LOAD_QUESTIONS)] for i in range(N_SESSIONS)]
    # Each question's answer asked alone first; the canonical question of each topic gives its figure,
    # so answers of different topics differ and a mix-up cannot go unseen.
    alone = {question: clients[0].predict(question, api_name="/ask")["text"] for question, _ in LOAD_QUESTIONS}
    for question, figure in LOAD_QUESTIONS[:3]:
        assert figure in alone[question], (question, alone[question])
    results: list[dict[str, Any] | None] = [None] * N_SESSIONS
    latencies: list[float] = [0.0] * N_SESSIONS
    errors: list[str] = []
    start_line = threading.Barrier(N_SESSIONS)

    def run(i: int) -> None:
        question, _ = jobs[i]
        start_line.wait()
        t0 = time.perf_counter()
        try:
            results[i] = clients[i].predict(question, api_name="/ask")
        except Exception as err:
            errors.append(f"{question}: {err!r}")
        latencies[i] = time.perf_counter() - t0

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(N_SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=400)
    wall = time.perf_counter() - t0
    assert not errors, errors
    mixed = []
    for i, result in enumerate(results):
        question, _ = jobs[i]
        assert result is not None, f"no answer for {question}"
        if result["question"] != question or result["text"] != alone[question]:
            mixed.append((question, result["question"], result["text"]))
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    summary = {"sessions": N_SESSIONS, "wall_s": round(wall, 2), "median_s": round(statistics.median(latencies), 2),
               "p95_s": round(p95, 2), "max_s": round(ordered[-1], 2), "min_s": round(ordered[0], 2),
               "latencies_s": [round(x, 3) for x in latencies], "mixed_up": len(mixed)}
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "load.json").write_text(json.dumps(summary, indent=2))
    with capsys.disabled():  # shown in the test output without -s
        print(f"\nload: {N_SESSIONS} concurrent /ask sessions in {wall:.1f}s wall; latency median "
              f"{summary['median_s']}s, p95 {summary['p95_s']}s, max {summary['max_s']}s")
    assert not mixed, mixed

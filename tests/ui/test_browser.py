"""The chat page in real headless Chromium: streaming, chips, sources, article view, upload, XSS, refusal."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import OUTPUT, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ANSWER_TIMEOUT = 180_000  # ms; the machine is small and shared

# Records every state the newest answer bubble goes through, to prove the answer streamed in.
WATCH_STREAM = """
() => {
  window.__streamed = [];
  const root = document.querySelector('#transcript');
  new MutationObserver(() => {
    root.querySelectorAll('.msg.bot.streaming').forEach(m => window.__streamed.push(m.innerText));
  }).observe(root, {childList: true, subtree: true, characterData: true});
}
"""


SHOW_ACTIVE_CARD = """
() => {
  const card = document.querySelector('#sources .card.active');
  let box = card.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (box && box !== document.documentElement) {
    box.scrollTop += card.getBoundingClientRect().top - box.getBoundingClientRect().top - 90;
  }
}
"""


def ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, return the new (last) answer bubble once it is final."""
    before = page.locator("#transcript .msg.bot").count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    bubble = page.locator("#transcript .msg.bot").nth(before)
    page.wait_for_function(
        "n => { const b = document.querySelectorAll('#transcript .msg.bot'); "
        "return b.length > n && !b[n].classList.contains('streaming'); }",
        arg=before, timeout=ANSWER_TIMEOUT,
    )
    return bubble


def test_streamed_answer_chip_shows_highlighted_quote(page: Any) -> None:
    page.evaluate(WATCH_STREAM)
    bubble = ask(page, "How many people are held in Myanmar?")
    assert "120,000" in bubble.inner_text()
    streamed = page.evaluate("window.__streamed")
    assert streamed, "no streaming state was shown before the checked answer"
    chips = bubble.locator("button.chip")
    assert chips.count() >= 1
    chips.first.click()
    active = page.locator("#sources .card.active")
    active.wait_for()
    assert active.get_attribute("data-n") == chips.first.get_attribute("data-n")
    mark = active.locator("mark")
    assert "120,000" in mark.inner_text()
    head = active.locator(".card-head").inner_text()
    assert "—" in head and "," in head  # title — outlet, date
    active.locator("button.open-article").click()
    quote = page.locator("#article mark#article-quote")
    quote.wait_for()
    assert "120,000" in quote.inner_text()
    page.wait_for_timeout(800)  # let the panels finish scrolling for the screenshot
    page.evaluate(SHOW_ACTIVE_CARD)  # Playwright scrolled the panel to reach the button it clicked
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "ui-answer.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(shot, docs / "ui-screenshot.png")


def test_older_answer_chips_still_show_their_sources(page: Any) -> None:
    ask(page, "How many people are held in Myanmar?")
    ask(page, "How much is the scam industry in the Mekong region worth?")
    first = page.locator("#transcript .msg.bot").first
    first.locator("button.chip").first.click()
    page.wait_for_function("() => (document.querySelector('#sources .card.active mark') || {}).innerText"
                           "?.includes('120,000')")
    assert "Myanmar" in page.locator("#sources .sources-q").inner_text()
    last = page.locator("#transcript .msg.bot").last
    last.locator("button.chip").first.click()
    page.wait_for_function("() => (document.querySelector('#sources .card.active mark') || {}).innerText"
                           "?.includes('43.8')")


def test_refusal_is_shown_as_refusal(page: Any) -> None:
    bubble = ask(page, "Who won the 2022 World Cup?")
    assert "refused" in (bubble.get_attribute("class") or "")
    text = bubble.inner_text()
    assert "REFUSED" in text.upper() and "The sources don't say." in text
    assert "why:" in text
    assert bubble.locator("button.chip").count() == 0


def test_xss_article_renders_inert(page: Any) -> None:
    bubble = ask(page, "How many workers were held inside the Kestrel Bay compound?")
    assert "3,917" in bubble.inner_text()
    bubble.locator("button.chip").first.click()
    card = page.locator("#sources .card.active")
    card.wait_for()
    assert '<img src=x onerror="window.__xss=3">' in card.locator(".card-head").inner_text()
    card.locator("button.open-article").click()
    page.locator("#article mark#article-quote").wait_for()
    article = page.locator("#article").inner_text()
    assert "<script>window.__xss=1</script>" in article
    assert '<img src=x onerror="window.__xss=2">' in article
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#corpus-list").get_by_text("Kestrel Bay raid").wait_for()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#article img, #sources img, #corpus-list img, #transcript img").count() == 0
    assert page.locator("#article script, #sources script, #corpus-list script").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_upload_article_then_ask_about_it(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "tonle-harbour-rescue.txt"
    article.write_text(
        "Rescue at the Tonle Harbour compound (test article)\n\n"
        "This article is a test fixture for the UI tests; the compound and the figures are invented.\n\n"
        "Officials said 2,861 trafficked workers were freed from the Tonle Harbour compound during a "
        "week-long operation, after families reported relatives missing.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#upload input[type=file]", str(article))
    status = page.locator("#corpus-status li.ok").first
    status.wait_for(timeout=ANSWER_TIMEOUT)
    assert "added tonle-harbour-rescue" in status.inner_text()
    page.locator("#corpus-list").get_by_text("Rescue at the Tonle Harbour compound").wait_for()
    page.get_by_role("tab", name="Ask").click()
    bubble = ask(page, "How many trafficked workers were freed from the Tonle Harbour compound?")
    assert "2,861" in bubble.inner_text()
    bubble.locator("button.chip").first.click()
    assert "Tonle Harbour" in page.locator("#sources .card.active .card-head").inner_text()


def test_upload_rejects_binary_file_with_clear_error(page: Any, tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#upload input[type=file]", str(binary))
    error = page.locator("#corpus-status li.error").first
    error.wait_for(timeout=ANSWER_TIMEOUT)
    assert "photo.txt" in error.inner_text() and "binary" in error.inner_text()

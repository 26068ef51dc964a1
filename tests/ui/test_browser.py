"""The chat page in real headless Chromium: streaming, chips, sources, article view, upload, XSS, refusal."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import EDITOR_PASSWORD, EDITOR_USER, OUTPUT, ROOT

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


def test_conversation_and_answer_download_as_markdown(page: Any, tmp_path: Path) -> None:
    ask(page, "How many people are held in Myanmar?")
    ask(page, "How much is the scam industry in the Mekong region worth?")
    button = page.locator("#download-conversation")
    button.wait_for(state="visible")
    with page.expect_download() as info:
        button.click()
    conversation = Path(info.value.path()).read_text(encoding="utf-8")
    assert conversation.count("**Q:**") == 2
    assert "120,000" in conversation and "43.8" in conversation
    assert "**References**" in conversation and "> “" in conversation and "1. *" in conversation
    # Clicking a chip of the first answer makes it the one "Download answer" gives.
    page.locator("#transcript .msg.bot").first.locator("button.chip").first.click()
    page.wait_for_timeout(1500)
    with page.expect_download() as info:
        page.locator("#download-answer").click()
    one = Path(info.value.path()).read_text(encoding="utf-8")
    assert one.count("**Q:**") == 1 and "Myanmar" in one and "120,000" in one and "43.8" not in one


def choose_earlier(page: Any, text: str) -> None:
    page.locator("#earlier input").click()
    page.locator("ul[role=listbox] li", has_text=text).first.click()


def test_conversations_survive_a_reload_and_can_be_reopened_and_deleted(page: Any) -> None:
    ask(page, "How many people are held in Cambodia?")
    page.wait_for_timeout(1500)  # the save runs after the answer
    page.reload()
    page.wait_for_selector("#question textarea")
    restored = page.locator("#transcript .msg.bot").last
    restored.wait_for()
    assert "100,000" in restored.inner_text()
    assert "How many people are held in Cambodia?" in page.locator("#transcript").inner_text()
    restored.locator("button.chip").first.click()  # the restored answer still opens its sources
    page.locator("#sources .card.active").wait_for()

    page.click("#new-btn")
    page.wait_for_function("() => document.querySelectorAll('#transcript .msg.bot').length === 0")
    ask(page, "How much is the scam industry in the Mekong region worth?")
    page.wait_for_timeout(1500)
    assert "Cambodia" not in page.locator("#transcript").inner_text()
    choose_earlier(page, "Cambodia")
    page.wait_for_function("() => document.querySelector('#transcript').innerText.includes('Cambodia')")
    assert "Mekong" not in page.locator("#transcript").inner_text()

    page.click("#delete-conversation")
    page.wait_for_function("() => !document.querySelector('#transcript').innerText.includes('Cambodia')")
    page.wait_for_timeout(1000)
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_timeout(2000)
    page.locator("#earlier input").click()
    options = page.locator("ul[role=listbox] li").all_inner_texts()
    assert any("Mekong" in o for o in options) and not any("Cambodia" in o for o in options), options


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


def log_in_as_editor(page: Any) -> None:
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#editor-user textarea, #editor-user input").first.fill(EDITOR_USER)
    page.locator("#editor-password input, #editor-password textarea").first.fill(EDITOR_PASSWORD)
    page.click("#editor-login-btn")
    page.locator("#edit-access").get_by_text("Logged in as editor").wait_for()


def test_upload_without_login_is_refused(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "unlogged.txt"
    article.write_text("An article about 1,234 workers at the invented Unlogged Point compound.\n", encoding="utf-8")
    page.get_by_role("tab", name="Corpus").click()
    assert "log in as editor" in page.locator("#edit-access").inner_text().lower()
    page.set_input_files("#upload input[type=file]", str(article))
    error = page.locator("#corpus-status li.error").first
    error.wait_for(timeout=ANSWER_TIMEOUT)
    assert "Log in as editor" in error.inner_text()
    assert page.locator("#corpus-list").get_by_text("Unlogged Point").count() == 0


def test_upload_article_then_ask_about_it(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "tonle-harbour-rescue.txt"
    article.write_text(
        "Rescue at the Tonle Harbour compound (test article)\n\n"
        "This article is a test fixture for the UI tests; the compound and the figures are invented.\n\n"
        "Officials said 2,861 trafficked workers were freed from the Tonle Harbour compound during a "
        "week-long operation, after families reported relatives missing.\n",
        encoding="utf-8",
    )
    log_in_as_editor(page)
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
    log_in_as_editor(page)
    page.set_input_files("#upload input[type=file]", str(binary))
    error = page.locator("#corpus-status li.error").first
    error.wait_for(timeout=ANSWER_TIMEOUT)
    assert "photo.txt" in error.inner_text() and "binary" in error.inner_text()


def test_pdf_citation_shows_its_page_and_the_article_opens_there(page: Any, tmp_path: Path) -> None:
    from tests.pdf_pages import FACT_PAGE, FACT_QUESTION, make_paged_pdf

    log_in_as_editor(page)
    page.set_input_files("#upload input[type=file]", str(make_paged_pdf(tmp_path / "marrowgate-briefing.pdf")))
    status = page.locator("#corpus-status li.ok").first
    status.wait_for(timeout=ANSWER_TIMEOUT)
    assert "added marrowgate-briefing" in status.inner_text()
    page.get_by_role("tab", name="Ask").click()
    bubble = ask(page, FACT_QUESTION)
    assert "4,271" in bubble.inner_text()
    bubble.locator("button.chip").first.click()
    card = page.locator("#sources .card.active")
    card.wait_for()
    assert "4,271" in card.locator("mark").inner_text()
    assert card.locator(".card-head .src-page").inner_text() == f"p. {FACT_PAGE}"
    card.locator("button.open-article").click()
    quote = page.locator("#article mark#article-quote")
    quote.wait_for()
    assert "4,271" in quote.inner_text()
    n = card.get_attribute("data-n")
    assert f"quote [{n}] on p. {FACT_PAGE}" in page.locator("#article .article-head").inner_text()
    # The page markers of the article view: the quote comes after "page N" and before "page N+1", if any.
    markers = page.locator("#article .page-marker")
    assert markers.count() == 3 and markers.nth(FACT_PAGE - 1).inner_text() == f"page {FACT_PAGE}"
    last_marker_before_quote = page.evaluate(
        """() => { const q = document.querySelector('#article mark#article-quote');
                   const before = [...document.querySelectorAll('#article .page-marker')].filter(
                     m => m.compareDocumentPosition(q) & Node.DOCUMENT_POSITION_FOLLOWING);
                   return before.length ? before[before.length - 1].dataset.page : null; }"""
    )
    assert last_marker_before_quote == str(FACT_PAGE)
    page.wait_for_timeout(800)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "ui-page-citation.png"))
    shutil.copyfile(OUTPUT / "ui-page-citation.png", ROOT / "docs" / "ui-page-citation.png")


def test_ticked_article_is_the_only_one_cited_and_the_filter_is_named(page: Any) -> None:
    only = "002_156414120a098346"
    page.get_by_role("tab", name="Corpus").click()
    box = page.locator("#ask-only").get_by_label(only, exact=False)
    box.check()
    assert box.is_checked()
    page.get_by_role("tab", name="Ask").click()
    bubble = ask(page, "How many people are held in Myanmar?")
    text = bubble.inner_text()
    assert "Filtered:" in text and only in text
    assert bubble.locator("button.chip").count() >= 1
    feet = page.locator("#sources .card .card-foot")
    feet.first.wait_for()
    assert feet.count() >= 1 and all(only in feet.nth(i).inner_text() for i in range(feet.count()))
    page.wait_for_timeout(500)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "ui-filtered.png"))
    shutil.copyfile(OUTPUT / "ui-filtered.png", ROOT / "docs" / "ui-filtered.png")

    page.locator("#source-filter").get_by_text("Sources to ask").click()
    page.locator("#filter-since textarea, #filter-since input").first.fill("2030-13-01")
    failed = ask(page, "How many people are held in Myanmar?")
    assert "not a date" in failed.inner_text()  # a bad filter is said, never ignored


def test_editor_sets_outlet_and_date_and_the_next_citation_shows_them(page: Any, tmp_path: Path) -> None:
    article = tmp_path / "saltmarsh-quay-rescue.txt"
    article.write_text(
        "Rescue at the Saltmarsh Quay compound (test article)\n\n"
        "This article is a test fixture for the UI tests; the compound and the figures are invented.\n\n"
        "Officials said 6,173 trafficked workers were freed from the Saltmarsh Quay compound after a "
        "two-day operation.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Corpus").click()
    assert not page.locator("#meta-save-btn").is_visible()  # the form is for editors
    log_in_as_editor(page)
    page.set_input_files("#upload input[type=file]", str(article))
    page.locator("#corpus-status li.ok").first.wait_for(timeout=ANSWER_TIMEOUT)
    page.locator("#meta-save-btn").wait_for()
    page.locator("#meta-choice input").fill("Saltmarsh Quay")
    page.get_by_role("option", name="Saltmarsh Quay").first.click()
    title_box = page.locator("#meta-title textarea, #meta-title input").first
    page.wait_for_function("el => el.value.includes('Saltmarsh Quay')", arg=title_box.element_handle())
    page.locator("#meta-outlet textarea, #meta-outlet input").first.fill("Quayside Ledger")
    page.locator("#meta-date textarea, #meta-date input").first.fill("2024-05-17")
    page.click("#meta-save-btn")
    saved = page.locator("#meta-status li.ok")
    saved.wait_for(timeout=ANSWER_TIMEOUT)
    assert "saved date, outlet" in saved.inner_text() and "0 passages embedded" in saved.inner_text()
    page.locator("#corpus-list").get_by_text("Quayside Ledger").wait_for()
    page.get_by_role("tab", name="Ask").click()
    bubble = ask(page, "How many trafficked workers were freed from the Saltmarsh Quay compound?")
    assert "6,173" in bubble.inner_text()
    bubble.locator("button.chip").first.click()
    head = page.locator("#sources .card.active .card-head")
    assert head.locator(".src-outlet").inner_text() == "Quayside Ledger"
    assert head.locator(".src-date").inner_text() == "2024-05-17"


def test_a_chinese_passage_is_shown_not_read_and_its_quote_is_machine_translated_on_request(page: Any) -> None:
    bubble = ask(page, "How many foreigners did police rescue from a scam compound in Myawaddy?")
    assert "refused" in (bubble.get_attribute("class") or "")  # the extractive reader reads English only
    assert "retrieved but not read" in bubble.inner_text()
    bubble.locator("button.show-sources").click()
    card = page.locator("#sources .card.closest", has_text="language zh")
    card.wait_for()
    assert page.locator("#sources button.translate-quote").count() == 1  # English quotes offer none
    card.locator("button.translate-quote").click()
    label = page.locator("#translation .mt-label")
    label.wait_for(timeout=ANSWER_TIMEOUT)
    assert label.inner_text().startswith("Machine translation from zh by local (")
    assert "not checked against the source" in label.inner_text()
    assert page.locator("#translation .mt-text").inner_text().strip()
    quote = " ".join(card.locator("mark").first.inner_text().split())
    assert quote and quote in page.locator("#translation .mt-original").inner_text()  # the quote of that card

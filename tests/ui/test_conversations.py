"""The browser-side conversation store: save, reopen, delete, a secret that survives restarts."""

from __future__ import annotations

from pathlib import Path

from ui import conversations


def turn(question: str, answered: bool = True) -> dict[str, object]:
    return {"question": question, "answer": {"text": "x"} if answered else None, "pending": "...", "error": None}


def test_save_reopen_delete() -> None:
    store, first = conversations.save(None, None, [turn("How many in Myanmar?")])
    assert first and store["current"] == first
    store, second = conversations.save(store, None, [turn("And the Mekong?")])
    assert second != first
    assert [label.split(" · ")[1] for label, _ in conversations.choices(store)] == ["And the Mekong?",
                                                                                     "How many in Myanmar?"]
    assert conversations.turns_of(store, first)[0]["question"] == "How many in Myanmar?"
    assert "pending" not in conversations.turns_of(store, first)[0]
    store = conversations.delete(store, first)
    assert conversations.turns_of(store, first) == [] and len(conversations.choices(store)) == 1


def test_unfinished_turns_are_not_saved_and_garbage_is_ignored() -> None:
    store, cid = conversations.save("not a dict", None, [turn("pending", answered=False)])
    assert cid is None and store == conversations.empty()


def test_only_the_newest_are_kept() -> None:
    store = None
    for i in range(conversations.MAX_CONVERSATIONS + 5):
        store, _ = conversations.save(store, None, [turn(f"q{i}")])
    assert len(conversations.choices(store)) == conversations.MAX_CONVERSATIONS


def test_secret_is_created_once_and_kept(tmp_path: Path) -> None:
    first = conversations.browser_secret(tmp_path)
    assert len(first) == 64 and conversations.browser_secret(tmp_path) == first  # same after a restart
    assert (tmp_path / conversations.SECRET_FILE).stat().st_mode & 0o077 == 0

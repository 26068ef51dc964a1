"""Conversations kept in the user's own browser (Gradio BrowserState: localStorage, encrypted).

They survive reloads, and server restarts too, because the encryption secret is kept in the data
folder rather than made anew at each start. Nothing is stored on the server. The stored value:
    {"current": id | None, "conversations": {id: {"title", "updated", "turns"}}}
The newest `MAX_CONVERSATIONS` are kept; the user can reopen or delete any of them.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_CONVERSATIONS = 30
STORAGE_KEY = "scamwatch-rag-conversations"
SECRET_FILE = "ui-browser-secret"

Saved = dict[str, Any]


def empty() -> Saved:
    return {"current": None, "conversations": {}}


def browser_secret(data_dir: Path) -> str:
    """The secret that encrypts conversations in browsers, created once and kept in the data folder."""
    path = Path(data_dir) / SECRET_FILE
    if path.is_file():
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(value, encoding="ascii")
    tmp.chmod(0o600)
    tmp.replace(path)
    return value


def validated(saved: Any) -> Saved:
    """What the browser gave back, or an empty store when it is missing or not ours."""
    if isinstance(saved, dict) and isinstance(saved.get("conversations"), dict):
        return saved
    return empty()


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def save(saved: Any, conversation_id: str | None, turns: list[dict[str, Any]]) -> tuple[Saved, str | None]:
    """Store the turns under the conversation id (a new id for a new conversation); empty ones are not kept."""
    store = validated(saved)
    finished = [t for t in turns if t.get("answer") is not None or t.get("error")]
    if not finished:
        return store, conversation_id
    conversation_id = conversation_id or new_id()
    title = " ".join(str(finished[0].get("question", "")).split())[:70] or "(untitled)"
    store["conversations"][conversation_id] = {
        "title": title,
        "updated": datetime.now(UTC).isoformat(timespec="microseconds"),
        "turns": [{k: v for k, v in t.items() if k != "pending"} for t in finished],
    }
    store["current"] = conversation_id
    newest = sorted(store["conversations"].items(), key=lambda kv: kv[1]["updated"], reverse=True)
    store["conversations"] = dict(newest[:MAX_CONVERSATIONS])
    return store, conversation_id


def delete(saved: Any, conversation_id: str | None) -> Saved:
    store = validated(saved)
    store["conversations"].pop(conversation_id or "", None)
    if store.get("current") == conversation_id:
        store["current"] = None
    return store


def turns_of(saved: Any, conversation_id: str | None) -> list[dict[str, Any]]:
    conversation = validated(saved)["conversations"].get(conversation_id or "")
    return list(conversation["turns"]) if conversation else []


def choices(saved: Any) -> list[tuple[str, str]]:
    """(label, id) of the stored conversations, newest first."""
    items = sorted(validated(saved)["conversations"].items(), key=lambda kv: kv[1]["updated"], reverse=True)
    return [(f"{c['updated'][:16].replace('T', ' ')} · {c['title']}", cid) for cid, c in items]

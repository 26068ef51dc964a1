"""Who may change the corpus from the page: asking is open, adding, removing and editing need a login.

The rule, from settings.ui:
- `single_user=true`: the page is one person's (a laptop); anyone who reaches it may edit.
- `auth` set (login for the whole page): every visitor has logged in, so may edit.
- `editor_auth=user:password`: visitors log in as editor in the Corpus tab; the flag lives in the
  session's server-side state, which a client cannot set.
- none of these: editing from the page is off (the command line still works).
Every edit handler checks `may_edit` on the server; hiding buttons is only a convenience.
"""

from __future__ import annotations

import hmac

from rag.settings import UISettings


def parse_credentials(value: str | None, setting: str) -> tuple[str, str] | None:
    """'user:password' -> (user, password); None or '' -> None."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError(f"{setting} must look like user:password")
    return user, password


def editing_mode(ui: UISettings) -> str:
    """'single-user', 'page-login', 'editor-login' or 'off'."""
    if ui.single_user:
        return "single-user"
    if ui.auth:
        return "page-login"
    if ui.editor_auth:
        return "editor-login"
    return "off"


def check_editor_login(ui: UISettings, user: str, password: str) -> bool:
    expected = parse_credentials(ui.editor_auth, "ui.editor_auth (RAG_UI__EDITOR_AUTH)")
    if expected is None:
        return False
    # Compare both parts in constant time, always both, so timing tells nothing about which was wrong.
    user_ok = hmac.compare_digest(user.encode("utf-8", "replace"), expected[0].encode("utf-8"))
    password_ok = hmac.compare_digest(password.encode("utf-8", "replace"), expected[1].encode("utf-8"))
    return user_ok and password_ok


def may_edit(ui: UISettings, page_user: str | None, editor_session: bool) -> bool:
    """Whether this request may change the corpus (page_user: the Gradio login name, if any)."""
    mode = editing_mode(ui)
    if mode == "single-user":
        return True
    if mode == "page-login":
        return page_user is not None
    return mode == "editor-login" and editor_session


def edit_refusal(ui: UISettings) -> str:
    if editing_mode(ui) == "off":
        return ("Editing the corpus from this page is off. Set RAG_UI__EDITOR_AUTH=user:password (a login for "
                "editors) or RAG_UI__SINGLE_USER=true (a page only you can reach), or use `rag add` / `rag remove`.")
    return "Log in as editor (above) to add or remove articles."

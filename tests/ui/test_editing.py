"""Who may edit the corpus from the page, per setting (the server-side rule every edit handler applies)."""

from __future__ import annotations

import pytest

from rag.settings import UISettings
from ui.editing import check_editor_login, edit_refusal, editing_mode, may_edit, parse_credentials


def test_default_is_off_and_says_how_to_turn_it_on() -> None:
    ui = UISettings()
    assert editing_mode(ui) == "off"
    assert not may_edit(ui, page_user=None, editor_session=True)
    assert "RAG_UI__EDITOR_AUTH" in edit_refusal(ui) and "RAG_UI__SINGLE_USER" in edit_refusal(ui)


def test_single_user_page_may_edit_without_login() -> None:
    assert may_edit(UISettings(single_user=True), page_user=None, editor_session=False)


def test_page_login_lets_logged_in_users_edit() -> None:
    ui = UISettings(auth="ann:pw")
    assert may_edit(ui, page_user="ann", editor_session=False)
    assert not may_edit(ui, page_user=None, editor_session=False)


def test_editor_login_needs_the_right_credentials_in_the_session() -> None:
    ui = UISettings(editor_auth="editor:s3cret:with:colons")
    assert check_editor_login(ui, "editor", "s3cret:with:colons")
    assert not check_editor_login(ui, "editor", "s3cret")
    assert not check_editor_login(ui, "Editor", "s3cret:with:colons")
    assert not check_editor_login(ui, "", "")
    assert not check_editor_login(UISettings(), "editor", "anything")  # no editor login configured
    assert may_edit(ui, page_user=None, editor_session=True)
    assert not may_edit(ui, page_user=None, editor_session=False)


@pytest.mark.parametrize("bad", ["nopassword", ":pw", "user:", ""])
def test_malformed_credentials_are_refused(bad: str) -> None:
    if bad == "":
        assert parse_credentials(bad, "x") is None
    else:
        with pytest.raises(ValueError, match="user:password"):
            parse_credentials(bad, "ui.editor_auth")

"""Setting article metadata on the server: refused without the editor login, checked with it."""

from __future__ import annotations

import pytest

from tests.ui.conftest import SERVER_DIRS
from tests.ui.test_api import _raw_call, client, editor_client

pytestmark = [pytest.mark.slow, pytest.mark.browser]
DOC = "004_830bf3688af14f07"


def test_set_metadata_without_login_is_refused_and_changes_nothing(ui_server: str) -> None:
    sidecar = SERVER_DIRS[ui_server] / "corpus" / f"{DOC}.meta.json"
    before = sidecar.read_bytes()
    fields = ["A new title", "Anonymous Outlet", "2020-01-01", "", ""]
    result = _raw_call(ui_server, "set_metadata", [DOC, *fields])  # a bare POST: no session, no login
    assert "Log in as editor" in result, result
    status, _table = client(ui_server).predict(DOC, *fields, api_name="/set_metadata")
    assert "Log in as editor" in str(status)
    assert sidecar.read_bytes() == before, "an anonymous request changed an article's metadata"


def test_editor_gets_a_clear_error_for_a_bad_date(ui_server: str) -> None:
    sidecar = SERVER_DIRS[ui_server] / "corpus" / f"{DOC}.meta.json"
    before = sidecar.read_bytes()
    editor = editor_client(ui_server)
    title, outlet, date, author, url = editor.predict(DOC, api_name="/article_metadata")
    assert outlet == "JURIST - News" and date == ""
    status, _table = editor.predict(DOC, title, outlet, "next Tuesday", author, url, api_name="/set_metadata")
    assert "not saved" in str(status) and "YYYY-MM-DD" in str(status)
    with pytest.raises(Exception, match="not in the list of choices"):  # a path is never an article id
        editor.predict("../../etc/passwd", title, "X", "", "", "", api_name="/set_metadata")
    assert sidecar.read_bytes() == before

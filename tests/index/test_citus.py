"""Citus: the schema keeps the rules Citus sets for distributed tables (checked on the plain
PostgreSQL server), and, with RAG_TEST_CITUS_URL set, the tables really are sharded by document.
The protocol suite itself runs against Citus through the "citus" kind of tests/index/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import ChunkerConfig
from index.documents import load_corpus
from index.embedder import load_embedder
from index.pg_store import CITUS_DISTRIBUTED, CITUS_REFERENCE, PgStore, citus_ddl, is_citus
from tests.index.conftest import citus_database
from tests.index.pg_server import LocalPostgres

pytestmark = pytest.mark.slow
SEEDS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def built_pg(pg_server: LocalPostgres) -> str:
    """A plain PostgreSQL database holding two seed articles."""
    url = pg_server.new_database()
    PgStore(url).update(load_corpus(SEEDS)[:2], load_embedder(), ChunkerConfig())
    return url


def _constraints(url: str) -> list[tuple[str, str, str, list[str]]]:
    """(table, constraint name, type, columns) of every key of the store's tables."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, "
            "array_agg(a.attname::text ORDER BY a.attname) "
            "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
            "WHERE c.conrelid::regclass::text LIKE 'rag_%' AND c.contype IN ('p', 'u', 'f') "
            "GROUP BY 1, 2, 3"
        ).fetchall()
    return [(table, name, kind, list(columns)) for table, name, kind, columns in rows]


def test_every_key_of_a_distributed_table_holds_its_distribution_column(built_pg: str) -> None:
    keys = [k for k in _constraints(built_pg) if k[0] in CITUS_DISTRIBUTED]
    assert {k[0] for k in keys} == set(CITUS_DISTRIBUTED)  # both tables have keys to check
    for table, name, _kind, columns in keys:
        assert CITUS_DISTRIBUTED[table] in columns, f"Citus would refuse {name} on {table}: {columns}"


def test_the_ddl_names_the_foreign_key_the_schema_creates(built_pg: str) -> None:
    foreign = [name for table, name, kind, _ in _constraints(built_pg) if kind == "f" and table == "rag_chunks"]
    assert foreign == ["rag_chunks_doc_id_fkey"]
    ddl = "\n".join(citus_ddl())
    assert f"DROP CONSTRAINT {foreign[0]}" in ddl and f"ADD CONSTRAINT {foreign[0]}" in ddl
    # Every table of the store is either sharded or a reference table, none left on the coordinator.
    import psycopg

    with psycopg.connect(built_pg) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'rag_%'")}
        assert not is_citus(conn.cursor())
    assert tables == set(CITUS_DISTRIBUTED) | set(CITUS_REFERENCE)


def test_citus_shards_the_tables_by_document() -> None:
    url = citus_database()  # skips, saying why, without RAG_TEST_CITUS_URL
    PgStore(url).update(load_corpus(SEEDS)[:2], load_embedder(), ChunkerConfig())
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT logicalrelid::text, partmethod, column_to_column_name(logicalrelid, partkey), colocationid "
            "FROM pg_dist_partition WHERE logicalrelid::text LIKE 'rag_%'"
        ).fetchall()
    parts = {table: (method, column, colocation) for table, method, column, colocation in rows}
    assert {t: parts[t][:2] for t in CITUS_DISTRIBUTED} == {t: ("h", c) for t, c in CITUS_DISTRIBUTED.items()}
    assert parts["rag_documents"][2] == parts["rag_chunks"][2]  # co-located
    assert all(parts[t][0] == "n" for t in CITUS_REFERENCE)

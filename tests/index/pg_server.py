"""The throwaway PostgreSQL + pgvector server of the tests: it lives in index/pg_local.py, so that
eval/bench_scale.py (which may not import tests) starts the same one."""

from index.pg_local import SERVER_USER, LocalPostgres, binaries, local_postgres, wait_for

__all__ = ["SERVER_USER", "LocalPostgres", "binaries", "local_postgres", "wait_for"]

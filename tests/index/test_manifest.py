"""manifest.json is protected by its own checksum: any changed byte is refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.manifest import MANIFEST_CHECKSUM_FILE, CorruptIndexError, Manifest, read_manifest, write_manifest


def manifest() -> Manifest:
    return Manifest(
        embedder_id="m", dimension=384, embedder_precision="fp32", chunker={"max_tokens": 200}, index_type="flat",
        n_chunks=3, documents={}, files={"vectors.npy": "ab" * 32}, created_at="2026-11-24T00:00:00+00:00",
    )


def test_round_trip(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    assert read_manifest(tmp_path) == manifest()


def test_every_ascii_byte_flip_is_refused(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    original = (tmp_path / "manifest.json").read_bytes()
    rng = random.Random(7)
    for position in rng.sample(range(len(original)), 40):
        flipped = bytearray(original)
        flipped[position] = ord(rng.choice("0123456789abcdefxyz \"{}:,")) if original[position] != ord("x") else ord("y")
        if bytes(flipped) == original:
            continue
        (tmp_path / "manifest.json").write_bytes(bytes(flipped))
        with pytest.raises(CorruptIndexError, match="altered"):
            read_manifest(tmp_path)


def test_missing_checksum_is_refused(tmp_path: Path) -> None:
    write_manifest(tmp_path, manifest())
    (tmp_path / MANIFEST_CHECKSUM_FILE).unlink()
    with pytest.raises(CorruptIndexError, match="rebuild"):
        read_manifest(tmp_path)

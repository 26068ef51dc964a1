"""Local generator: SmolLM2-135M (GGUF) run in process by llama-cpp-python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rag.generators.base import GeneratorUnavailable
from rag.generators.local_gguf import LocalGGUFGenerator, load_llama
from rag.settings import LocalLLMSettings
from rag.types import REFUSAL_PHRASE
from tests.rag.llm_fixtures import PASSAGES, passage, smollm2

__all__ = ["smollm2"]  # the fixture is used by name

pytestmark = [pytest.mark.slow, pytest.mark.llm]


def settings(model: Path, **kw: object) -> LocalLLMSettings:
    values: dict[str, object] = {"model_path": model, "n_ctx": 2048, "max_tokens": 48, "temperature": 0.0, "mode": "writer"}
    values.update(kw)
    return LocalLLMSettings.model_validate(values)


def test_generate_with_smollm2(smollm2: Path) -> None:
    gen = LocalGGUFGenerator(settings(smollm2), max_passages=3)
    draft = gen.generate("How many people are held in Myanmar?", PASSAGES)
    assert draft.backend == "local" and draft.model == smollm2.name
    assert draft.text.strip()
    assert draft.completion_tokens is not None and 0 < draft.completion_tokens <= 48
    assert draft.prompt_tokens is not None and draft.prompt_tokens > 100
    assert draft.first_token_s is not None and draft.first_token_s < 20
    assert draft.extra["passages_used"] == [1, 2]


def test_stream_matches_generate(smollm2: Path) -> None:
    gen = LocalGGUFGenerator(settings(smollm2, max_tokens=32), max_passages=2)
    question = "How are people recruited?"
    pieces = list(gen.stream(question, PASSAGES))
    assert len(pieces) >= 5
    assert "".join(pieces).strip() == gen.generate(question, PASSAGES).text  # greedy: same text


def test_one_model_per_process(smollm2: Path) -> None:
    a = LocalGGUFGenerator(settings(smollm2), max_passages=2)
    b = LocalGGUFGenerator(settings(smollm2), max_passages=4)
    assert a._llama()[0] is b._llama()[0]
    assert load_llama(smollm2, 2048, a.settings.n_threads)[0] is a._llama()[0]


@pytest.mark.parametrize("n_ctx,with_examples", [(1024, True), (512, False)])
def test_prompt_fitted_to_a_small_context(smollm2: Path, n_ctx: int, with_examples: bool) -> None:
    long = " ".join(
        f"Report {i} says {1000 * i} people from country {i} were trafficked into scam compounds." for i in range(40)
    )
    many = [passage(i, f"Passage {i} about topic {i * 7}. {long}", title=f"Article {i}") for i in range(1, 6)]
    gen = LocalGGUFGenerator(settings(smollm2, n_ctx=n_ctx, max_tokens=64), max_passages=5, max_passage_chars=4000)
    prompt = gen.prepare("How many people were trafficked?", many)
    size = sum(gen.count_tokens(m["content"]) for m in prompt.messages)
    assert size <= n_ctx - 64
    assert 1 <= len(prompt.used) < 5
    assert (len(prompt.messages) > 2) is with_examples  # the worked examples go first when space is short
    draft = gen.generate("How many people were trafficked?", many)  # must not overflow the context
    assert draft.text.strip()


def test_no_passages_gives_the_refusal(smollm2: Path) -> None:
    gen = LocalGGUFGenerator(settings(smollm2), max_passages=3)
    assert gen.generate("Anything?", []).text == REFUSAL_PHRASE


def test_missing_model_is_unavailable_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(GeneratorUnavailable, match=r"not found"):
        LocalGGUFGenerator(LocalLLMSettings(model_path=tmp_path / "missing.gguf"))


def test_bad_model_file_is_unavailable(tmp_path: Path, smollm2: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(GeneratorUnavailable, match=r"cannot load"):
        LocalGGUFGenerator(settings(bad)).generate("q", PASSAGES)


def test_context_sized_to_the_model(smollm2: Path) -> None:
    """SmolLM2-135M was trained with 8,192 tokens: a larger n_ctx setting is capped to it."""
    gen = LocalGGUFGenerator(settings(smollm2, n_ctx=65536), max_passages=3)
    assert gen.n_ctx() == 8192


def test_close_frees_the_model_and_a_later_use_loads_it_again(smollm2: Path) -> None:
    gen = LocalGGUFGenerator(settings(smollm2, max_tokens=8), max_passages=2)
    first = gen._llama()[0]
    gen.close()
    assert first._model.model is None  # freed by llama.cpp now, not at interpreter exit
    assert gen.generate("How many people are held in Myanmar?", PASSAGES).text.strip()
    assert gen._llama()[0] is not first


# A process that owns a model: load it through the project's generator, answer once, exit. No close()
# here: the generator's atexit hook must free the model before llama_cpp's globals are torn down.
CHILD_ANSWERS_ONCE = """
import sys
from pathlib import Path

from rag.generators.local_gguf import LocalGGUFGenerator
from rag.settings import LocalLLMSettings
from tests.rag.llm_fixtures import PASSAGES

settings = LocalLLMSettings(model_path=Path(sys.argv[1]), n_ctx=2048, max_tokens=16, mode=sys.argv[2], n_threads=1)
print(LocalGGUFGenerator(settings, max_passages=2).generate("How many people are held in Myanmar?", PASSAGES).text)
"""


@pytest.mark.parametrize("mode", ["writer", "reader"])
def test_a_process_that_answered_exits_without_a_traceback(smollm2: Path, mode: str) -> None:
    """llama-cpp-python frees a model in __del__; at interpreter teardown its globals are None and it
    prints `TypeError: 'NoneType' object is not callable` (in _internals.free_model)."""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_ANSWERS_ONCE, str(smollm2), mode],
        capture_output=True, text=True, timeout=180, cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert "Traceback" not in proc.stderr and "free_model" not in proc.stderr, proc.stderr

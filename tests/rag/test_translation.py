"""Machine translation of a quote on request: by a real LLM (SmolLM2 in the tests), labelled as such,
and a clear error when there is nothing to translate or no LLM to translate with."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.generators.base import GeneratorError
from rag.llama_server import free_port
from rag.settings import Settings
from rag.translation import TranslationError

pytestmark = pytest.mark.slow
QUOTE = "缅甸妙瓦底警方周二在一次突击行动中解救了312名被困在电信诈骗园区的外国人。"


def test_a_quote_is_translated_by_the_local_llm_and_labelled(assistant: Assistant) -> None:
    done = assistant.translate(QUOTE, "zh", "local")
    assert done.text and done.text != QUOTE and done.original == QUOTE
    assert done.translator.startswith("local (")
    assert done.label.startswith("Machine translation from zh by local (") and "not checked" in done.label


def test_nothing_to_translate_is_a_clear_error(assistant: Assistant) -> None:
    with pytest.raises(TranslationError, match="no text to translate"):
        assistant.translate("  \n ", "zh", "local")


def test_without_a_working_llm_the_error_says_so(seed_settings: Settings, tmp_path: Path) -> None:
    settings = seed_settings.model_copy(deep=True)
    settings.local.model_path = tmp_path / "missing.gguf"
    settings.openai.base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings.openai.max_retries = 0
    lonely = Assistant.load(settings)
    with pytest.raises((TranslationError, GeneratorError)) as raised:
        lonely.translate(QUOTE, "zh")
    assert "openai" in str(raised.value).lower() or "connect" in str(raised.value).lower()


def test_a_reading_left_in_the_sources_script_is_put_into_english(assistant: Assistant) -> None:
    import json

    from rag.generators.reading import english_answer

    complete = assistant.generator("local").complete  # type: ignore[attr-defined]
    reading, original = english_answer('{"answer": "温州市中级人民法院", "ids": [1]}', complete)
    assert original == "温州市中级人民法院"
    translated = json.loads(reading)
    assert translated["ids"] == [1] and translated["answer"] and translated["answer"] != original
    english = '{"answer": "412 workers", "ids": [1]}'
    assert english_answer(english, complete) == (english, None)  # an English answer is left as it is

"""The span model's windows, decoding and the committed model itself (rag/reader/span_model.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from rag.reader.span_model import (
    MODEL_DIR,
    TOKENIZER_FILE,
    Span,
    SpanModel,
    SpanModelError,
    Window,
    best_spans,
    encode_windows,
    load_span_model,
    load_tokenizer,
    window_spans,
)

PASSAGE = (
    "The UN human rights office said on Tuesday that at least 120,000 people in Myanmar may be held in "
    "situations where they are forced to carry out online scams. Another 100,000 are held in Cambodia. "
    "Victims described beatings, torture and forced labour in compounds run by criminal gangs."
)


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    return load_tokenizer(MODEL_DIR / TOKENIZER_FILE)


def test_a_long_passage_is_read_in_overlapping_windows(tokenizer) -> None:  # type: ignore[no-untyped-def]
    long_passage = " ".join([PASSAGE] * 6)
    windows = encode_windows(tokenizer, "How many people are held in Myanmar?", [long_passage], 96, 32)
    assert len(windows) > 3
    for window in windows:
        assert len(window.input_ids) <= 96
        assert window.input_ids[0] == tokenizer.token_to_id("[CLS]")
        assert not window.context[0] and window.context[-2]
    # consecutive windows share passage text (the stride), so an answer cut by one is whole in the next
    for first, second in itertools.pairwise(windows):
        last_of_first = max(e for (s, e), inside in zip(first.offsets, first.context, strict=True) if inside)
        first_of_second = min(s for (s, e), inside in zip(second.offsets, second.context, strict=True) if inside)
        assert first_of_second < last_of_first


def test_offsets_point_at_the_passage_text(tokenizer) -> None:  # type: ignore[no-untyped-def]
    (window,) = encode_windows(tokenizer, "Where?", [PASSAGE], 256, 64)
    for token_id, (start, end), inside in zip(window.input_ids, window.offsets, window.context, strict=True):
        if inside:
            assert PASSAGE[start:end].lower() == tokenizer.id_to_token(token_id).removeprefix("##")


def test_an_empty_passage_gives_no_window_and_a_long_question_is_cut(tokenizer) -> None:  # type: ignore[no-untyped-def]
    assert encode_windows(tokenizer, "How many?", ["   "], 256, 64) == []
    windows = encode_windows(tokenizer, "scam " * 300, [PASSAGE], 256, 64)
    assert windows and all(len(w.input_ids) <= 256 for w in windows)
    assert sum(w.context.count(True) for w in windows) >= 40  # the passage still has room


def _window(n_question: int, n_context: int) -> Window:
    size = 1 + n_question + 1 + n_context + 1
    context = [False] * (n_question + 2) + [True] * n_context + [False]
    offsets = [(0, 0)] * (n_question + 2) + [(i * 4, i * 4 + 3) for i in range(n_context)] + [(0, 0)]
    return Window(0, list(range(size)), [0] * size, offsets, context)


def test_the_best_span_lies_in_the_passage_and_its_margin_is_over_no_answer() -> None:
    window = _window(3, 6)
    start = np.full(12, -5.0)  # [CLS], 3 question tokens, [SEP], 6 context tokens, [SEP]
    end = np.full(12, -5.0)
    start[0], end[0] = 1.0, 1.0  # no-answer score 2
    start[1], end[1] = 9.0, 9.0  # a question token: never an answer
    start[6], end[7] = 4.0, 3.0  # context tokens 1..2
    spans = window_spans(window, start, end, "aaa bbb ccc ddd eee fff ggg")
    assert (spans[0].start, spans[0].end, spans[0].text) == (4, 11, "bbb ccc")
    assert spans[0].score == pytest.approx(7.0) and spans[0].margin == pytest.approx(5.0)


def test_overlapping_spans_of_one_passage_are_kept_once() -> None:
    spans = [Span(0, 0, 10, "a", 5, 3), Span(0, 5, 12, "b", 4, 2), Span(1, 5, 12, "c", 4, 1), Span(0, 20, 25, "d", 1, 0)]
    assert [s.text for s in best_spans(spans, 5)] == ["a", "c", "d"]
    assert [s.text for s in best_spans(spans, 2)] == ["a", "c"]


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SpanModelError, match=r"model\.int8\.onnx"):
        SpanModel(tmp_path)


@pytest.fixture(scope="module")
def model() -> SpanModel:
    return load_span_model()


def test_the_model_finds_the_figure(model: SpanModel) -> None:
    reading = model.read("How many people may be held in Myanmar?", [PASSAGE])
    assert "120,000" in reading.spans[0].text
    assert reading.best_margin >= model.config.answer_threshold


def test_the_model_finds_the_right_passage(model: SpanModel) -> None:
    other = "Thai police said 300 workers crossed the Moei river on Friday, fleeing a compound near Myawaddy."
    reading = model.read("Where are another 100,000 people held?", [other, PASSAGE])
    assert reading.spans[0].passage_index == 1 and "Cambodia" in reading.spans[0].text


def test_the_model_does_not_answer_what_the_passage_does_not_say(model: SpanModel) -> None:
    reading = model.read("Who won the football World Cup in 1998?", [PASSAGE])
    assert reading.best_margin < model.config.answer_threshold

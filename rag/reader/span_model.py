"""The span-extraction model: a question and passages in, scored answer spans out.

A small transformer (all-MiniLM-L6-v2 fine-tuned for extractive question answering by
`train/span_reader`, see `rag/reader/models/span-minilm/MODEL_CARD.md`) reads each passage in
windows of at most `max_length` word pieces, as `[CLS] question [SEP] passage [SEP]`, and gives
every token a start and an end score. A span's score is its start score plus its end score; the
window's no-answer score is the same at `[CLS]`. The margin of a span over no-answer is what the
reader thresholds: SQuAD 2.0-style training taught the model to put its weight on `[CLS]` when
the window does not answer the question.

The same encoding serves training and reading (`encode_windows`), so the windows the model
learnt on are the windows it reads. Only onnxruntime, `tokenizers` and numpy are imported:
a cold `rag ask` does not pay for torch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Encoding, Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "models" / "span-minilm"
MODEL_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "reader_config.json"
MAX_QUESTION_TOKENS = 64
MAX_ANSWER_TOKENS = 30  # an answer is a figure, a name, a date or a short phrase
TOP_TOKENS = 20  # start and end positions tried per window


class SpanModelError(RuntimeError):
    """The span model's files are missing or unreadable; the message says which."""


@dataclass(frozen=True)
class Window:
    """One model input: the question and a stretch of one passage."""

    passage_index: int
    input_ids: list[int]
    type_ids: list[int]
    offsets: list[tuple[int, int]]  # character offsets in the passage (context tokens only)
    context: list[bool]  # whether each token is passage text


@dataclass(frozen=True)
class Span:
    passage_index: int
    start: int  # character offsets in the passage
    end: int
    text: str
    score: float  # start + end logit
    margin: float  # score minus the window's no-answer score


@dataclass(frozen=True)
class SpanReading:
    spans: list[Span]  # best first, at most `top_n`, overlapping spans of one passage removed
    best_margin: float  # the best span's margin over no-answer (-inf: nothing read)


def load_tokenizer(path: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def _question_ids(tokenizer: Tokenizer, question: str) -> int:
    return min(len(tokenizer.encode(question, add_special_tokens=False).ids), MAX_QUESTION_TOKENS)


def encode_windows(
    tokenizer: Tokenizer, question: str, passages: Sequence[str], max_length: int, stride: int
) -> list[Window]:
    """Windows of `[CLS] question [SEP] passage-part [SEP]`; consecutive parts of a passage overlap
    by `stride` tokens, so an answer cut by one window is whole in the next."""
    question_tokens = _question_ids(tokenizer, question)
    question = tokenizer.decode(tokenizer.encode(question, add_special_tokens=False).ids[:question_tokens])
    room = max_length - question_tokens - 3
    if room < 16:
        raise ValueError(f"max_length {max_length} leaves no room for the passage")
    tokenizer.enable_truncation(max_length=max_length, stride=min(stride, room - 1), strategy="only_second")
    try:
        windows: list[Window] = []
        for index, passage in enumerate(passages):
            if not passage.strip():
                continue
            first = tokenizer.encode(question, passage)
            for enc in [first, *first.overflowing]:
                windows.append(_window(index, enc))
        return windows
    finally:
        tokenizer.no_truncation()


def _window(index: int, enc: Encoding) -> Window:
    context = [s == 1 for s in enc.sequence_ids]
    return Window(index, list(enc.ids), list(enc.type_ids), [tuple(o) for o in enc.offsets], context)  # type: ignore[misc]


def batch_arrays(windows: Sequence[Window]) -> dict[str, np.ndarray]:
    """Padded int64 arrays for the model: input_ids, attention_mask, token_type_ids."""
    width = max(len(w.input_ids) for w in windows)
    ids = np.zeros((len(windows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, w in enumerate(windows):
        n = len(w.input_ids)
        ids[row, :n] = w.input_ids
        mask[row, :n] = 1
        types[row, :n] = w.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def window_spans(
    window: Window, start_logits: np.ndarray, end_logits: np.ndarray, passage: str, per_window: int = 5
) -> list[Span]:
    """The best spans of one window: both ends on passage tokens, in order, at most
    `MAX_ANSWER_TOKENS` long; each with its margin over the window's no-answer score."""
    n = len(window.input_ids)
    start_logits, end_logits = start_logits[:n], end_logits[:n]
    null = float(start_logits[0] + end_logits[0])
    context = np.array(window.context)
    starts = [int(i) for i in np.argsort(-np.where(context, start_logits, -np.inf))[:TOP_TOKENS] if context[i]]
    ends = [int(i) for i in np.argsort(-np.where(context, end_logits, -np.inf))[:TOP_TOKENS] if context[i]]
    found: list[Span] = []
    for s in starts:
        for e in ends:
            if e < s or e - s + 1 > MAX_ANSWER_TOKENS:
                continue
            begin, finish = _whole_words(passage, window.offsets[s][0], window.offsets[e][1])
            score = float(start_logits[s] + end_logits[e])
            found.append(Span(window.passage_index, begin, finish, passage[begin:finish], score, score - null))
    found.sort(key=lambda span: -span.score)
    return found[:per_window]


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words: a span may start or end inside a word the tokenizer cut into
    pieces ("Oecuss|e"), or at a hyphen ("two-|thirds"): never a useful answer."""

    def inside(i: int) -> bool:  # text[i] belongs to the word around it
        return text[i].isalnum() or (text[i] == "-" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum())

    while start > 0 and inside(start - 1) and inside(start):
        start -= 1
    while end < len(text) and inside(end) and inside(end - 1):
        end += 1
    return start, end


def best_spans(candidates: Sequence[Span], top_n: int) -> list[Span]:
    """Best first; a span overlapping a better one of the same passage is dropped."""
    kept: list[Span] = []
    for span in sorted(candidates, key=lambda s: -s.margin):
        if any(k.passage_index == span.passage_index and k.start < span.end and span.start < k.end for k in kept):
            continue
        kept.append(span)
        if len(kept) == top_n:
            break
    return kept


@dataclass(frozen=True)
class ReaderConfig:
    """What `reader_config.json` beside the model says: how it reads and when it answers."""

    max_length: int
    stride: int
    # Margin over no-answer below which the reader refuses (calibrated on questions the model never
    # saw in training; the model card says on which).
    answer_threshold: float

    @classmethod
    def load(cls, path: Path) -> ReaderConfig:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(int(raw["max_length"]), int(raw["stride"]), float(raw["answer_threshold"]))


class SpanModel:
    """The ONNX span model and its tokenizer, loaded once per process (see `load_span_model`)."""

    def __init__(self, model_dir: Path = MODEL_DIR, model_file: str = MODEL_FILE, threads: int = 0) -> None:
        import onnxruntime as ort

        path = model_dir / model_file
        for needed in (path, model_dir / TOKENIZER_FILE, model_dir / CONFIG_FILE):
            if not needed.is_file():
                raise SpanModelError(f"the span reader's file {needed} is missing (reinstall, or `make train-reader`)")
        self.config = ReaderConfig.load(model_dir / CONFIG_FILE)
        self.tokenizer = load_tokenizer(model_dir / TOKENIZER_FILE)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()  # the tokenizer's truncation setting is per object

    def logits(self, windows: Sequence[Window]) -> tuple[np.ndarray, np.ndarray]:
        arrays = {k: v for k, v in batch_arrays(windows).items() if k in self.input_names}
        start, end = self.session.run(["start_logits", "end_logits"], arrays)
        return np.asarray(start), np.asarray(end)

    def read(self, question: str, passages: Sequence[str], top_n: int = 5, max_length: int | None = None) -> SpanReading:
        """The best spans over all passages, ranked by their margin over no-answer."""
        with self._lock:
            windows = encode_windows(
                self.tokenizer, question, passages, max_length or self.config.max_length, self.config.stride
            )
        if not windows:
            return SpanReading([], float("-inf"))
        start, end = self.logits(windows)
        candidates = [
            span
            for row, window in enumerate(windows)
            for span in window_spans(window, start[row], end[row], passages[window.passage_index])
        ]
        spans = best_spans(candidates, top_n)
        return SpanReading(spans, spans[0].margin if spans else float("-inf"))


@lru_cache(maxsize=2)
def load_span_model(model_dir: Path = MODEL_DIR, model_file: str = MODEL_FILE) -> SpanModel:
    return SpanModel(model_dir, model_file)

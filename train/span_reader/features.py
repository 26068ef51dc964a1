"""Examples to labelled windows, with the product reader's own encoding (`encode_windows`)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from tokenizers import Tokenizer
from tqdm import tqdm

from rag.reader.span_model import Window, encode_windows
from train.span_reader.data import Example


@dataclass(frozen=True)
class Feature:
    window: Window
    start: int  # token index of the answer's first token; 0 ([CLS]): this window does not answer
    end: int


def label(window: Window, answer_start: int | None, answer_text: str | None) -> tuple[int, int]:
    """Token positions of the answer in the window, or (0, 0) when the window does not hold all of it."""
    if answer_start is None or answer_text is None:
        return 0, 0
    answer_end = answer_start + len(answer_text)
    context = [i for i, inside in enumerate(window.context) if inside]
    if not context:
        return 0, 0
    if window.offsets[context[0]][0] > answer_start or window.offsets[context[-1]][1] < answer_end:
        return 0, 0
    start = next(i for i in context if window.offsets[i][1] > answer_start)
    end = next(i for i in reversed(context) if window.offsets[i][0] < answer_end)
    return (start, end) if end >= start else (0, 0)


def featurize(
    tokenizer: Tokenizer, examples: Sequence[Example], max_length: int, stride: int, desc: str = "windows"
) -> list[Feature]:
    features: list[Feature] = []
    for example in tqdm(examples, desc=desc, mininterval=10, unit="q"):
        for window in encode_windows(tokenizer, example.question, [example.context], max_length, stride):
            start, end = label(window, example.answer_start, example.answer_text)
            features.append(Feature(window, start, end))
    return features


def length_grouped_batches(features: Sequence[Feature], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of windows of similar length (little padding), in random order. Windows are shuffled,
    sorted by length within pools of 50 batches, cut into batches, and the batches shuffled."""
    order = list(range(len(features)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for i in range(0, len(order), pool):
        chunk = sorted(order[i : i + pool], key=lambda j: len(features[j].window.input_ids))
        batches.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches

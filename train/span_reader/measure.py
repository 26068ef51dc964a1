"""The model alone on the usual test sets, with the product's reading code (`SpanModel.read`):

- SQuAD 1.1 dev: a fixed sample (seeded), exact match and F1 of the best span;
- SQuAD 2.0 dev, the articles never trained on: HasAns F1 and NoAns accuracy at the reader's
  threshold and at margin 0 (no span is answered when its margin is below the threshold);
- QED dev: F1 of the best span.

Scores follow the official SQuAD script: lower case, no punctuation or articles, best over the
accepted answers. Results go to the run folder as `measure.json`.
"""

from __future__ import annotations

import collections
import json
import logging
import random
import re
import string
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rag.reader.span_model import MODEL_DIR, MODEL_FILE, SpanModel
from train.span_reader.data import QED_DEV, SQUAD1_DEV, SQUAD2_DEV, Example, examples, load_articles, title_half
from train.span_reader.export import FP32_FILE

log = logging.getLogger("train.span_reader")


def normalize_answer(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    common = collections.Counter(pred) & collections.Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, answers: Sequence[str]) -> float:
    return max(f1(prediction, a) for a in answers)


def exact(prediction: str, answers: Sequence[str]) -> float:
    return float(any(normalize_answer(prediction) == normalize_answer(a) for a in answers))


def read_all(model: SpanModel, rows: Sequence[Example], desc: str) -> list[tuple[str, float]]:
    """(best span text, its margin over no-answer) per example."""
    found = []
    for row in tqdm(rows, desc=desc, mininterval=15, unit="q"):
        reading = model.read(row.question, [row.context], top_n=1)
        found.append((reading.spans[0].text, reading.best_margin) if reading.spans else ("", float("-inf")))
    return found


def squad_scores(rows: Sequence[Example], predictions: Sequence[tuple[str, float]]) -> dict[str, float]:
    return {
        "questions": len(rows),
        "exact": sum(exact(p, r.answers) for r, (p, _) in zip(rows, predictions, strict=True)) / len(rows),
        "f1": sum(best_f1(p, r.answers) for r, (p, _) in zip(rows, predictions, strict=True)) / len(rows),
    }


def no_answer_scores(rows: Sequence[Example], predictions: Sequence[tuple[str, float]], threshold: float) -> dict[str, float]:
    has = [(r, p, m) for r, (p, m) in zip(rows, predictions, strict=True) if r.answers]
    none = [(r, p, m) for r, (p, m) in zip(rows, predictions, strict=True) if not r.answers]
    has_f1 = sum(best_f1(p, r.answers) if m >= threshold else 0.0 for r, p, m in has) / len(has)
    noans = sum(m < threshold for _, _, m in none) / len(none)
    overall = (has_f1 * len(has) + noans * len(none)) / (len(has) + len(none))
    return {"threshold": threshold, "has_answer_f1": has_f1, "no_answer_accuracy": noans, "overall_f1": overall,
            "has_answer": len(has), "no_answer": len(none)}


def measure_model(model: SpanModel, sample: int, seed: int = 7, limit: int | None = None) -> dict[str, Any]:
    """`limit` (smoke tests only): at most this many SQuAD 2.0 and QED questions."""
    squad1 = examples(load_articles(SQUAD1_DEV), "squad1.1-dev")
    squad1 = random.Random(seed).sample(squad1, min(sample, len(squad1)))
    squad2 = examples([a for a in load_articles(SQUAD2_DEV) if title_half(a["title"]) == "measure"], "squad2.0-dev")
    qed = examples(load_articles(QED_DEV), "qed-dev")
    if limit is not None:
        squad2, qed = squad2[:: max(1, len(squad2) // limit)][:limit], qed[:limit]
    results: dict[str, Any] = {}
    started = time.time()
    results["squad1.1_dev_sample"] = squad_scores(squad1, read_all(model, squad1, "SQuAD 1.1 dev"))
    predictions = read_all(model, squad2, "SQuAD 2.0 held-out")
    thresholds = sorted({0.0, model.config.answer_threshold})
    results["squad2.0_dev_heldout_articles"] = [no_answer_scores(squad2, predictions, t) for t in thresholds]
    results["squad2.0_best_threshold_for_reference"] = max(
        (no_answer_scores(squad2, predictions, t / 2) for t in range(-10, 21)), key=lambda s: s["overall_f1"]
    )
    results["qed_dev"] = squad_scores(qed, read_all(model, qed, "QED dev"))
    results["seconds"] = time.time() - started
    return results


def measure(run_dir: Path, sample: int = 2000) -> dict[str, Any]:
    results: dict[str, Any] = {"sample": sample}
    for name, folder, file in (("int8", MODEL_DIR, MODEL_FILE), ("fp32", run_dir, FP32_FILE)):
        if not (folder / file).is_file():
            continue
        if folder != MODEL_DIR:  # the fp32 file sits in the run folder; read it with the product's tokenizer and config
            for extra in ("tokenizer.json", "reader_config.json"):
                (folder / extra).write_bytes((MODEL_DIR / extra).read_bytes())
        results[name] = measure_model(SpanModel(folder, file), sample)
        log.info("%s: %s", name, json.dumps(results[name]))
    (run_dir / "measure.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results

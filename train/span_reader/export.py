"""The trained model to ONNX (fp32, checked against torch) and int8 (dynamic quantization), with its
tokenizer and reading settings, into the product's model folder."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rag.reader.span_model import (
    CONFIG_FILE,
    MODEL_DIR,
    MODEL_FILE,
    TOKENIZER_FILE,
    batch_arrays,
    encode_windows,
    load_tokenizer,
)
from train.span_reader.loop import TrainConfig

log = logging.getLogger("train.span_reader")

FP32_FILE = "model.fp32.onnx"  # kept in the run folder only (90 MB)
OPSET = 17
MAX_ABS_LOGIT_DIFF = 1e-3
PROBE = (
    "How many people are held in scam compounds in Myanmar?",
    "The UN said at least 120,000 people in Myanmar may be held in situations where they are forced to run scams.",
)


def export(run_dir: Path, config: TrainConfig, target: Path = MODEL_DIR) -> Path:
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForQuestionAnswering

    final = run_dir / "final"
    model = AutoModelForQuestionAnswering.from_pretrained(final).eval()
    tokenizer = load_tokenizer(final / "tokenizer.json")
    windows = encode_windows(tokenizer, PROBE[0], [PROBE[1], PROBE[1][:40]], config.max_length, config.stride)
    arrays = batch_arrays(windows)
    inputs = tuple(torch.from_numpy(arrays[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
    fp32 = run_dir / FP32_FILE
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        model,
        inputs,
        str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["start_logits", "end_logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "start_logits": axes, "end_logits": axes},
        opset_version=OPSET,
        dynamo=False,
    )
    with torch.no_grad():
        expected = model(*inputs)
    session = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    start, end = session.run(["start_logits", "end_logits"], arrays)
    mask = arrays["attention_mask"].astype(bool)
    diff = max(
        float(np.abs(start - expected.start_logits.numpy())[mask].max()),
        float(np.abs(end - expected.end_logits.numpy())[mask].max()),
    )
    if diff > MAX_ABS_LOGIT_DIFF:
        raise RuntimeError(f"the ONNX export differs from torch by {diff:.2g} (allowed {MAX_ABS_LOGIT_DIFF})")
    target.mkdir(parents=True, exist_ok=True)
    quantized = target / MODEL_FILE
    quantize_dynamic(str(fp32), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
    shutil.copy(final / "tokenizer.json", target / TOKENIZER_FILE)
    config_path = target / CONFIG_FILE
    previous = json.loads(config_path.read_text()) if config_path.is_file() else {}
    reading = {
        "max_length": config.max_length,
        "stride": config.stride,
        "answer_threshold": previous.get("answer_threshold", 0.0),
        "exported": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    config_path.write_text(json.dumps(reading, indent=1) + "\n", encoding="utf-8")
    record = json.loads((run_dir / "data_record.json").read_text())
    record["config"] = asdict(config)
    record["onnx"] = {"opset": OPSET, "max_abs_logit_diff_fp32": diff, "int8_bytes": quantized.stat().st_size}
    (target / "training_record.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    log.info("exported %s (%d bytes); fp32 logits within %.2g of torch", quantized, quantized.stat().st_size, diff)
    return quantized

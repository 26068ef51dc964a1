"""Command line of the span reader's training: `python -m train.span_reader {train,export,measure,all}`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RUN = ROOT / ".models" / "span-reader-run"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.span_reader", description=__doc__)
    parser.add_argument("command", choices=["train", "export", "measure", "all"])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN)
    parser.add_argument("--config", type=str, default="{}", help="JSON overrides of TrainConfig (e.g. '{\"squad_first\": 200}')")
    parser.add_argument("--sample", type=int, default=2000, help="SQuAD 1.1 dev questions to measure on")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=[logging.StreamHandler(sys.stderr)],
    )
    from train.span_reader.loop import TrainConfig, train

    config = TrainConfig(**json.loads(args.config))
    if args.command in ("train", "all"):
        train(args.run_dir, config)
    if args.command in ("export", "all"):
        from train.span_reader.export import export

        export(args.run_dir, config)
    if args.command in ("measure", "all"):
        from train.span_reader.measure import measure

        measure(args.run_dir, sample=args.sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The dev question set (eval/devset/questions.jsonl) and its fixed tune/check split.

Rule: a question belongs to `tune` when the first byte of sha256(question id, UTF-8) is even,
to `check` when it is odd. The rule depends on the id alone, so adding a question never moves
another one between halves. Tune on `tune` only; `check` is for measuring, and code is never
changed while looking at its failures.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from eval.gold import GoldRow, load_gold

DEVSET_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = DEVSET_DIR / "articles"
QUESTIONS_PATH = DEVSET_DIR / "questions.jsonl"
# Seed gold rows that the dev articles answer (unanswerable on the seeds alone): used in --devset runs.
SEED_OVERRIDES_PATH = DEVSET_DIR / "seed_overrides.jsonl"
# Articles in Chinese and Thai with English questions, reported apart (blocks multi-tune, multi-check).
MULTILINGUAL_DIR = DEVSET_DIR / "multilingual"
MULTILINGUAL_ARTICLES_DIR = MULTILINGUAL_DIR / "articles"
MULTILINGUAL_QUESTIONS_PATH = MULTILINGUAL_DIR / "questions.jsonl"
Half = Literal["tune", "check"]
HALVES: tuple[Half, Half] = ("tune", "check")
SPLIT_RULE = "tune when the first byte of sha256(question id) is even, check when it is odd"


def split_of(question_id: str) -> Half:
    first_byte = hashlib.sha256(question_id.encode("utf-8")).digest()[0]
    return "tune" if first_byte % 2 == 0 else "check"


def load_dev_questions(path: Path = QUESTIONS_PATH) -> list[GoldRow]:
    return load_gold(path)


def split_rows(rows: list[GoldRow]) -> dict[Half, list[GoldRow]]:
    halves: dict[Half, list[GoldRow]] = {"tune": [], "check": []}
    for row in rows:
        halves[split_of(row.id)].append(row)
    return halves

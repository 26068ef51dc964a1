"""What kind of answer a question wants, from its wording."""

from __future__ import annotations

import re
from enum import StrEnum


class QuestionType(StrEnum):
    COUNT = "count"  # how many / how much / what share
    PERSON = "person"  # who
    DATE = "date"  # when / what year
    PLACE = "place"  # where / which country
    REASON = "reason"  # why / how
    OTHER = "other"


_RULES = [
    (
        QuestionType.COUNT,
        r"\bhow (many|much|large|big)\b|\bwhat (number|share|percentage|proportion|amount)\b|\bhow high\b",
    ),
    (QuestionType.DATE, r"\bwhen\b|\bwhat (year|date|day|month)\b|\bwhich (year|day|month)\b"),
    (
        QuestionType.PERSON,
        r"^\s*who\b|\bwho (is|was|are|were|said|wrote|authored|leads?)\b|\bwhich (official|person)\b",
    ),
    (QuestionType.PLACE, r"\bwhere\b|\bwhich (countr(y|ies)|city|region|place)\b|\bwhat countr(y|ies)\b"),
    (QuestionType.REASON, r"^\s*(why|how)\b"),
]


def classify(question: str) -> QuestionType:
    lowered = question.lower()
    for kind, pattern in _RULES:
        if re.search(pattern, lowered):
            return kind
    return QuestionType.OTHER


def fits(kind: QuestionType, sentence: str) -> bool:
    """Whether a sentence has the shape of an answer of this kind."""
    if kind is QuestionType.COUNT:
        return bool(re.search(r"\d", re.sub(r"\b(19|20)\d{2}\b", "", sentence)))
    if kind is QuestionType.DATE:
        return bool(
            re.search(
                r"\b(19|20)\d{2}\b|\b(January|February|March|April|May|June|July|August|September|October|"
                r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
                sentence,
            )
        )
    if kind in (QuestionType.PERSON, QuestionType.PLACE):
        return bool(re.search(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+", sentence))
    return True

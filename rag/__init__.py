"""Retrieval-augmented answering with checked citations: the Python API."""

from rag.assistant import Assistant
from rag.filters import FilterError, SourceFilter
from rag.settings import Settings
from rag.types import REFUSAL_PHRASE, Answer, AnswerStatus, Citation, Passage

__all__ = [
    "REFUSAL_PHRASE",
    "Answer",
    "AnswerStatus",
    "Assistant",
    "Citation",
    "FilterError",
    "Passage",
    "Settings",
    "SourceFilter",
]

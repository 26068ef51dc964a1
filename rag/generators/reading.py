"""The LLM as a reader, not a writer: numbered source sentences in, a JSON reading out.

The model sees the sentences of the best passages numbered S1..Sn and must answer with JSON that a
schema constrains (llama.cpp turns the schema into a grammar; OpenAI-compatible servers take it as
`response_format`): the answer span, the ids of the sentences that support it, or found=false. The
draft is then "<answer> [n]" with n the passages of those sentences, and goes through the same
citation checker as every other draft (which checks the answer against the cited passage).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from index.sentences import sentence_spans
from rag.generators.base import GeneratorError
from rag.types import REFUSAL_PHRASE, Passage

MAX_SENTENCES = 24
MAX_ANSWER_CHARS = 300

READER_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "found": {"type": "boolean"},
        "answer": {"type": "string", "maxLength": MAX_ANSWER_CHARS},
        "sentence_ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
    },
    "required": ["found", "answer", "sentence_ids"],
}

READER_SYSTEM = (
    "You read numbered sentences from news articles and answer a question from them.\n"
    'Reply with JSON only: {"found": true, "answer": "...", "sentence_ids": [..]}.\n'
    "- answer: the shortest complete answer (a figure with its unit, a name, a date, a short list, "
    "or one clause for why/how), copied from the sentences.\n"
    "- sentence_ids: the numbers of the one to three sentences that state the answer.\n"
    '- If no sentence answers the question: {"found": false, "answer": "", "sentence_ids": []}.'
)
# One worked example of each outcome (invented facts, so nothing can leak into answers).
_EXAMPLE_SENTENCES = (
    "S1. Police said 412 workers were freed from the compound in Port Verlan on Saturday.\n"
    "S2. Aid groups said the freed workers came from 14 countries."
)
READER_EXAMPLES = [
    {"role": "user", "content": f"{_EXAMPLE_SENTENCES}\n\nQuestion: How many workers were freed?"},
    {"role": "assistant", "content": '{"found": true, "answer": "412 workers", "sentence_ids": [1]}'},
    {"role": "user", "content": f"{_EXAMPLE_SENTENCES}\n\nQuestion: Who owns the compound?"},
    {"role": "assistant", "content": '{"found": false, "answer": "", "sentence_ids": []}'},
]


@dataclass(frozen=True)
class NumberedSentences:
    text: str  # "S1. ...\nS2. ..."
    passage_of: list[int]  # passage_of[i - 1]: 1-based passage number of sentence S<i>


def number_sentences(passages: Sequence[Passage], max_sentences: int = MAX_SENTENCES) -> NumberedSentences:
    """The passages' sentences, in passage order, numbered S1..Sn (at most `max_sentences`)."""
    lines: list[str] = []
    passage_of: list[int] = []
    for no, passage in enumerate(passages, start=1):
        for start, end in sentence_spans(passage.text):
            if len(lines) == max_sentences:
                break
            lines.append(f"S{len(lines) + 1}. {' '.join(passage.text[start:end].split())}")
            passage_of.append(no)
    return NumberedSentences("\n".join(lines), passage_of)


def reader_messages(question: str, numbered: NumberedSentences) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": READER_SYSTEM},
        *READER_EXAMPLES,
        {"role": "user", "content": f"{numbered.text}\n\nQuestion: {question}"},
    ]


def draft_from_reading(raw: str, numbered: NumberedSentences) -> str:
    """The draft text: "<answer> [n]." from the model's JSON, or the refusal phrase."""
    try:
        reading = json.loads(raw)
    except json.JSONDecodeError as err:
        raise GeneratorError(f"the reader's output is not JSON: {raw[:120]!r}") from err
    if not isinstance(reading, dict):
        raise GeneratorError(f"the reader's output is not a JSON object: {raw[:120]!r}")
    answer = " ".join(str(reading.get("answer") or "").split()).rstrip(".")
    ids = [i for i in reading.get("sentence_ids") or [] if isinstance(i, int) and 1 <= i <= len(numbered.passage_of)]
    if not reading.get("found") or not answer or not ids:
        return REFUSAL_PHRASE
    marks = "".join(f"[{n}]" for n in dict.fromkeys(numbered.passage_of[i - 1] for i in ids))
    return f"{answer[:1].upper()}{answer[1:]} {marks}."

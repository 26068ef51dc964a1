"""The LLM as a reader, not a writer: numbered source sentences in, a JSON reading out.

The model sees the sentences of the best passages numbered S1..Sn and must answer with JSON that a
schema constrains (llama.cpp turns the schema into a grammar; OpenAI-compatible servers take it as
`response_format`): the answer span and the ids of the sentences that support it, or an empty answer. The
draft is then "<answer> [n]" with n the passages of those sentences, and goes through the same
citation checker as every other draft (which checks the answer against the cited passage).

When some sentences are in another language than English, they are chosen by the cross-language
encoder, shown with their figures written the English way (rag/foreign_figures.py), and the reading
gets a second look (verification_messages) before it is drafted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.cross_language import cross_language_encoder, is_cross_language
from index.sentences import sentence_spans
from index.word_segmentation import has_cjk_thai
from rag.foreign_figures import figures_for_reader, passage_numbers
from rag.generators.base import GeneratorError
from rag.generators.llm_factory import PlainCompletion
from rag.reader.candidates import rank_sentences
from rag.reader.question import analyse
from rag.support import SentenceEncoder
from rag.text_features import numbers
from rag.translation import translate
from rag.types import REFUSAL_PHRASE, Passage

MAX_SENTENCES = 3  # AnswerSettings.reader_sentences
# Cosine margin, in the cross-language space, behind the best sentence shown to the reader when some are
# in another language (see _best_cross_language).
READER_LANGUAGE_MARGIN = 0.10
# About 160 prompt tokens: Qwen2.5-1.5B reads ~35 tokens/s on 2 cores, so ~4.5 s of the answer.
MAX_WORDS = 110
MAX_ANSWER_CHARS = 200
# Room for the longest reading the schema allows (200 characters and three ids): a reading cut short
# by a smaller answer-length setting would not be JSON.
READER_MAX_TOKENS = 256  # digits and punctuation are often one token per character

# Short keys, and no separate "found" flag (an empty answer is "not in the sources"): on a 2-core CPU
# each generated token costs about 80 ms with Qwen2.5-1.5B, so the reading is kept to a few tokens.
READER_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string", "maxLength": MAX_ANSWER_CHARS},
        "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
    },
    "required": ["answer", "ids"],
}

READER_SYSTEM = (
    "You read numbered sentences from news articles and answer a question from them.\n"
    'Reply with JSON only: {"answer": "...", "ids": [..]}.\n'
    "- answer: the shortest complete answer (a figure with its unit, a name, a date, a short list, "
    "or one clause for why/how), copied from the sentences.\n"
    "- ids: the numbers of the one to three sentences that state the answer.\n"
    '- If no sentence answers the question: {"answer": "", "ids": []}.'
)
# One worked example of each outcome (invented facts, so nothing can leak into answers).
_EXAMPLE_SENTENCES = (
    "S1. Police said 412 workers were freed from the compound in Port Verlan on Saturday.\n"
    "S2. Aid groups said the freed workers came from 14 countries."
)
READER_EXAMPLES = [
    {"role": "user", "content": f"{_EXAMPLE_SENTENCES}\n\nQuestion: How many workers were freed?"},
    {"role": "assistant", "content": '{"answer": "412 workers", "ids": [1]}'},
    {"role": "user", "content": f"{_EXAMPLE_SENTENCES}\n\nQuestion: Who owns the compound?"},
    {"role": "assistant", "content": '{"answer": "", "ids": []}'},
]


@dataclass(frozen=True)
class NumberedSentences:
    shown: list[str]  # shown[i - 1]: sentence S<i> as the model sees it
    passage_of: list[int]  # passage_of[i - 1]: 1-based passage number of sentence S<i>
    other_languages: bool = False  # some sentences are in another language than English

    @property
    def text(self) -> str:
        """The prompt's sentences: "S1. ...\nS2. ..."."""
        return "\n".join(f"S{i}. {sentence}" for i, sentence in enumerate(self.shown, start=1))


def number_sentences(
    question: str,
    passages: Sequence[Passage],
    encoder: SentenceEncoder | None = None,
    max_sentences: int = MAX_SENTENCES,
    max_words: int = MAX_WORDS,
) -> NumberedSentences:
    """The passages' sentences numbered S1..Sn. With an encoder, the best for the question by the
    extractive reader's ranking, at most `max_sentences` and `max_words` words (the best one always):
    a short prompt is what makes a small model fast. Without one, the first `max_sentences`. Either
    way they are shown in passage order."""
    rows = [
        (no, " ".join(passage.text[start:end].split()))
        for no, passage in enumerate(passages, start=1)
        for start, end in sentence_spans(passage.text)
    ]
    order = {row: i for i, row in enumerate(rows)}
    if encoder is not None and len(rows) > 1:
        best: set[tuple[int, str]] = set()
        words = 0
        for c in rank_sentences(analyse(question), passages, encoder):
            size = len(c.text.split())
            if len(best) == max_sentences or (best and words + size > max_words):
                break
            best.add((c.passage_no, c.text))
            words += size
        rows = [row for row in rows if row in best]
    rows = rows[:max_sentences]
    foreign, kept = _best_cross_language(question, passages, max_sentences, set(rows)) if encoder else (False, set())
    if foreign:  # the extractive ranking reads English only: sentences in other languages are chosen apart
        rows = sorted(set(rows) | kept, key=lambda row: (row[0], order[row]))
    shown = [figures_for_reader(text) if is_cross_language(passages[no - 1].language) else text for no, text in rows]
    return NumberedSentences(shown, [no for no, _ in rows], foreign)


def _best_cross_language(
    question: str, passages: Sequence[Passage], limit: int, english: set[tuple[int, str]]
) -> tuple[bool, set[tuple[int, str]]]:
    """Whether the passages have sentences in other languages, and those to show: the `limit` closest to
    the question by the cross-language encoder (index/cross_language.py), less those more than
    READER_LANGUAGE_MARGIN behind the best sentence of either language in that space (a distractor to a
    small model). The English sentences, which the extractive ranking chose, only set the best: on
    English questions that ranking is the better judge. One encoder call for the question and both."""
    rows = [
        (no, " ".join(passage.text[start:end].split()))
        for no, passage in enumerate(passages, start=1) if is_cross_language(passage.language)
        for start, end in sentence_spans(passage.text)
    ]
    rows = [row for row in rows if row[1]]
    if not rows:
        return False, set()
    others = [row for row in english if row not in rows]
    vectors = cross_language_encoder().embed([question] + [text for _, text in rows + others])
    cosines = vectors[1:] @ vectors[0]
    cosine_of = {row: float(c) for row, c in zip(rows + others, cosines, strict=True)}
    foreign = {rows[i]: cosine_of[rows[i]] for i in np.argsort(-cosines[: len(rows)], kind="stable")[:limit]}
    top = max([*foreign.values(), *(cosine_of[row] for row in english)])
    return True, {row for row, score in foreign.items() if score >= top - READER_LANGUAGE_MARGIN}


# When some sentences are in another language, the model is told to translate its answer and shown one
# worked example of it (invented facts); prompts of English sentences stay as they were.
READER_SYSTEM_OTHER_LANGUAGES = READER_SYSTEM.replace(
    "copied from the sentences.",
    "taken from the sentences and written in the language of the question: translate it when the sentence "
    "is in another language, spell names as English reporting does, keep figures in digits.",
)
_EXAMPLE_OTHER_LANGUAGE = "S1. 警方表示，周六共有412名工人从韦兰港园区获救。"
READER_EXAMPLES_OTHER_LANGUAGES = [
    {"role": "user", "content": f"{_EXAMPLE_OTHER_LANGUAGE}\n\nQuestion: How many workers were freed, and where?"},
    {"role": "assistant", "content": '{"answer": "412 workers, in Port Verlan", "ids": [1]}'},
]


def reader_messages(question: str, numbered: NumberedSentences) -> list[dict[str, str]]:
    if numbered.other_languages:
        system, examples = READER_SYSTEM_OTHER_LANGUAGES, [*READER_EXAMPLES, *READER_EXAMPLES_OTHER_LANGUAGES]
    else:
        system, examples = READER_SYSTEM, READER_EXAMPLES
    return [
        {"role": "system", "content": system},
        *examples,
        {"role": "user", "content": f"{numbered.text}\n\nQuestion: {question}"},
    ]


def english_answer(reading: str, complete: PlainCompletion) -> tuple[str, str | None]:
    """The reading with its answer put into English when the model left it in the sentences' script
    (a small model copies "温州市中级人民法院" however it is told); and the answer as it was, else None."""
    try:
        parsed = json.loads(reading)
    except json.JSONDecodeError:
        return reading, None  # draft_from_reading says what is wrong with it
    answer = str(parsed.get("answer") or "") if isinstance(parsed, dict) else ""
    if not has_cjk_thai(answer):
        return reading, None
    parsed["answer"] = translate(complete, answer, "the sources' language", "the reader").text
    return json.dumps(parsed, ensure_ascii=False), answer


def draft_from_reading(raw: str, numbered: NumberedSentences) -> str:
    """The draft text: "<answer> [n]." from the model's JSON, or the refusal phrase."""
    try:
        reading = json.loads(raw)
    except json.JSONDecodeError as err:
        raise GeneratorError(f"the reader's output is not JSON: {raw[:120]!r}") from err
    if not isinstance(reading, dict):
        raise GeneratorError(f"the reader's output is not a JSON object: {raw[:120]!r}")
    answer, ids = answer_and_ids(reading, numbered)
    if not answer or not ids:
        return REFUSAL_PHRASE
    marks = "".join(f"[{n}]" for n in dict.fromkeys(numbered.passage_of[i - 1] for i in ids))
    return f"{answer[:1].upper()}{answer[1:]} {marks}."


def answer_and_ids(reading: dict[str, object], numbered: NumberedSentences) -> tuple[str, list[int]]:
    """The reading's answer and the ids of the shown sentences it rests on (see ids_holding_figures)."""
    answer = " ".join(str(reading.get("answer") or "").split()).rstrip(".")
    given = reading.get("ids")
    ids = [i for i in given if isinstance(i, int) and 1 <= i <= len(numbered.shown)] if isinstance(given, list) else []
    return answer, ids_holding_figures(answer, ids, numbered) if answer and ids else ids


def ids_holding_figures(answer: str, ids: list[int], numbered: NumberedSentences) -> list[int]:
    """The sentences that state the answer's figures, when none of the ids the model gave does: a small
    model copies a figure from one sentence and names another (the check would drop the answer whole)."""
    figures = numbers(answer)
    if not figures or any(figures <= passage_numbers(numbered.shown[i - 1]) for i in ids):
        return ids
    holding = [i for i, sentence in enumerate(numbered.shown, start=1) if figures <= passage_numbers(sentence)]
    return holding[: len(ids)] or ids


# A second look when some sentences shown are in another language: the model is asked whether the
# sentences it cited state its answer to exactly this question. A 1.5B model answers near misses with a
# figure the passage gives for another family, date or place; the check across languages, which sees
# figures and names but not what they are of, lets such an answer through. Measured in
# docs/evaluation-log.md (2026-12-07, night).
VERIFY_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"answers_question": {"type": "boolean"}},
    "required": ["answers_question"],
}
VERIFY_SYSTEM = (
    "You check a proposed answer against source sentences. Reply with JSON only: "
    '{"answers_question": true} when the sentences state the proposed answer to exactly this question '
    "(the same person, group, place, time and thing that the question asks about), else "
    '{"answers_question": false}.'
)
NO_READING = '{"answer": "", "ids": []}'


def verification_messages(question: str, raw: str, numbered: NumberedSentences) -> list[dict[str, str]] | None:
    """The second look's prompt: the sentences the reading cites, the question and the answer; None when
    the reading is no answer (nothing to verify) or not JSON (draft_from_reading says what is wrong)."""
    try:
        reading = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if not isinstance(reading, dict):
        return None
    answer, ids = answer_and_ids(reading, numbered)
    if not answer or not ids:
        return None
    sentences = "\n".join(numbered.shown[i - 1] for i in ids)
    return [
        {"role": "system", "content": VERIFY_SYSTEM},
        {"role": "user", "content": f"Sentences:\n{sentences}\n\nQuestion: {question}\nProposed answer: {answer}"},
    ]


def answers_question(verdict: str) -> bool:
    """The second look's verdict; one that cannot be read leaves the reading to the citation check."""
    try:
        parsed = json.loads(verdict)
    except json.JSONDecodeError:
        return True
    return not isinstance(parsed, dict) or parsed.get("answers_question") is not False

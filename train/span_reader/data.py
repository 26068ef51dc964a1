"""Training and measuring examples: SQuAD-form files, no-answer pairs, and the dev set's tune half.

Every example is a question, one context and either an answer (text and character offset) or
none. The SQuAD 2.0 dev articles are split by title (sha256 of the title, first byte even: train,
odd: measure), so no measured question shares an article with a trained one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QA_DATA = Path(__file__).resolve().parents[3] / "shared" / "qa-data"
SQUAD1_TRAIN = "squad-v1.1-train.json.gz"
SQUAD1_DEV = "squad-v1.1-dev.json.gz"
SQUAD2_DEV = "squad-v2.0-dev.json.gz"
QED_DEV = "qed-dev.squad.json.gz"
QED_TRAIN = "qed-train.squad.json.gz"


@dataclass(frozen=True)
class Example:
    qid: str
    question: str
    context: str
    answer_start: int | None  # None: the context does not answer the question
    answer_text: str | None
    source: str
    answers: tuple[str, ...] = ()  # every accepted answer (for measuring)


def load_articles(name: str, folder: Path = QA_DATA) -> list[dict[str, Any]]:
    with gzip.open(folder / name, "rt", encoding="utf-8") as handle:
        return list(json.load(handle)["data"])


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def title_half(title: str) -> str:
    """'train' or 'measure' for a SQuAD 2.0 dev article."""
    return "train" if hashlib.sha256(title.encode("utf-8")).digest()[0] % 2 == 0 else "measure"


def examples(articles: Iterable[dict[str, Any]], source: str) -> list[Example]:
    found: list[Example] = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                answers = [a for a in qa.get("answers", []) if a["text"].strip()]
                texts = tuple(dict.fromkeys(a["text"] for a in answers))
                if qa.get("is_impossible") or not answers:
                    found.append(Example(qa["id"], qa["question"], context, None, None, source))
                else:
                    first = answers[0]
                    found.append(Example(qa["id"], qa["question"], context, first["answer_start"], first["text"], source, texts))
    return found


def _paragraphs(articles: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [[p["context"] for p in a["paragraphs"]] for a in articles]


def paired_elsewhere(
    articles: Sequence[dict[str, Any]], count: int, rng: random.Random, same_article: bool, source: str
) -> list[Example]:
    """Answerable questions paired with a passage that does not answer them: one of another article
    (off topic), or another paragraph of the same article (on topic, the harder near miss) that
    does not contain any of the question's answers."""
    contexts = _paragraphs(articles)
    pool = [
        (a, qa, p)
        for a, article in enumerate(articles)
        for p, paragraph in enumerate(article["paragraphs"])
        for qa in paragraph["qas"]
        if qa.get("answers")
    ]
    found: list[Example] = []
    while len(found) < count:
        a, qa, p = rng.choice(pool)
        if same_article:
            if len(contexts[a]) < 2:
                continue
            other = rng.choice([i for i in range(len(contexts[a])) if i != p])
            context = contexts[a][other]
        else:
            b = rng.choice([i for i in range(len(articles)) if i != a])
            context = rng.choice(contexts[b])
        if any(ans["text"].lower() in context.lower() for ans in qa["answers"]):
            continue
        kind = "same" if same_article else "other"
        found.append(Example(f"{qa['id']}-{kind}-{len(found)}", qa["question"], context, None, None, source))
    return found


# ---- the dev set's tune half (project questions over the project's kind of article) ----------

BLOCK_CHARS = 900  # a context of about the size of a retrieved chunk (200 tiktoken tokens)
MAX_ANSWER_WORDS = 25


def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of whole paragraphs of about `BLOCK_CHARS` characters, overlapping by one paragraph."""
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    blocks: list[tuple[int, int]] = []
    for i, (start, _) in enumerate(paragraphs):
        end = paragraphs[i][1]
        j = i + 1
        while j < len(paragraphs) and end - start < BLOCK_CHARS:
            end = paragraphs[j][1]
            j += 1
        blocks.append((start, end))
    return blocks


def _find(needle: str, haystack: str) -> re.Match[str] | None:
    words = needle.split()
    if not words:
        return None
    return re.search(r"\s+".join(re.escape(w) for w in words), haystack, flags=re.IGNORECASE)


def _pattern_strings(patterns: Sequence[Any]) -> list[str]:
    found: list[str] = []
    for item in patterns:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(x) for x in item.get("any_of", []))
    return found


def _terms(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def devset_examples(half: str = "tune") -> list[Example]:
    """Dev-set questions of one half as examples: an answerable one with the block of its article
    that holds its first supporting quote and the gold answer (or its first pattern) as the span
    inside it; an unanswerable near miss with the two blocks of the dev articles that share most of
    its words. Questions whose answer is no short span (lists, reasons) are left out."""
    from eval.devset.split import ARTICLES_DIR, load_dev_questions, split_of
    from index.cleaning import clean_text
    from index.extraction import extract_text

    texts = {p.name: clean_text(extract_text(p).text) for p in sorted(ARTICLES_DIR.iterdir()) if p.is_file()}
    blocks = [(name, text[s:e]) for name, text in texts.items() for s, e in _blocks(text)]
    found: list[Example] = []
    for row in load_dev_questions():
        if split_of(row.id) != half:
            continue
        if not row.answerable:
            terms = _terms(row.question)
            ranked = sorted(blocks, key=lambda b: -len(terms & _terms(b[1])))
            for n, (_, block) in enumerate(ranked[:2]):
                found.append(Example(f"{row.id}-{n}", row.question, block, None, None, f"dev-{half}"))
            continue
        quote = row.supporting[0]
        text = texts.get(quote.source_file or "")
        where = _find(quote.quote, text) if text else None
        if text is None or where is None:
            continue
        candidates = [row.gold_answer or "", *_pattern_strings(row.answer_patterns)]
        for s, e in _blocks(text):
            if s <= where.start() and where.end() <= e:
                block = text[s:e]
                break
        else:
            continue
        for candidate in candidates:
            if not candidate or len(candidate.split()) > MAX_ANSWER_WORDS:
                continue
            quoted = block.lower().find(quote.quote.split()[0].lower())
            span = _find(candidate, block[max(quoted, 0) :]) or _find(candidate, block)
            if span is not None:
                offset = max(quoted, 0) if _find(candidate, block[max(quoted, 0) :]) else 0
                start = offset + span.start()
                answer = block[start : offset + span.end()]
                found.append(Example(row.id, row.question, block, start, answer, f"dev-{half}", (answer,)))
                break
    return found

"""Misspelt question words, read as the archive's nearest word ("Myanmr" -> "Myanmar").

A word is corrected only when the English pipeline's vocabulary does not know it ("share" stays
"share" though no article uses it), no chunk of the index contains it (`Store.unknown_words`,
compared as the keyword index stems words) and a word of the passages first retrieved for the
question is close to it: the same first letter and one edit away, two for words of eight letters or more,
where a swap of neighbouring letters is one edit (rapidfuzz's optimal string alignment distance).
Among several, the most frequent in those passages wins. The caller searches again with the
corrected question and says in the answer what was read as what: a correction is never silent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from rag.reader.nlp import pipeline

MIN_LETTERS = 5  # shorter words ("Laos", "Thai") have too many neighbours one edit away
_WORD = re.compile(r"\b[^\W\d_]+(?:['’][^\W\d_]+)?\b")


@dataclass(frozen=True)
class SpellingCorrection:
    text: str  # the question with the replacements made
    replaced: tuple[tuple[str, str], ...] = ()  # (as written, as read)

    @property
    def note(self) -> str:
        pairs = ", ".join(f"“{old}” as “{new}”" for old, new in self.replaced)
        return f"read {pairs}: the archive has no such word" + ("s" if len(self.replaced) > 1 else "")


def checkable_words(question: str) -> list[str]:
    """The question's words long enough to correct and unknown to the English pipeline's vocabulary:
    "share" in "what share of ..." is a word, though no article may use it; "peopel" is not."""
    vocabulary = pipeline().vocab.strings
    return [w for w in _WORD.findall(question) if len(w) >= MIN_LETTERS and w.lower() not in vocabulary]


def allowed_edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


def nearest(word: str, vocabulary: Counter[str]) -> str | None:
    """The vocabulary word closest to `word` within its allowed edits (ties: the more frequent)."""
    low, limit = word.lower(), allowed_edits(word)
    best: tuple[int, int, str] | None = None
    for candidate, count in vocabulary.items():
        if candidate[:1] != low[:1] or abs(len(candidate) - len(low)) > limit or candidate == low:
            continue
        distance = OSA.distance(low, candidate, score_cutoff=limit)
        if distance <= limit and (best is None or (distance, -count) < (best[0], -best[1])):
            best = (distance, count, candidate)
    return best[2] if best else None


def _vocabulary(texts: Iterable[str]) -> tuple[Counter[str], dict[str, str]]:
    """Lower-cased word counts, and each word's most frequent written form ("myanmar" -> "Myanmar")."""
    counts: Counter[str] = Counter()
    forms: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for word in _WORD.findall(text):
            counts[word.lower()] += 1
            forms[(word.lower(), word)] += 1
    written: dict[str, str] = {}
    for (low, form), _count in forms.most_common():
        written.setdefault(low, form)
    return counts, written


def _as_written(replacement: str, original: str) -> str:
    """Keep the archive's capitals for a name ("Myanmar"), the question's for a common word."""
    if replacement[:1].isupper() and replacement.lower() != replacement:
        return replacement
    return replacement.capitalize() if original[:1].isupper() else replacement.lower()


def correct(question: str, unknown: set[str], texts: Sequence[str]) -> SpellingCorrection:
    """`question` with each unknown word replaced by its nearest word in `texts`, where one is near."""
    if not unknown:
        return SpellingCorrection(question)
    counts, written = _vocabulary(texts)
    replaced: list[tuple[str, str]] = []
    for word in dict.fromkeys(w for w in checkable_words(question) if w in unknown):
        found = nearest(word, counts)
        if found is not None:
            replaced.append((word, _as_written(written[found], word)))
    text = question
    for old, new in replaced:
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return SpellingCorrection(text, tuple(replaced))


def corrected_question(
    question: str, unknown_words: Callable[[Sequence[str]], set[str]], texts: Callable[[], Sequence[str]]
) -> SpellingCorrection:
    """The correction of `question`; `texts` (the first passages found) is fetched only when the
    index lacks some of its words."""
    unknown = unknown_words(checkable_words(question))
    return correct(question, unknown, texts()) if unknown else SpellingCorrection(question)

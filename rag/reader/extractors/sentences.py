"""Answers that are sentences: reasons and processes, definitions, quotes, trends, the rest.

Why/how answers may take two or three sentences; a quote answer is the sentence where the named
person's words are; a trend answer puts dated figures side by side, oldest source first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate, squash
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top
from rag.reader.listing import ITEM, listing_after
from rag.reader.nlp import has_lemma, parse
from rag.reader.question import PERSON_NOUNS, QuestionAnalysis
from rag.text_features import content_terms, numbers
from rag.types import Passage

_CAUSE = re.compile(r"\b(because|due to|as a result|owing to|amid|led to|so that|driven by|reasons?|caused?)\b", re.I)
_SCOPE_PHRASE = re.compile(r"\s+(in|at|during|under|within|according to)\s+[^?]*$", re.I)
_QUOTE_MARK = re.compile(r"[“”\"]")
_DIGIT = re.compile(r"\d")
_DEFINES = re.compile(r"\b(is|are|was|were|means|refers to|known as|describes?)\b|\(|,\s*(a|an|the)\b", re.I)


def is_why(analysis: QuestionAnalysis) -> bool:
    return bool(re.match(r"^\W*why\b", analysis.text, re.I))


def gives_cause(text: str) -> bool:
    return bool(_CAUSE.search(text))


_MEANS = frozenset({"through", "by", "via", "with", "using", "of", "from"})


def _tells_how(sentence: str, verb_stem: str) -> bool:
    """The sentence has the asked verb with a phrase of means or cause: "recruited *through
    advertisements*", "died *of cardiac arrest*", "recruited people *using fake job listings*"."""
    for token in parse([sentence])[0]:
        if token.pos_ not in ("VERB", "NOUN") or verb_stem not in content_terms(token.text):
            continue
        for child in token.children:
            if child.dep_ in ("prep", "agent") and child.lower_ in _MEANS:
                return True
            if child.dep_ in ("advcl", "xcomp") and child.tag_ == "VBG":
                return True
    return False


RESTATES_COVERAGE = 0.8  # a sentence with this share of the question's key terms restates it
RESTATED_REACH = 0.35  # how far below a restating sentence the reason may rank


def restates(candidate: SentenceCandidate) -> bool:
    return candidate.coverage >= RESTATES_COVERAGE


def _distinct(chosen: list[SentenceCandidate], candidate: SentenceCandidate) -> bool:
    """Not a near repeat of a chosen sentence (other words or other figures)."""
    terms = content_terms(candidate.text)
    figures = numbers(candidate.text)
    return all(len(terms ^ content_terms(c.text)) > 2 or figures != numbers(c.text) for c in chosen)


def _pick(candidates: Sequence[SentenceCandidate], count: int, margin: float) -> list[SentenceCandidate]:
    chosen: list[SentenceCandidate] = []
    for candidate in near_top(candidates, margin, limit=10):
        if len(chosen) == count:
            break
        if len(candidate.text.split()) >= 4 and not candidate.reads_as_heading() and _distinct(chosen, candidate):
            chosen.append(candidate)
    return chosen


def _answer(
    chosen: Sequence[SentenceCandidate], kind: AnswerType, typed: bool, passages: Sequence[Passage] = ()
) -> Reading | None:
    """The chosen sentences, each cited; a sentence that introduces a list ("... as follows:") with its items."""
    if not chosen:
        return None
    parts = []
    for c in chosen:
        listing = listing_after(c, passages) if passages else None
        if listing is not None:
            parts.append(cited(listing.text(), listing.passage_numbers))
        else:
            item = ITEM.match(c.text)  # a list item without its bullet
            parts.append(cited(item.group(1) if item else c.text, [c.passage_no]))
    return Reading(" ".join(parts), kind, typed=typed)


_OPENING_QUOTE = re.compile(r'^\s*[“"]')
_QUOTE_END = re.compile(r'[”"][^.!?”"]{0,40}[.!?]|[.!?][”"]')


def speaker_nouns(analysis: QuestionAnalysis) -> list[str]:
    """The person nouns naming who spoke in "what did <Japan's ambassador> say": ["ambassador"]."""
    doc = parse([analysis.text])[0]
    verb = next((t for t in doc if t.dep_ == "ROOT"), None)
    if verb is None:
        return []
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    # The tagger may take a capitalised title for a name ("Interpol's Secretary *General*").
    if subject is None or subject.pos_ not in ("NOUN", "PROPN") or subject.lemma_.lower() not in PERSON_NOUNS:
        return []
    return [subject.lemma_.lower()]


def _quote_follows(candidate: SentenceCandidate) -> bool:
    """ "..., saying he wished to apologise:" followed by the words in quotation marks."""
    return candidate.text.rstrip().endswith(":") and bool(_OPENING_QUOTE.match(candidate.following_text()))


def _quote_after(candidate: SentenceCandidate) -> str:
    """The quoted words after the sentence, to the end of the sentence that closes the quotation
    ("... what we have done," he said.); at most 80 words."""
    following = squash(candidate.following_text())
    opening = _OPENING_QUOTE.match(following)
    start = opening.end() if opening else 0
    end = _QUOTE_END.search(following, start)
    words = following[: end.end() if end else len(following)].split()
    return " ".join(words[:80])


class SentenceExtractor:
    answer_types = frozenset(
        {AnswerType.REASON, AnswerType.DEFINITION, AnswerType.STATEMENT, AnswerType.QUOTE, AnswerType.TREND}
    )

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        pool = [c for c in candidates if anchored(analysis, c) and not c.reads_as_heading()]
        if not pool:
            return None
        kind = analysis.answer_type
        if kind is AnswerType.QUOTE:
            speakers = speaker_nouns(analysis)
            if speakers:  # "what did the *ambassador* say": words of someone the sentence calls that
                pool = [c for c in pool if has_lemma([c.previous, c.text], speakers[0])]
            quoted = [c for c in near_top(pool, 0.15) if _QUOTE_MARK.search(c.text) or _quote_follows(c)]
            if quoted and _quote_follows(quoted[0]):
                return Reading(cited(f"{quoted[0].text} {_quote_after(quoted[0])}", [quoted[0].passage_no]), kind)
            return _answer(quoted[:1] or _pick(pool, 1, 0.1), kind, typed=bool(quoted))
        if kind is AnswerType.TREND:
            dated = [c for c in near_top(pool, 0.15) if _DIGIT.search(c.text)]
            chosen = _pick(dated, 3, 0.15)
            chosen.sort(key=lambda c: c.passage.date or "")
            if chosen:
                return _answer(chosen, kind, typed=True)
            return _answer(_pick(pool, 1, 0.1), kind, typed=False)  # a change told in words
        if kind is AnswerType.REASON and is_why(analysis):
            causal = [c for c in near_top(pool, 0.2) if _CAUSE.search(c.text)]
            if causal:
                return _answer(_pick(causal, 2, 0.2), kind, typed=True, passages=passages)
        if kind is AnswerType.REASON and analysis.asked_verb:
            # "How did he die?" is answered where dying is told, not by the best sentence about him.
            acting = [c for c in near_top(pool, 0.2) if _tells_how(c.text, analysis.asked_verb)]
            if acting:
                return _answer(_pick(acting, 2, 0.2), kind, typed=True, passages=passages)
        if kind is AnswerType.DEFINITION:
            # The sentence must name the thing asked about ("what is neak oknha?" needs "neak oknha").
            # A trailing "in the <case>" sets the scope (names the reader checks), not the defined thing.
            asked = re.sub(r"^\W*what (is|are|was|were|does) (a |an |the )?|\bmean\b|\?", "", analysis.text, flags=re.I)
            subject = content_terms(_SCOPE_PHRASE.sub("", asked)) or content_terms(asked)
            pool = [c for c in pool if subject <= content_terms(f"{c.previous} {c.text}")]
            if not pool:
                return None
            defining = [c for c in near_top(pool, 0.1) if _DEFINES.search(c.text)]
            return _answer(_pick(defining or pool, 1, 0.1), kind, typed=bool(defining), passages=passages)
        if kind is AnswerType.STATEMENT and analysis.focus:
            # "What prison *sentence* did X receive?": a sentence that names no sentence is about something else.
            pool = [c for c in pool if content_terms(analysis.focus) <= content_terms(c.text)]
        count = 2 if kind is AnswerType.REASON else 1
        chosen = _pick(pool, count, 0.1)
        if kind is AnswerType.REASON and is_why(analysis) and len(chosen) == 1 and restates(chosen[0]):
            # The best sentence restates the asked fact ("70% of returnees were prosecuted"): the
            # reason is in the next best one, however far down.
            chosen = _pick(pool, 2, RESTATED_REACH)
        return _answer(chosen, kind, typed=False, passages=passages)

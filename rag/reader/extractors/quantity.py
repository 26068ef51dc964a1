"""Figures: a number of a unit, a share, an amount of money.

Whether the passages give a figure of the asked kind for what the question names: the span model
reads which figure it is (`span_reading.py`). A figure counts only when its phrase, or else its
sentence or the sentence's context, names what the question names ("held at compound X"), of the
asked time, and not only as where people came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top, scope_names
from rag.reader.nlp import has_lemma, parse
from rag.reader.question import MEASURE_NOUNS, PERSON_NOUNS, PLACE_LABELS, QuestionAnalysis
from rag.text_features import CURRENCY, SHARE_WORDS, is_month, mentions, numbers
from rag.types import Passage

_NUMBER_WORDS = re.compile(r"\d|\b(hundreds?|thousands?|millions?|billions?|dozens?|tens of)\b", re.I)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"^(19|20)\d{2}s?$")
_SCOPE_PREPS = ("in", "across", "from", "at", "inside", "within", "of")


@dataclass(frozen=True)
class Figure:
    phrase: str  # "at least 120,000 people in Myanmar"
    candidate: SentenceCandidate


def _unit(ent: Span) -> Token | None:
    """The noun the figure counts: "120,000 *people*", "19 London *properties*"."""
    root = ent.root
    if root.dep_ in ("nummod", "quantmod", "amod", "compound") and root.head.pos_ in ("NOUN", "PROPN"):
        return root.head
    if root.pos_ in ("NOUN", "PROPN") and root.text.lower() not in ("thousands", "hundreds", "millions", "dozens"):
        return root
    for token in ent.doc[ent.end : ent.end + 2]:  # "some 6,000 foreign workers": the next noun
        if token.pos_ in ("NOUN", "PROPN"):
            return token
        if token.pos_ not in ("ADJ",):
            break
    if root.dep_ == "conj":
        # Gapping: "19 Japanese were deported in April and *25* in November" counts Japanese too.
        earlier = [
            t
            for t in ent.doc[: ent.start]
            if t.like_num and t.dep_ == "nummod" and t.ent_type_ != "DATE" and t.head.pos_ in ("NOUN", "PROPN")
        ]
        return earlier[-1].head if earlier else None
    return None


def _fits(ent: Span, analysis: QuestionAnalysis) -> bool:
    text = ent.text
    # "nine of them children"; not "one", which is as often a pronoun ("one in every ...").
    spelled = any(t.like_num and t.is_alpha and t.lower_ not in ("one", "zero") for t in ent)
    if not _NUMBER_WORDS.search(text) and not SHARE_WORDS.search(text) and not spelled:
        return False
    durations = analysis.focus in ("hour", "day", "week", "month", "year", "minute")
    if _YEAR.match(text.strip()) or ent.label_ == "ORDINAL" or (ent.label_ in ("DATE", "TIME") and not durations):
        return False
    if _day_of_month(ent):
        return False
    if durations:
        return str(analysis.focus) in text.lower()
    money = ent.label_ == "MONEY" or bool(CURRENCY.search(text)) or _currency_after(ent)
    share = ent.label_ == "PERCENT" or bool(SHARE_WORDS.search(text)) or _percent_after(ent)
    kind = analysis.answer_type
    if kind is AnswerType.MONEY:
        return money
    if kind is AnswerType.SHARE:
        return share
    if money or share:
        return False
    unit = _unit(ent)
    lemma = unit.lemma_.lower() if unit is not None else None
    if re.search(r"\bhow (large|big|long|far|high|tall|wide)\b|\bwhat (size|area)\b", analysis.text, re.I):
        return ent.label_ == "QUANTITY" or lemma in MEASURE_NOUNS
    if lemma is not None and analysis.focus and lemma.rstrip("s") == analysis.focus.rstrip("s"):
        return True
    if analysis.wants_people:
        # "261 foreigners", "188 Filipinos", or a bare figure standing for people ("120,000 are being held").
        if unit is None:
            return True
        return lemma in PERSON_NOUNS or unit.pos_ == "PROPN" or unit.ent_type_ == "NORP"
    return False


def _day_of_month(ent: Span) -> bool:
    """ "Monday 10 November", "November 10": the recogniser left a date's day out of the date."""
    doc = ent.doc
    beside = [doc[i] for i in (ent.start - 1, ent.end) if 0 <= i < len(doc)]
    return len(ent) == 1 and ent[0].like_num and any(is_month(t.text) for t in beside)


def _currency_after(ent: Span) -> bool:
    """ "more than 70 million [baht]": the recogniser left the currency word out of the figure."""
    return ent.end < len(ent.doc) and bool(CURRENCY.fullmatch(ent.doc[ent.end].text))


def _percent_after(ent: Span) -> bool:
    """ "90 to 95 [per cent]": the recogniser left the percentage words out of the figure."""
    after = ent.doc[ent.end : ent.end + 2].text.lower()
    return after.startswith(("per cent", "percent", "%"))


def _phrase(ent: Span) -> Span:
    """The figure with its noun and scope: "at least 120,000 people in Myanmar", "about 100,000 in Cambodia"."""
    doc = ent.doc
    unit = _unit(ent)
    head = unit if unit is not None and unit.i >= ent.start else ent.root
    end = max(ent.end, head.i + 1, ent.end + 1 if _currency_after(ent) else 0)
    # Not past a coordinated figure: "[489 men] and 282 women from 15 countries".
    joined = min(
        (c.left_edge.i for c in head.rights if c.dep_ == "conj" and any(t.like_num for t in c.subtree)),
        default=len(doc),
    )
    for child in head.rights:  # "... people in Myanmar", "... people originating from 66 countries"
        short = child.right_edge.i - child.i <= 6
        if child.i > joined:
            break
        if short and ((child.dep_ == "prep" and child.lower_ in _SCOPE_PREPS) or child.dep_ == "acl"):
            end = max(end, child.right_edge.i + 1)
            break
    return doc[ent.start : _without_links(doc, ent.end, end)]  # "80 percent of the zone [and]"


def _places(doc: Doc, tokens: set[int]) -> frozenset[str]:
    """Places the parsed sentence names within `tokens` (no second parse)."""
    return frozenset(e.text for e in doc.ents if e.label_ in PLACE_LABELS and e.start in tokens)


_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion"})


def _unlabelled_numbers(doc: Doc) -> list[Span]:
    """Numbers the entity recogniser left out ("Police said 900 workers were freed"), as CARDINAL spans."""
    covered = {i for e in doc.ents for i in range(e.start, e.end)}
    spans: list[Span] = []
    i = 0
    while i < len(doc):
        if doc[i].like_num and doc[i].pos_ == "NUM" and i not in covered:
            # A range's first half hangs on the second: "[90 to] 95 per cent".
            start = min([i, *(t.i for t in doc[i].lefts if t.dep_ == "quantmod" and (t.like_num or t.lower_ == "to"))])
            end = i + 1
            while end < len(doc) and end not in covered and doc[end].lower_ in _SCALE_WORDS:
                end += 1
            spans.append(Span(doc, start, end, label="CARDINAL"))
            i = end
        else:
            i += 1
    return spans


def _without_links(doc: Doc, floor: int, end: int) -> int:
    """`end` moved back over a conjunction or comma left at the end of a span, not below `floor`."""
    while end - 1 > floor and (doc[end - 1].pos_ == "CCONJ" or doc[end - 1].text in (",", ";", ":")):
        end -= 1
    return end


def _numbers(doc: Doc) -> list[Span]:
    """The recogniser's entities and the numbers it missed, in order; an entity inside a missed
    number's span ("90 to" of "90 to 95 per cent") gives way to it."""
    extra = _unlabelled_numbers(doc)
    inside = {i for span in extra for i in range(span.start, span.end)}
    kept = [e for e in doc.ents if not inside & set(range(e.start, e.end))]
    return sorted([*kept, *extra], key=lambda e: e.start)


def figures_in(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> list[Figure]:
    doc = parse([candidate.text])[0]
    numbers_found = _numbers(doc)
    ents = [e for e in numbers_found if _fits(e, analysis)]
    names = scope_names(analysis, candidate)
    if any(_origin_only(doc, n, analysis.text) for n in names):
        return []  # the sentence names the place only as where people came from
    found: list[Figure] = []
    for ent in ents:
        if _restates(ent, analysis):
            continue  # "how many of the 64 returnees": 64 is what the question gives, not its answer
        span = _phrase(ent)
        phrase = span.text
        phrase_places = _places(doc, set(range(span.start, span.end)))
        # The figure's scope is the place its own phrase names ("100,000 people in Cambodia"); without
        # one, the sentence and its context.
        in_phrase = [n for n in names if mentions(phrase, n) and not _origin_only(span, n, analysis.text)]
        if phrase_places:
            # The phrase names its own place: it must be one the question names ("19 London
            # properties" answers a question about London and the UK; "2,500 at Silver Reef" does
            # not answer one about Golden Lotus Park); the question's other places may be around it
            # ("19 London properties" under a title naming the UK).
            ok = not names or (bool(in_phrase) and all(n in in_phrase or _around(candidate, n) for n in names))
        else:
            ok = all(_around(candidate, n) for n in names)
        unit = _unit(ent)
        if analysis.counted_kind and not mentions(
            f"{phrase} {candidate.text} {unit.text if unit else ''}", analysis.counted_kind
        ):
            continue  # "how many Vietnamese nationals": a figure of others ("77 Chinese nationals") is not one
        if not ok:
            continue  # another place
        if (
            not _DIGIT.search(phrase)
            and analysis.asked_act
            and not has_lemma([candidate.text, candidate.previous], analysis.asked_act)
        ):
            continue  # "hundreds of thousands trafficked" (here or just before) does not count the *murdered*
        found.append(Figure(phrase, candidate))
    return found


def _restates(ent: Span, analysis: QuestionAnalysis) -> bool:
    values = numbers(ent.text)
    return bool(values) and values <= analysis.figures


def _from_place(tokens: Span | Doc, name: str) -> list[bool]:
    """For each mention of `name` in `tokens`: whether "from" governs it, through a list
    ("from Thailand, Bangladesh and Vietnam") or a compound ("from Vietnam province")."""
    last = name.split()[-1].lower()
    found = []
    for token in tokens:
        if token.lower_ != last:
            continue
        while token.dep_ in ("conj", "compound", "appos") and token.head != token:
            token = token.head
        found.append(token.dep_ == "pobj" and token.head.lower_ == "from")
    return found


def _origin_only(span: Span | Doc, name: str, question: str) -> bool:
    """The figure counts people *from* a place the question asks about people *in*
    ("312 people from Thailand and Vietnam" does not answer "how many are held in Vietnam")."""
    in_span = _from_place(span, name)
    return bool(in_span) and all(in_span) and not any(_from_place(parse([question])[0], name))


def _around(candidate: SentenceCandidate, name: str) -> bool:
    return mentions(candidate.text, name) or _in_context(candidate, name)


def _in_context(candidate: SentenceCandidate, name: str) -> bool:
    """A name may come from the article's title, the sentence before, or (a year) the article's date."""
    return candidate.dated_in(name) or mentions(f"{candidate.previous} {candidate.passage.title}", name)


class QuantityExtractor:
    answer_types = frozenset({AnswerType.COUNT, AnswerType.SHARE, AnswerType.MONEY})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        figure = next(
            (f for c in near_top(candidates, 0.25, limit=15) if anchored(analysis, c) for f in figures_in(analysis, c)),
            None,
        )
        return Reading(cited(figure.phrase, [figure.candidate.passage_no]), analysis.answer_type) if figure else None

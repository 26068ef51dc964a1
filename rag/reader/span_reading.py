"""Answers read by the span model (`span_model.py`): the model proposes spans, the question's
answer type checks them, the margin over no-answer decides whether to answer.

1. `reading_contexts`: what the model reads: the stretches of the passages around their best
   sentences for the question (the reader's sentence ranking), each with its neighbours;
2. `SpanModel.read`: spans with their margins over no-answer, best first;
3. `fitting_spans`: the spans of the asked kind, best first. spaCy's entities in the span's sentence
   check it (a sum of money for "how much", a person for "who" ...) and complete it: a span that
   cuts an entity of the asked kind short ("70 million" of "more than 70 million baht") is widened
   to the entity. A span of another kind is passed over;
4. the answer is the best of them cited to its passage; below the threshold it is a refusal that
   still names the closest span and its passage (`SpanAnswer.span`);
5. `figure_of_another_place`, `other_figure`, `composed`: for a question naming several places, a
   figure of another of them; else a figure that another article gives nearly as surely; shown
   beside the answer with both sources' dates, as another scope or as "Sources differ".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc
from spacy.tokens import Span as EntitySpan

from index.sentences import sentence_spans
from rag.reader.answer_fit import KIND_LABELS, fits_answer_type
from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.nlp import parse
from rag.reader.span_model import Span, SpanModel
from rag.text_features import CURRENCY, numbers
from rag.types import Passage

_CURRENCY_AFTER = re.compile(rf"\s+(?:{CURRENCY.pattern})", re.I)
WHOLE_PASSAGES = False
NEIGHBOURS = 1  # sentences kept on each side of a best sentence
BEST_SENTENCES = 4  # best sentences whose stretches the model reads
TOP_SPANS = 10  # spans the model proposes, best first; the first of the asked kind answers
# Another source's figure is shown beside the answer when its margin is at most this much lower.
DIFFER_SLACK = 1.0
FIGURE_TYPES = frozenset({AnswerType.COUNT, AnswerType.MONEY, AnswerType.SHARE})


@dataclass(frozen=True)
class Context:
    passage_no: int  # 1-based, as [n] markers count
    start: int  # offsets in the passage's text
    end: int


@dataclass(frozen=True)
class SpanAnswer:
    text: str | None  # "<span> [n]." or None (a refusal)
    span: Span | None  # the answer's span, or the closest one when refused
    passage_no: int | None
    margin: float


def reading_contexts(passages: Sequence[Passage], ranked: Sequence[SentenceCandidate]) -> list[Context]:
    """The stretches of passage text the model reads, in passage order: the passages of the ranked
    sentences whole (`WHOLE_PASSAGES`), or around their `BEST_SENTENCES` best sentences."""
    if WHOLE_PASSAGES:
        numbers = sorted({c.passage_no for c in ranked})
        return [Context(no, 0, len(passages[no - 1].text)) for no in numbers]
    stretches: dict[int, list[tuple[int, int]]] = {}
    for candidate in ranked[:BEST_SENTENCES]:
        passage = passages[candidate.passage_no - 1]
        bounds = sentence_spans(passage.text)
        at = next((i for i, (_, e) in enumerate(bounds) if e >= candidate.end), len(bounds) - 1)
        first, last = max(0, at - NEIGHBOURS), min(len(bounds) - 1, at + NEIGHBOURS)
        stretches.setdefault(candidate.passage_no, []).append((bounds[first][0], bounds[last][1]))
    contexts: list[Context] = []
    for no in sorted(stretches):
        merged: list[tuple[int, int]] = []
        for start, end in sorted(stretches[no]):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        contexts.extend(Context(no, s, e) for s, e in merged)
    return contexts


def widened(answer_type: AnswerType, text: str, start: int, end: int) -> tuple[int, int]:
    """The span snapped to the entities of the asked kind it overlaps, within its sentence; a figure
    also takes its qualifier ("at least") and, for a count, the noun it counts ("4,000 people")."""
    labels = KIND_LABELS.get(answer_type)
    if not labels:
        return start, end
    for first, last in sentence_spans(text):
        if first <= start < last:
            sentence = parse([text[first:last]])[0]
            # A sum the recogniser calls a number ("100 million [kip]") still snaps; its currency follows below.
            snap = labels | {"CARDINAL"} if answer_type is AnswerType.MONEY else labels
            overlapping = [
                (first + e.start_char, first + _entity_end(e))
                for e in sentence.ents
                if e.label_ in snap and first + e.start_char < end and start < first + e.end_char
            ]
            if overlapping:  # snapped to the entities: a span's stray edges ("$216 million and $") go
                start, end = min(a for a, _ in overlapping), max(b for _, b in overlapping)
            if answer_type in FIGURE_TYPES:
                start, end = _with_qualifier_and_noun(sentence, first, start, end, answer_type is AnswerType.COUNT)
            break
    if answer_type is AnswerType.MONEY:  # "70 million [baht]": the recogniser often leaves the currency out
        after = _CURRENCY_AFTER.match(text, end)
        if after:
            end = after.end()
    return start, end


def _entity_end(entity: EntitySpan) -> int:
    """The entity's end without a trailing conjunction or symbol ("$216 million and [$639 million]")."""
    tokens = list(entity)
    while len(tokens) > 1 and tokens[-1].pos_ in ("CCONJ", "PUNCT", "SYM"):
        tokens.pop()
    return tokens[-1].idx + len(tokens[-1].text)


def _with_qualifier_and_noun(sentence: Doc, offset: int, start: int, end: int, with_noun: bool) -> tuple[int, int]:
    """A figure's modifiers ("at least", "more than") and, for a count, the noun its last number
    counts when that noun follows it: a figure without them says less than the passage does."""
    numbers = [t for t in sentence if t.like_num and start <= offset + t.idx < end]
    if not numbers:
        return start, end
    for token in numbers:
        for child in token.children:
            if child.dep_ in ("advmod", "quantmod", "amod") and child.i < token.i:
                start = min(start, offset + child.left_edge.idx)
    last = numbers[-1]
    head = last.head
    if not with_noun or head.ent_type_ == "MONEY" or any(t.ent_type_ == "MONEY" for t in numbers):
        return start, end
    if last.dep_ == "nummod" and head.pos_ in ("NOUN", "PROPN") and head.i > last.i and head.i - last.i <= 3:
        end = max(end, offset + head.idx + len(head.text))
    return start, end


def fitting_spans(
    answer_type: AnswerType, question: str, spans: Sequence[Span], contexts: Sequence[Context], passages: Sequence[Passage]
) -> list[Span]:
    """The spans that are answers of the asked kind (snapped to their entity), best first, in passage offsets."""
    found: list[Span] = []
    for span in spans:
        context = contexts[span.passage_index]
        passage = passages[context.passage_no - 1]
        start, end = widened(answer_type, passage.text, span.start + context.start, span.end + context.start)
        text = passage.text[start:end]
        if fits_answer_type(answer_type, question, text, [passage]):
            found.append(Span(context.passage_no - 1, start, end, text, span.score, span.margin))
    return found


def other_figure(best: Span, fitting: Sequence[Span], passages: Sequence[Passage], threshold: float) -> Span | None:
    """A figure another article gives for the same question, nearly as sure as the best one: the
    answer shows both with their sources' dates rather than choose between them silently."""
    values = numbers(best.text)
    doc = passages[best.passage_index].doc_id
    for span in fitting:
        if span.margin < max(threshold, best.margin - DIFFER_SLACK):
            break
        other = numbers(span.text)
        if passages[span.passage_index].doc_id != doc and other and values and not other & values:
            return span
    return None


def figure_of_another_place(
    best: Span, fitting: Sequence[Span], passages: Sequence[Passage], places: Sequence[str], threshold: float
) -> Span | None:
    """A question that names several places ("in Myanmar and Cambodia") gets a figure for another
    of them, however much less sure: a figure's place is the named place nearest to it in its sentence."""
    if len(places) < 2:
        return None
    place, values = _nearest_place(best, passages, places), numbers(best.text)
    if place is None:  # the best figure's sentence names none of them: no place to set beside
        return None
    for span in fitting:
        if span.margin < threshold:
            break
        other = numbers(span.text)  # a figure in numbers: "hundreds of thousands" gives none
        if other and other != values and _nearest_place(span, passages, places) not in (None, place):
            return span
    return None


def _nearest_place(span: Span, passages: Sequence[Passage], places: Sequence[str]) -> str | None:
    """The named place whose mention in the span's sentence is nearest to the span."""
    text = passages[span.passage_index].text
    first, last = _sentence_bounds(text, span)
    distances = [
        (min(abs(first + m.start() - span.start), abs(first + m.start() - span.end)), name)
        for name in places
        for m in re.finditer(rf"\b{re.escape(name)}\b", text[first:last], re.I)
    ]
    return min(distances)[1] if distances else None


def _sentence_bounds(text: str, span: Span) -> tuple[int, int]:
    """The offsets of the sentence the span starts in (the whole text if none holds it)."""
    return next(((first, last) for first, last in sentence_spans(text) if first <= span.start < last), (0, len(text)))


def _places(text: str, span: Span) -> frozenset[str]:
    """The places named in the span's sentence: the scope a figure is given for."""
    first, last = _sentence_bounds(text, span)
    return frozenset(e.text for e in parse([text[first:last]])[0].ents if e.label_ == "GPE")


def _dated(passage: Passage) -> str:
    """ "dated 2023-08-30", "dated 2023-08-29 (estimated)" or "undated": the source's own date (metadata)."""
    if not passage.date:
        return "undated"
    return f"dated {passage.date} (estimated)" if passage.date_estimated else f"dated {passage.date}"


def composed(best: Span, other: Span | None, passages: Sequence[Passage], places: Sequence[str] = ()) -> str:
    """ "<figure> [n]." or, with another source's figure, both with their dates: side by side when
    they are figures of different places the question names ("<figure> in <place>") or their
    sentences name different places (another scope), else as "Sources differ"."""
    if other is None:
        return cited(best.text, [best.passage_index + 1])
    a, b = passages[best.passage_index], passages[other.passage_index]
    place_a, place_b = _nearest_place(best, passages, places), _nearest_place(other, passages, places)
    per_place = place_a is not None and place_b is not None and place_a != place_b
    where_a, where_b = (f" in {place_a}", f" in {place_b}") if per_place else ("", "")
    first = cited(f"{best.text}{where_a}, {_dated(a)}", [best.passage_index + 1])
    second = f"{other.text}{where_b}, {_dated(b)}"
    if per_place or _places(a.text, best) != _places(b.text, other):
        return f"{first} {cited(second, [other.passage_index + 1])}"
    return f"{first} Sources differ: {second} [{other.passage_index + 1}]."


def read_span(
    model: SpanModel,
    answer_type: AnswerType,
    question: str,
    passages: Sequence[Passage],
    ranked: Sequence[SentenceCandidate],
    threshold: float,
    places: Sequence[str] = (),
) -> SpanAnswer:
    """The answer read by the model; `places`: the places the question names (its scope)."""
    contexts = reading_contexts(passages, ranked)
    texts = [passages[c.passage_no - 1].text[c.start : c.end] for c in contexts]
    reading = model.read(question, texts, top_n=TOP_SPANS)
    fitting = fitting_spans(answer_type, question, reading.spans, contexts, passages)
    if not fitting and reading.spans:  # nothing of the asked kind: the closest span, for the refusal
        top, context = reading.spans[0], contexts[reading.spans[0].passage_index]
        closest = Span(context.passage_no - 1, top.start + context.start, top.end + context.start, top.text, top.score, top.margin)
        return SpanAnswer(None, closest, closest.passage_index + 1, closest.margin)
    if not fitting:
        return SpanAnswer(None, None, None, reading.best_margin)
    best = fitting[0]
    if best.margin < threshold:
        return SpanAnswer(None, best, best.passage_index + 1, best.margin)
    other = None
    if answer_type in FIGURE_TYPES:
        other = figure_of_another_place(best, fitting[1:], passages, places, threshold) or other_figure(
            best, fitting[1:], passages, threshold
        )
    return SpanAnswer(composed(best, other, passages, places), best, best.passage_index + 1, best.margin)

"""Lists: places or nationalities collected across passages, or a coordinated phrase
("romance scams, cryptocurrency fraud and illegal gambling"), each part cited where found."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited, join_items
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.listing import cited_items_after
from rag.reader.nlp import has_lemma, parse
from rag.reader.question import LIGHT_VERBS, ORGANISATION_NOUNS, PERSON_NOUNS, PLACE_NOUNS, QuestionAnalysis
from rag.types import Passage

_ENTITY_LISTS: list[tuple[frozenset[str], frozenset[str]]] = [
    # Countries are GPEs: a region ("Southeast Asia", LOC) is not one of them.
    (frozenset({"country", "countries", "nation", "state"}), frozenset({"GPE"})),
    (frozenset({"nationality"}), frozenset({"NORP", "GPE"})),
    (PLACE_NOUNS, frozenset({"GPE", "LOC"})),
    (PERSON_NOUNS, frozenset({"PERSON"})),
    (ORGANISATION_NOUNS, frozenset({"ORG"})),
]


def _entity_labels(analysis: QuestionAnalysis) -> frozenset[str] | None:
    for nouns, labels in _ENTITY_LISTS:
        if analysis.focus in nouns:
            return labels
    return None


LIST_MARGIN = 0.15  # candidates this close to the best are searched for a list
ATTACHED_LIST_MARGIN = 0.2  # a list that follows the asked noun or verb may be this far down
_KIND_NOUNS = frozenset({"kind", "type", "sort", "form"})


def _asked_noun(analysis: QuestionAnalysis) -> str | None:
    """The noun whose instances are listed: "what kinds of *crimes*" asks for crimes, not kinds."""
    if analysis.focus not in _KIND_NOUNS:
        return analysis.focus
    for token in parse([analysis.text])[0]:
        if token.lemma_.lower() in _KIND_NOUNS:
            of = next((c for c in token.children if c.lower_ == "of"), None)
            noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            return noun.lemma_.lower() if noun is not None else None
    return None


_ITEM_HEAD = re.compile(r"^\*\*(.+?)\*\*|^(.{2,60}?)\s+[-–—:]\s")


Heads = list[tuple[str, int]]  # (item head, number of the passage the item is in)


def listed_after(candidate: SentenceCandidate, passages: Sequence[Passage]) -> Heads:
    """The heads of the list items that follow a sentence ending in a colon ("The report lists new
    locations: 1. **Africa** - ... 2. **South America** - ..."): a bold head, or the words before a
    dash or colon, each with its passage; none when the sentence introduces no such list."""
    items = cited_items_after(candidate, passages)
    heads = [(_ITEM_HEAD.match(item), no) for item, no in items]
    if not items or any(head is None for head, _ in heads):
        return []  # items without a head: not a list of names
    return [((h.group(1) or h.group(2)).strip(" *_,.;"), no) for h, no in heads if h is not None]


_HEAD_END = re.compile(r"[:,;(]|\s[-–—]\s")
HEAD_MAX_WORDS = 8


def _listed_instances(candidate: SentenceCandidate, noun: str | None, passages: Sequence[Passage]) -> Heads:
    """The heads of the items a sentence ending in a colon lists as instances of the asked noun
    ("police arrested suspects in five *provinces*:" then "- Poipet, on the Thai border: ..."): a
    bold head, or the words before the first comma, colon or dash of each item."""
    if noun is None or not candidate.text.rstrip().endswith(":"):
        return []
    if not has_lemma([candidate.text], noun):
        return []
    heads = []
    for item, no in cited_items_after(candidate, passages):
        marked = _ITEM_HEAD.match(item)
        head = marked.group(1) if marked and marked.group(1) else _HEAD_END.split(item, maxsplit=1)[0]  # bold, or up to a comma
        head = head.strip(" *_.;")
        if not head or len(head.split()) > HEAD_MAX_WORDS:
            return []  # items that are sentences, not names of instances
        heads.append((head, no))
    return heads


def _cited_heads(analysis: QuestionAnalysis, heads: Heads) -> Reading | None:
    """The heads the question does not name, each run of heads from one passage cited to it."""
    kept = [(head, no) for head, no in heads if not in_question(analysis, head)]
    if len(kept) < 2:
        return None
    groups: list[tuple[int, list[str]]] = []
    for head, no in kept:
        if groups and groups[-1][0] == no:
            groups[-1][1].append(head)
        else:
            groups.append((no, [head]))
    return Reading(" ".join(cited(join_items(items), [no]) for no, items in groups), AnswerType.LIST)


def _coordination(doc: Doc) -> Span | None:
    """The longest coordinated phrase of the sentence ("a, b and c"), if any."""
    best: tuple[int, Span] | None = None
    for token in doc:
        conjuncts = [t for t in token.conjuncts if t.i > token.i]
        if token.dep_ == "conj" or not conjuncts or token.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB"):
            continue
        last: Token = max(conjuncts, key=lambda t: t.i)
        start = token.left_edge.i
        while start < token.i and doc[start].pos_ in ("DET", "ADP", "PUNCT", "CCONJ"):
            start += 1
        end = last.right_edge.i + 1
        if token.dep_ == "pobj" and token.head.lower_ == "from":  # "ranging from A and B to C": C too
            around = [*token.head.head.children, *token.children]
            to = next((t for t in around if t.dep_ == "prep" and t.lower_ == "to" and t.i >= end), None)
            end = to.right_edge.i + 1 if to is not None else end
        span = doc[start:end]
        if len(span) > 40 or any(e.start <= token.i < e.end and e.end >= last.i + 1 for e in doc.ents):
            continue  # too long, or inside one name ("Office on Drugs and Crime")
        size = len(conjuncts) + 1
        if best is None or size > best[0]:
            best = (size, span)
    return best[1] if best else None


class ListExtractor:
    answer_types = frozenset({AnswerType.LIST})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        top = [c for c in near_top(candidates, LIST_MARGIN, limit=8) if anchored(analysis, c)]
        if not top:
            return None
        noun = _asked_noun(analysis)
        # A list introduced as instances of the asked noun ("in at least five *provinces*:").
        for candidate in top[:3]:
            reading = _cited_heads(analysis, _listed_instances(candidate, noun, passages))
            if reading is not None:
                return reading
        labels = _entity_labels(analysis)
        if labels is not None:
            found = self._entities(analysis, top, labels)
            if found:
                return found
        # A list the best sentences introduce ("... new locations:" and numbered items).
        for candidate in top[:3]:
            reading = _cited_heads(analysis, listed_after(candidate, passages))
            if reading is not None:
                return reading
        # The largest coordination ("a, b and c") among the best sentences; ties go to the better sentence.
        best: tuple[int, float, str, int] | None = None
        top_score = candidates[0].score
        for candidate in [c for c in near_top(candidates, ATTACHED_LIST_MARGIN, limit=10) if anchored(analysis, c)]:
            span = _coordination(parse([candidate.text])[0])
            if span is None or in_question(analysis, span):
                continue
            size = sum(1 for t in span if t.dep_ == "conj") + 1
            # A list that follows the asked noun ("online *crimes* ranging from A, B to C") or a verb
            # of the question ("had moved into" ... "while *moving* into A, B, C") counts one more.
            lead = span.doc[max(0, span.start - 6) : span.start]
            follows_asked = any(
                (noun and t.lemma_.lower() == noun)
                or (t.pos_ == "VERB" and t.lemma_.lower() not in LIGHT_VERBS and analysis.uses(t.text))
                for t in lead
            )
            if candidate.score < top_score - LIST_MARGIN and not follows_asked:
                continue  # further down, only a list attached to the asked words
            weight = min(size, 4) + (1 if follows_asked else 0)
            if best is None or (weight, candidate.score) > (best[0], best[1]):
                best = (weight, candidate.score, span.text.strip(" ,;:"), candidate.passage_no)
        if best is None:
            return None
        return Reading(cited(best[2], [best[3]]), AnswerType.LIST)

    def _entities(
        self, analysis: QuestionAnalysis, top: Sequence[SentenceCandidate], labels: frozenset[str]
    ) -> Reading | None:
        """Entities of the asked kind from the best sentence that lists two or more of them, else
        from each of the best sentences, grouped by passage."""
        per_sentence: list[tuple[SentenceCandidate, list[str]]] = []
        for candidate in top:
            names = list(
                dict.fromkeys(
                    ent.text.strip(" ,.")
                    for ent in parse([candidate.text])[0].ents
                    if ent.label_ in labels and not in_question(analysis, ent)
                )
            )
            if names:
                per_sentence.append((candidate, names))
        listing = next(((c, n) for c, n in per_sentence if len(n) >= 2), None)
        if listing is not None:
            return Reading(cited(join_items(listing[1]), [listing[0].passage_no]), AnswerType.LIST)
        by_passage: dict[int, list[str]] = {}
        seen: set[str] = set()
        for candidate, names in per_sentence:
            for name in names:
                if name.lower() not in seen:
                    seen.add(name.lower())
                    by_passage.setdefault(candidate.passage_no, []).append(name)
        if not by_passage:
            return None
        return Reading(" ".join(cited(join_items(items), [no]) for no, items in by_passage.items()), AnswerType.LIST)

"""Who a named person is ("Who is John Wojcik?"): the role the sources give beside the name.

Read from the parse, in this order: a phrase in apposition ("John Wojcik, *a regional analyst at
the UNODC*"), the nouns the name is set beside ("*Its chairman, the Chinese businessman* Zhao
Wei"), the title words before the name ("*UNODC analyst* John Wojcik"), or what a copula says of
the name ("Wojcik is *an analyst*"). Without any of them, the best sentence naming the person
answers, marked as not typed."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, near_top
from rag.reader.extractors.entity import unlabelled_people
from rag.reader.nlp import apposition_heads, parse
from rag.reader.question import QuestionAnalysis
from rag.text_features import mentions
from rag.types import Passage

_CLAUSES = frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj"})
_MODIFIERS = frozenset({"det", "amod", "compound", "poss", "nmod", "nummod"})


def _phrase(token: Token, leave_out: set[int]) -> str:
    """The noun phrase of `token` without `leave_out`, the clauses hanging from it and the relative
    clauses deeper in it ("the founder of the Prince Group[, which was sanctioned]")."""
    dropped = set(leave_out)
    for child in token.children:
        if child.dep_ in _CLAUSES and child.i > token.i:
            dropped |= {t.i for t in child.subtree}
    for inner in token.subtree:
        if inner.dep_ in ("relcl", "advcl") and inner.i > token.i:
            dropped |= {t.i for t in inner.subtree}
    words = [t for t in token.subtree if t.i not in dropped]
    if not words:
        return ""
    return token.doc[words[0].i : words[-1].i + 1].text.strip(" ,;:") if _contiguous(words) else " ".join(t.text for t in words)


def _contiguous(words: list[Token]) -> bool:
    return words[-1].i - words[0].i + 1 == len(words)


def _head_words(token: Token) -> str:
    """A noun with the words before it that describe it: "the Chinese businessman"."""
    left = [c for c in token.lefts if c.dep_ in _MODIFIERS]
    start = min([token.i, *(t.i for c in left for t in c.subtree)])
    return token.doc[start : token.i + 1].text


def description(name: Span) -> str | None:
    """What the sentence says the named person is, or None."""
    root = name.root
    inside = {t.i for t in name}
    appositions = [c for c in root.children if c.dep_ == "appos"]
    if appositions:
        return _phrase(appositions[0], inside)
    chain = apposition_heads(root)
    if chain:
        return ", ".join(_head_words(head) for head in reversed(chain))
    titles = [t for t in root.lefts if t.dep_ in ("compound", "nmod") and t.i < name.start and t.pos_ in ("NOUN", "PROPN")]
    if titles:
        start = min(t.i for title in titles for t in title.subtree)
        return name.doc[start : name.start].text
    who = next((c for c in root.children if c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.lefts)), None)
    if who is not None:  # "Pia Oberoi, who authored the report"
        return f"{name.text}, {_phrase(who, set())}"
    if root.dep_ == "nsubj" and root.head.lemma_ == "be":
        attribute = next((c for c in root.head.children if c.dep_ == "attr"), None)
        if attribute is not None:
            return _phrase(attribute, inside)
    return None


class DescriptionExtractor:
    answer_types = frozenset({AnswerType.DESCRIPTION})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        naming: list[SentenceCandidate] = []
        for candidate in near_top(candidates, 0.3, limit=10):
            if not anchored(analysis, candidate) or not all(mentions(candidate.text, n) for n in analysis.required):
                continue
            naming.append(candidate)
            doc = parse([candidate.text])[0]
            for ent in [*doc.ents, *unlabelled_people(doc)]:
                if ent.label_ != "PERSON" or not any(mentions(ent.text, n) for n in analysis.required):
                    continue
                described = description(ent)
                if described:
                    return Reading(cited(described, [candidate.passage_no]), AnswerType.DESCRIPTION)
        if not naming or naming[0].reads_as_heading():
            return None
        return Reading(cited(naming[0].text, [naming[0].passage_no]), AnswerType.DESCRIPTION, typed=False)

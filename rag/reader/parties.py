"""Whether a sentence is about another person or organisation than the one a question asks about.

The issue's rule for figures ("how many are held at compound X" is not answered by compound Y's
figure) holds for people and organisations too: "the Ming family" is not answered by a sentence
about Bai Yingcang, though the article names the Ming family elsewhere.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis
from rag.text_features import mentions

# Types whose answer is itself another person or organisation, or is about the articles.
ANSWERS_ARE_PARTIES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.METADATA})
# Words that name a kind of body, not which one: "the Ming *family*", "Amnesty *International*".
GENERIC_NAME_WORDS = frozenset(
    {"group", "international", "force", "forces", "department", "office", "company", "family", "court", "police",
     "army", "ministry", "bank", "government", "agency", "council", "committee", "national", "people", "united"}
)


def _name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][\w'-]*", name) if w.lower() not in GENERIC_NAME_WORDS and len(w) > 2]


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _names_party(candidate: SentenceCandidate, name: str) -> bool:
    """The sentence, the one before or the title names the party: in full, by a distinctive word
    ("Amnesty" for Amnesty International) or by its initials ("BGF")."""
    acronym = _acronym(name)
    context = f"{candidate.text} {candidate.previous} {candidate.passage.title}"
    return (
        candidate.about(name)
        or any(candidate.about(w) for w in _name_words(name))
        or (len(acronym) > 1 and re.search(rf"\b{acronym}\b", context) is not None)
    )


def about_another_party(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The question asks about a person or organisation ("the Ming family") that neither the
    sentence, the one before it nor the article's title names, and they name another of the same
    kind ("Bai Yingcang"): the sentence's figure, date or account is the other's. The passage
    naming the asked one elsewhere is not enough. (Not for questions whose answer is a person or
    organisation: that one is another by design.)"""
    if analysis.answer_type in ANSWERS_ARE_PARTIES:
        return False
    missing = [(n, label) for n, label in analysis.parties if not _names_party(candidate, n) and not candidate.names_source(n)]
    if not missing:
        return False
    asked_words = {w.lower() for n in analysis.required for w in n.split()}
    if any(_another_of_the_kind(analysis.text, n, candidate, asked_words) for n, _ in missing):
        return True
    return any(
        e.label_ == label and not {w.lower() for w in e.text.split()} & asked_words and e.text != _acronym(n)
        for n, label in missing
        for e in [*parse([candidate.text])[0].ents, *(parse([candidate.previous])[0].ents if candidate.previous else ())]
    )


def _another_of_the_kind(question: str, name: str, candidate: SentenceCandidate, asked_words: set[str]) -> bool:
    """The question names the party with the noun of its kind ("the Ming *family*") and the
    sentence, the one before or the article's title names another one with that noun ("the Bai
    family"): whatever label the small model gives either name."""
    kind = re.search(rf"\b{re.escape(name)}\s+([a-z]+)\b", question)
    if kind is None or kind.group(1) in ("and", "or", "of", "in", "on", "at", "to", "for", "is", "was", "has", "had"):
        return False
    context = f"{candidate.text} {candidate.previous} {candidate.passage.title}"
    others = re.findall(rf"\b([A-Z][\w'-]*)\s+{re.escape(kind.group(1))}\b", context)
    return any(o.lower() not in asked_words and o.lower() not in ("the", "a", "an", "this", "that") for o in others)


_QUALIFYING = frozenset({"amod", "compound", "poss", "nmod"})
_OF_A_PLACE = frozenset({"NORP", "GPE", "LOC", "ORG"})


def _qualifiers(body: Token) -> list[str]:
    """Whose body this is, as the sentence says it: "*Cambodian* police", "*Aichi* police",
    "*Thailand's* army", "*Thai and Lao* police" (the small parser may attach the nationality to
    the word after, so the word right before counts too)."""
    doc = body.doc
    marks = [c for c in body.children if c.dep_ in _QUALIFYING and (c.ent_type_ in _OF_A_PLACE or c.pos_ == "PROPN")]
    if body.i > 0 and doc[body.i - 1].ent_type_ in ("NORP", "GPE"):
        marks.append(doc[body.i - 1])
    return [t.text for mark in marks for t in (mark, *mark.conjuncts)]


def by_another_actor(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> bool:
    """The question asks what one country's body did ("did the *Thai police* arrest") and every such
    body the sentence names is another's ("*Cambodian* police ... detained 29 Japanese"): the act,
    and its figure or date, are theirs. A body the sentence leaves unqualified ("police said") may
    be the asked one."""
    if not analysis.actors:
        return False
    doc = parse([candidate.text])[0]
    # A country that is the subject of the sentence's act ("*Cambodia* says it has arrested ...").
    acting_countries = [t.text for t in doc if t.dep_ == "nsubj" and t.ent_type_ in ("GPE", "NORP")]
    for nationality, noun in analysis.actors:
        owners = [_qualifiers(t) for t in doc if t.lemma_.lower() == noun]
        named = [o for found in owners for o in found]
        if any(same_country(o, nationality) for o in named):
            continue
        if (owners and all(owners)) or any(not same_country(c, nationality) for c in acting_countries):
            return True
    return False


def same_country(name: str, nationality: str) -> bool:
    """ "Thailand's" and "Thai", "Cambodian" and "Cambodia": one names the other at a word start."""
    return mentions(name, nationality) or mentions(nationality, name)

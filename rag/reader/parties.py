"""Whether a sentence is about another person or organisation than the one a question asks about.

The rule for figures ("how many are held at compound X" is not answered by compound Y's
figure) holds for people and organisations too: "the Ming family" is not answered by a sentence
about Bai Yingcang, though the article names the Ming family elsewhere.
"""

from __future__ import annotations

import re

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis

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
    return any(
        e.label_ == label and not {w.lower() for w in e.text.split()} & asked_words and e.text != _acronym(n)
        for n, label in missing
        for e in [*parse([candidate.text])[0].ents, *(parse([candidate.previous])[0].ents if candidate.previous else ())]
    )

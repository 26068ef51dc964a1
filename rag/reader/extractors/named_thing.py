"""Names of things: "what is it called", "which law", "the name of the compound".

A quoted name or a proper-noun entity (law, work, facility, product, organisation, event) that
the question does not already name; one after "called", "named" or "known as" ranks first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate
from rag.reader.compose import cited
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.nlp import parse
from rag.reader.question import QuestionAnalysis
from rag.types import Passage

_LABELS = frozenset({"LAW", "WORK_OF_ART", "FAC", "PRODUCT", "ORG", "EVENT", "GPE", "NORP"})
# Double quotes, or single quotes that stand at word edges (not apostrophes: "victim's ... Park's").
# Markdown emphasis (*Title*, _Title_) marks a title as quotes do.
_QUOTED = re.compile(
    r"[“\"]([^”\"]{3,80})[”\"]|(?<!\w)[‘']([^’']{3,80})[’'](?!\w)|(?<![\w*])[*_]{1,2}([^*_]{3,160}?)[*_]{1,2}(?![\w*])"
)
NAMED_AFTER_BONUS = 0.2  # a name right after the asked noun, as after "called"
APPOSITION_BONUS = 0.15  # a name set beside the asked noun ("X, a compound in ...") is a name of one
_NAMING = re.compile(r"\b(called|named|known as|dubbed|titled|entitled|termed)\s*(the |a |an )?[,:]?\s*$", re.I)


def named_noun(analysis: QuestionAnalysis) -> str | None:
    """The kind of thing whose name is asked: "which *law*", "the name of the Kokang *compound*"."""
    if analysis.focus and analysis.focus != "name":
        return analysis.focus
    doc = parse([analysis.text])[0]
    for token in doc:
        if token.lemma_.lower() == "name":
            of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if noun is not None and noun.pos_ == "NOUN":
                return noun.lemma_.lower()
    return None


_NAME_PARTS = frozenset({"compound", "amod", "nmod"})


def _appositive_names(doc: Doc, noun: str | None) -> list[str]:
    """Proper names the parse sets in apposition to the asked noun ("*Crouching Tiger Villa*, a
    compound in ..."): the proper noun with its compound words."""
    names = []
    for token in doc:
        if not noun or token.lemma_.lower() != noun or token.dep_ != "appos" or token.head.pos_ != "PROPN":
            continue
        head = token.head
        start = head.i  # back over the capitalised words of the name ("Crouching", which may parse as a verb)
        while start > 0 and doc[start - 1].head == head and doc[start - 1].is_title and doc[start - 1].dep_ in _NAME_PARTS:
            start -= 1
        names.append(doc[start : head.i + 1].text)
    return names


def _names_after_the_noun(doc: Doc, analysis: QuestionAnalysis) -> list[str]:
    """A name right after the asked noun: "under the stage *name* Xingxing", "the *operation*
    Liberterra III": capitalised words (and a number in them) that follow it."""
    noun = analysis.focus or named_noun(analysis)
    names: list[str] = []
    if not noun:
        return names
    for token in doc:
        if token.lemma_.lower() != noun:
            continue
        end = token.i + 1
        while end < len(doc) and (doc[end].is_title or doc[end].is_upper or (doc[end].like_num and end > token.i + 1)) and not doc[end].is_punct:
            end += 1
        if end > token.i + 1:
            names.append(doc[token.i + 1 : end].text)
    return names


def _names(analysis: QuestionAnalysis, candidate: SentenceCandidate) -> list[tuple[float, str]]:
    text = candidate.text
    noun = named_noun(analysis)
    found: list[tuple[float, str]] = []
    for match in _QUOTED.finditer(text):
        name = (match.group(1) or match.group(2) or match.group(3)).strip(" ,.")
        if len(name.split()) <= (20 if match.group(3) else 10) and not in_question(analysis, name):
            bonus = 0.2 if _NAMING.search(text[: match.start()]) else 0.1
            found.append((bonus, name))
    doc = parse([text])[0]
    for name in _names_after_the_noun(doc, analysis):  # "the stage name Xingxing": named as the asked noun
        if not in_question(analysis, name):
            found.append((NAMED_AFTER_BONUS, name))
    for name in _appositive_names(doc, noun):  # "Crouching Tiger Villa, a compound": whatever the recogniser saw
        if not in_question(analysis, name):
            found.append((APPOSITION_BONUS, name))
    for ent in doc.ents:
        if ent.label_ in _LABELS and not in_question(analysis, ent):
            bonus = 0.15 if _NAMING.search(text[: ent.start_char]) else (0.05 if ent.label_ in ("LAW", "WORK_OF_ART", "FAC") else 0.0)
            found.append((bonus, ent.text.strip(" ,.")))
    return found


class NamedThingExtractor:
    answer_types = frozenset({AnswerType.NAMED_THING})

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        best: tuple[float, str, int] | None = None
        for rank, candidate in enumerate(near_top(candidates, 0.15, limit=8)):
            if not anchored(analysis, candidate):
                continue
            for bonus, name in _names(analysis, candidate):
                score = candidate.score + bonus - 0.02 * rank
                if best is None or score > best[0]:
                    best = (score, name, candidate.passage_no)
        if best is None:
            return None
        return Reading(cited(best[1], [best[2]]), AnswerType.NAMED_THING)

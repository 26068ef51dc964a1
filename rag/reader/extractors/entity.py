"""Names: a person, an organisation or a place, found by spaCy's entity recogniser.

The entity must not be one the question already names; near the asked noun ("spokesman X",
"X, the chairman") it ranks higher. The answer is the name, cited where it is found. For a place
the extractor says whether a best sentence names or describes one; the span model reads which
(`span_reading.py`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from rag.reader.answer_types import AnswerType
from rag.reader.candidates import SentenceCandidate, squash
from rag.reader.compose import cited, join_items
from rag.reader.extractors.base import Reading, anchored, in_question, near_top
from rag.reader.nlp import apposition_heads, parse
from rag.reader.question import PERSON_NOUNS, QuestionAnalysis
from rag.support import passage_sentences
from rag.types import Passage

LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.PERSON: frozenset({"PERSON"}),
    AnswerType.ORGANISATION: frozenset({"ORG"}),
    AnswerType.PLACE: frozenset({"GPE", "LOC", "FAC"}),
}
RELAXED_ROLE_COVERAGE = 0.3  # share of the question's key terms a sentence must have to name a role by another word
_NEAR = 4  # tokens between an entity and the asked noun for it to count as "near"


def _near_focus(ent: Span, analysis: QuestionAnalysis) -> bool:
    noun = analysis.role or analysis.focus
    if not noun:
        return False
    doc = ent.doc
    window = doc[max(0, ent.start - _NEAR) : min(len(doc), ent.end + _NEAR)]
    if any(t.lemma_.lower() == noun for t in window) or noun in ent.text.lower():
        return True
    # In apposition, however long: "Agnes Callamard, Amnesty's Secretary General".
    appositions = [t for t in ent.root.children if t.dep_ == "appos"]
    if ent.root.dep_ == "appos":
        appositions.append(ent.root.head)
    if any(c.lemma_.lower() == noun for t in appositions for c in t.subtree):
        return True
    # Up a chain of appositions: "Its *chairman*, the Chinese businessman Zhao Wei".
    return any(head.lemma_.lower() == noun for head in apposition_heads(ent.root))


def _titled_or_acting(ent: Span, analysis: QuestionAnalysis) -> bool:
    """The person carries some title in the sentence ("Wijayanthi Edirisinghe, Sri Lanka's
    *ambassador*", "*spokesman* Naing Maung Zaw") or does the asked act ("said Benedikt Hofmann")."""
    root = ent.root
    titles = [*_beside(root), *apposition_heads(root)]
    if any(t.lemma_.lower() in PERSON_NOUNS for t in titles):
        return True
    if root.dep_ != "nsubj" or root.head.pos_ not in ("VERB", "AUX"):
        return _does_the_asked_act(ent, analysis)
    # The subject of the question's verb, light ones too ("which official *said* ...": "said Hofmann").
    return any(t.pos_ in ("VERB", "AUX") and t.lemma_ == root.head.lemma_ for t in parse([analysis.text])[0])


def kind_words(question: str, focus: str | None) -> set[str]:
    """The words that say which kind of the asked noun: "which *analytics* company", "which *rights* group"."""
    if not focus:
        return set()
    return {
        c.lemma_.lower()
        for t in parse([question])[0]
        if t.lemma_.lower() == focus
        for c in t.children
        if c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ") and len(c.text) > 3
    }


def described_as(name: str, kinds: set[str], texts: Sequence[str]) -> bool:
    """Some text describes `name` with one of the words for its kind, just before or after it:
    "the blockchain *analytics* firm Elliptic", "Elliptic, an *analytics* firm"."""
    escaped = re.escape(name.lower())
    patterns = [
        rf"\b{re.escape(k)}\w*\W+(?:\w+\W+){{0,2}}{escaped}|{escaped}\W+(?:\w+\W+){{0,4}}{re.escape(k)}" for k in kinds
    ]
    return any(re.search(p, text.lower()) for text in texts for p in patterns)


def _does_the_asked_act(ent: Span, analysis: QuestionAnalysis) -> bool:
    """The name is who does what the question asks about: subject of a verb the question uses
    ("Oberoi *authored*"), the name a relative clause with that verb describes ("Oberoi, who
    authored the report"), or the agent of it ("the report, *written by* ...")."""
    root = ent.root

    def asked(verb: Token) -> bool:
        return verb.pos_ in ("VERB", "AUX") and analysis.uses(verb.text)

    if root.dep_ in ("nsubj", "nsubjpass") and asked(root.head):
        return root.dep_ == "nsubj"
    if any(child.dep_ == "relcl" and asked(child) for child in root.children):
        return True
    return root.dep_ == "pobj" and root.head.dep_ == "agent" and asked(root.head.head)


_NAME_LINKS = frozenset({"to", "for", "of", "on", "against"})


def _extended(ent: Span) -> Span:
    """An organisation's or facility's whole name where the recogniser stopped at a linking word:
    "National Committee [to Combat Human Trafficking]", "Office [of the High Commissioner for Human Rights]"."""
    if ent.label_ not in ("ORG", "FAC"):
        return ent
    doc, end = ent.doc, ent.end
    while end + 1 < len(doc) and doc[end].lower_ in _NAME_LINKS:
        i = end + 1
        if doc[i].lower_ == "the" and i + 1 < len(doc):
            i += 1
        run = i
        while run < len(doc) and doc[run].is_title and not doc[run].is_sent_start:
            run += 1
        if run == i:
            break
        end = run
    return doc[ent.start : end]


def _clean(ent: Span) -> str:
    text = _extended(ent).text.strip(" ,;:'\"“”‘’")
    return text[4:] if text.lower().startswith("the ") and ent.label_ in ("GPE", "LOC") else text


def _full_name(name: str, candidate: SentenceCandidate) -> str:
    """A surname ("Oberoi") as the passage names the person in full ("Pia Oberoi")."""
    if " " in name:
        return name
    fuller = [
        e.text
        for text, _, _ in passage_sentences(candidate.passage)
        for e in parse([squash(text)])[0].ents
        if e.label_ == "PERSON" and e.text.endswith(f" {name}")
    ]
    return min(fuller, key=len) if fuller else name


def _listed_with(ent: Span, labels: frozenset[str]) -> list[str]:
    """The run of entities of the same kind listed with this one ("A, B, C and D"), however the
    parser attached them: only commas and "and"/"or" between them."""
    same = [e for e in ent.doc.ents if e.label_ in labels]
    at = next((i for i, e in enumerate(same) if e.start == ent.start), None)
    if at is None:
        return [_clean(ent)]

    def joined(left: Span, right: Span) -> bool:
        return all(t.is_punct or t.lower_ in ("and", "or") for t in ent.doc[left.end : right.start])

    start = at
    while start > 0 and joined(same[start - 1], same[start]):
        start -= 1
    end = at
    while end + 1 < len(same) and joined(same[end], same[end + 1]):
        end += 1
    names: list[str] = []
    for i in range(start, end + 1):
        if i > start and same[i].start == same[i - 1].end:  # "Rachelle" + "Malonzo Carreon": one name split in two
            names[-1] = f"{names[-1]} {_clean(same[i])}"
        else:
            names.append(_clean(same[i]))
    return names


def _name_span(doc: Doc, token: Token) -> Span:
    """The proper-noun name `token` heads, with its compound parts ("Pia" in "Pia Oberoi")."""
    start = min([token.i, *(c.i for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN")])
    return Span(doc, start, token.i + 1, label="PERSON")


def _person_role(token: Token) -> bool:
    """A person noun stands in apposition to the name ("Pia Oberoi, a senior *adviser*") or as the
    title before it ("*spokesman* Naing Maung Zaw")."""
    return any(t.lemma_.lower() in PERSON_NOUNS for t in _beside(token))


def _beside(token: Token) -> list[Token]:
    """The common nouns set beside a name: in apposition either way, or as a compound before it."""
    beside = [c for c in token.children if c.dep_ in ("appos", "compound") and c.pos_ == "NOUN"]
    if token.dep_ == "appos" and token.head.pos_ == "NOUN":
        beside.append(token.head)
    return beside


def unlabelled_people(doc: Doc) -> list[Span]:
    """Names the recogniser missed or took for a place or a thing that the sentence marks as people:
    "Oberoi, *who* authored the report"; "written by Pia Oberoi, a senior *adviser*" (the small
    English model labels many Asian names GPE, or nothing)."""
    found = []
    for token in doc:
        if token.pos_ != "PROPN" or token.ent_type_ in ("PERSON", "ORG", "NORP", "DATE"):
            continue
        if token.dep_ == "compound" and token.head.pos_ == "PROPN":
            continue  # a first name: the family name heads the span
        who = any(
            c.dep_ == "relcl" and any(w.lower_ == "who" and w.dep_ == "nsubj" for w in c.children)
            for c in token.children
        )
        span = _name_span(doc, token)
        if (who and not token.ent_type_) or (len(span) >= 2 and _person_role(token)):
            found.append(span)
    return found


def ranked_entities(
    analysis: QuestionAnalysis,
    candidates: Sequence[SentenceCandidate],
    labels: frozenset[str],
    strict_role: bool = True,
) -> list[tuple[float, str, SentenceCandidate, Span]]:
    """(score, name, candidate, span) of the entities of `labels` in the best anchored sentences, best
    first. A person asked by role ("which envoy") is one named near that role; with `strict_role`
    off, one named with another title ("Sri Lanka's *ambassador*") or who does the asked act will do."""
    found = []
    # "which analytics company": a name some retrieved sentence describes as one ranks higher.
    kinds = kind_words(analysis.text, analysis.focus)
    texts = [c.text for c in candidates]
    for rank, candidate in enumerate(near_top(candidates, 0.2, limit=10)):
        if not anchored(analysis, candidate):
            continue
        doc = parse([candidate.text])[0]
        for ent in [*doc.ents, *(unlabelled_people(doc) if "PERSON" in labels else [])]:
            if ent.label_ not in labels or in_question(analysis, ent) or len(ent.text) < 2:
                continue
            near = _near_focus(ent, analysis)
            # "which spokesman", "the name of the leader": a person named near that role; or, not
            # strictly, a titled or acting person in a sentence that says much else of the question.
            relaxed = (
                not strict_role and candidate.coverage >= RELAXED_ROLE_COVERAGE and _titled_or_acting(ent, analysis)
            )
            if analysis.role and labels == {"PERSON"} and not near and not relaxed:
                continue
            score = candidate.score - 0.01 * rank
            score += 0.1 if near else 0.0
            score += 0.1 if analysis.focus and analysis.focus in ent.text.lower() else 0.0
            score += 0.15 if kinds and described_as(ent.text, kinds, texts) else 0.0
            score += 0.15 if labels != LABELS[AnswerType.PLACE] and _does_the_asked_act(ent, analysis) else 0.0
            found.append((score, _clean(ent), candidate, ent))
    return sorted(found, key=lambda item: -item[0])


def actor_phrase(analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate]) -> tuple[str, int] | None:
    """For "who <verb>s ...?" when no name answers: the noun phrase that does the asked act in the
    best sentences ("This impunity is sustained *by “state-embedded actors”*"), and its passage."""
    for candidate in near_top(candidates, 0.2, limit=10):
        if not anchored(analysis, candidate):
            continue
        for chunk in parse([candidate.text])[0].noun_chunks:
            if chunk.root.pos_ == "PRON" or in_question(analysis, chunk):
                continue
            if _does_the_asked_act(chunk, analysis):
                return chunk.text.strip(" “”\"'‘’"), candidate.passage_no
    return None


# Organisation nouns that name a kind of body: the answer must be one ("which court", "which ministry").
KINDS_OF_BODY = frozenset(
    {
        "court",
        "ministry",
        "department",
        "office",
        "agency",
        "bank",
        "committee",
        "commission",
        "council",
        "bureau",
        "regulator",
        "unit",
    }
)


def _is_the_asked_body(ent: Span, analysis: QuestionAnalysis) -> bool:
    return _near_focus(ent, analysis) or _does_the_asked_act(ent, analysis)


class EntityExtractor:
    answer_types = frozenset(LABELS)

    def extract(
        self, analysis: QuestionAnalysis, candidates: Sequence[SentenceCandidate], passages: Sequence[Passage]
    ) -> Reading | None:
        labels = LABELS[analysis.answer_type]
        found = ranked_entities(analysis, candidates, labels)
        if not found and analysis.answer_type is AnswerType.PERSON and analysis.role:
            # The sentences call the role by another word ("envoy" / "ambassador", "official" / "representative").
            found = ranked_entities(analysis, candidates, labels, strict_role=False)
        if not found and analysis.answer_type is AnswerType.PERSON and analysis.role is None:
            actor = actor_phrase(analysis, candidates)
            return Reading(cited(actor[0], [actor[1]]), AnswerType.PERSON) if actor else None
        if analysis.answer_type is AnswerType.ORGANISATION and analysis.focus in KINDS_OF_BODY:
            # "Which *court* ...": an organisation named as that kind of body, or doing the asked act;
            # any other name in the sentence ("Prince Group") is not one.
            found = [f for f in found if _is_the_asked_body(f[3], analysis)]
        if not found:
            return None
        _, name, candidate, span = found[0]
        if analysis.answer_type is AnswerType.PERSON:
            name = _full_name(name, candidate)
            together = _listed_with(span, labels)
            if len(together) > 1 and analysis.role is None:
                # "Who did the court find guilty?": every person the sentence lists with the first.
                name = join_items([_full_name(n, candidate) for n in together])
        where = [c.passage_no for _, n, c, _ in found if n == found[0][1]][:3]
        return Reading(cited(name, where), analysis.answer_type)

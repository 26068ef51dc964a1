"""Question analysis: the answer type, the asked noun, and the names the answer must be about.

The answer type comes from the question's wh-phrase (a short, documented table of patterns);
the asked noun ("how many *terminals*", "which *department*") from spaCy's dependency parse."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from spacy.tokens import Doc, Token

from rag.reader.answer_types import AnswerType
from rag.reader.nlp import parse
from rag.text_features import YEAR, content_terms, entities, numbers

# Nouns that name people: "how many *victims*", "which *official*".
PERSON_NOUNS = frozenset(
    ["people", "person", "individual", "victim", "worker", "migrant", "foreigner", "national", "citizen", "survivor", "man", "woman", "child", "adult", "student", "labourer", "laborer", "employee", "hostage", "captive", "detainee", "suspect", "member", "resident", "refugee", "official", "spokesman", "spokesperson", "spokeswoman", "minister", "senator", "president", "leader", "head", "chief", "director", "commissioner", "advisor", "adviser", "secretary", "general", "founder", "chairman", "owner", "boss", "prosecutor", "judge", "author", "writer", "journalist", "reporter", "researcher", "expert", "officer", "agent", "envoy", "ambassador", "defendant", "accused", "convict", "prisoner", "trafficker", "kingpin", "associate", "lawmaker", "activist"]
)
ORGANISATION_NOUNS = frozenset(
    ["office", "agency", "body", "department", "organisation", "organization", "group", "company", "court", "ministry", "unit", "firm", "bank", "committee", "government", "authority", "institution", "ngo", "charity", "union", "network", "syndicate", "militia", "force", "army", "police", "regulator", "watchdog", "commission", "council", "bureau", "administration", "outlet", "newspaper", "airline", "carrier", "exchange", "broadcaster", "university", "gang", "cartel", "tribunal", "insurer", "lender", "operator", "conglomerate"]
)
PLACE_NOUNS = frozenset(
    ["country", "countries", "city", "town", "village", "province", "state", "region", "district", "area", "place", "border", "township", "island", "capital", "port", "airport", "site", "location", "part", "base", "camp", "zone", "prefecture", "municipality", "county", "exclave", "enclave"]
)
NAMED_NOUNS = frozenset(
    ["name", "law", "act", "provision", "section", "protocol", "programme", "program", "operation", "scheme", "platform", "app", "application", "compound", "park", "casino", "hub", "desk", "term", "word", "phrase", "title", "campaign", "project", "convention", "treaty", "policy", "rule", "code", "order", "sanction", "resolution", "report"]
)
MONEY_NOUNS = frozenset(
    ["sum", "price", "fee", "fine", "ransom", "reward", "bail", "compensation", "cost", "revenue", "salary", "wage",
     "budget", "profit", "proceeds", "payment"]
)
MEASURE_NOUNS = frozenset(
    ["acre", "hectare", "kilometre", "kilometer", "km", "mile", "metre", "meter", "square", "foot", "feet", "building", "structure", "floor", "room", "hour", "day", "week", "month", "year", "minute", "storey", "story"]
)

_METADATA = re.compile(
    r"\bwho (wrote|authored|penned)\b.*\b(article|story|piece|post|report by|blog)\b"
    r"|\b(author|byline) of\b.*\b(article|story|piece|post)\b"
    r"|\b(which|what) (outlet|publication|newspaper|site|website|media|news ?site)s? (published|ran|posted|carried|reported)\b"
    r"|\b(when|what date|what day) (was|were) (the|this|that) [\w\s-]*?(article|story|piece|post)s?\b.*\b(published|posted|written|released)\b"
    r"|\b(which|what) (articles?|sources?|stories|pieces)\b",
    re.I,
)
_TYPE_PATTERNS: list[tuple[AnswerType, str]] = [
    (AnswerType.QUOTE, r"\bwhat did [\w.\s'-]+? (say|call|tell|describe|warn|write|compare)\b|\bhow did [\w.\s'-]+? describe\b"),
    (
        AnswerType.TREND,
        r"^\W*(has|have|is|are|was|were|did|how (has|have|did|does|do|is|are))\b.*"
        r"\b(chang\w*|grow\w*|grew|increas\w*|decreas\w*|ris\w*|rose|fall\w*|fell|develop\w*|evolv\w*)\b"
        r"|\bover time\b|\btrend\b",
    ),
    (
        AnswerType.SHARE,
        r"\bwhat (share|percentage|proportion|fraction|part|per ?cent)\b|\bhow many per ?cent\b"
        r"|\bin percentage terms\b|\bby what (percentage|share|proportion)\b",
    ),
    (
        AnswerType.MONEY,
        r"\bhow much\b|\bwhat (sum|salary|price|fee|fines?|ransom|reward|bail|compensation|value)\b|\bwhat amount\b.*\b(money|paid|spent|worth|cost|earn\w*|bought|sold|fine|revenue|valued)\b"
        r"|\b(how|what) (big|large)\b.*\b(revenue|profits?|turnover|sum)\b"
        r"|^\W*what (is|was|are|were) the [\w\s-]*\b(revenue|worth|cost|value|price|salary|turnover)\b",
    ),
    (
        AnswerType.COUNT,
        r"\bhow (many|large|big|long|far|high|tall|wide|old)\b|\bwhat (number|size|area)\b"
        r"|^\W*what (is|was|are|were) the [\w\s-]*\b(number|total|count|head ?count) of\b",
    ),
    (AnswerType.DATE, r"\bwhen\b|\b(what|which) (year|date|day|month|week|time)\b|\bon what day\b"),
    (AnswerType.PLACE, r"\bwhere\b|\bfrom which (countr|cit|region)"),
    (AnswerType.PERSON, r"^\W*who\b|\bwho (is|was|are|were|said|wrote|leads?|led|heads?|ran|runs|founded)\b"),
    (AnswerType.NAMED_THING, r"\bwhat (is|was|are|were) (the )?name\b|\bcalled\b|\bknown as\b|\bnamed\b"),
    (AnswerType.DEFINITION, r"^\W*what (is|are|was|were) (a |an |the )?[\w' -]{2,40}\?*\s*$|\bwhat does [\w' -]+ mean\b"),
    (AnswerType.REASON, r"^\W*(why|how)\b|\bwhat (happens|happened|caused|led to|drove|is the reason)\b|\bfor what reason\b"),
]


_ATTRIBUTION = re.compile(r",?\s*\baccording to [^,?]+", re.I)


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    answer_type: AnswerType
    focus: str | None  # lemma of the asked noun: "people", "terminal", "department"
    required: tuple[str, ...]  # names and years the answer must be about
    terms: frozenset[str]  # stemmed content words
    plural_focus: bool = False  # "which countries": several answers wanted
    source_names: tuple[str, ...] = ()  # names of who reports it ("according to JURIST"), not of the scope
    scope_names: tuple[str, ...] = ()  # names that set where or when: places, years, "held at <name>"
    place_names: tuple[str, ...] = ()  # the names that spaCy tags as places, whole
    loose_names: tuple[str, ...] = ()  # scope names of a time: the passage must name them
    ranking_text: str = ""  # what sentences are ranked against, when not the question ("according to X" left out)
    attributed_to: tuple[str, ...] = ()  # names in "according to X": the outlet or author asked about
    figures: frozenset[float] = frozenset()  # numbers named in the question, years aside ("the group of *53*")
    parties: tuple[tuple[str, str], ...] = ()  # (name, PERSON or ORG) the question asks about ("the *Ming* family")
    asked_act: str | None = None  # verb lemma of a count or date question: "how many were *murdered*", "when did they *close*"
    asked_verb: str | None = None  # stemmed main verb of a how-question: "how did he *die*"
    counted_kind: str | None = None  # a nationality qualifying the counted noun: "how many *Vietnamese* nationals"

    def uses(self, text: str) -> bool:
        """`text` has one of the question's key terms (stemmed: "authored" for "author")."""
        return bool(content_terms(text) & self.terms)

    def without_attribution(self) -> QuestionAnalysis:
        """The analysis with "according to X" left out of what sentences are ranked against: for when
        X is the outlet or author of the articles read, so the words name no answer sentence."""
        text = self.ranking_text or self.text
        attribution = _ATTRIBUTION.search(text)
        if attribution is None:
            return self
        kept = (text[: attribution.start()] + text[attribution.end() :]).strip(" ,")
        kept = kept[:1].upper() + kept[1:]
        return replace(self, ranking_text=kept, terms=self.terms - frozenset(content_terms(attribution.group(0))))

    @property
    def role(self) -> str | None:
        """The person noun asked about: "which *spokesman*", "the name of the *leader*", "who is the *chairman*"."""
        if self.focus in PERSON_NOUNS:
            return self.focus
        match = re.search(r"\b(?:name of|who (?:is|was|are|were)) (?:the |a |an )?(?:[\w'-]+ ){0,3}?(\w+)\b(?: of| who| that|\?|$)", self.text.lower())
        return match.group(1) if match and match.group(1) in PERSON_NOUNS else None

    @property
    def wants_people(self) -> bool:
        """The asked noun names people ("victims"), is missing, or is a misspelt person noun ("peopel")."""
        if self.focus is None or self.focus in PERSON_NOUNS:
            return True
        return any(SequenceMatcher(None, self.focus, noun).ratio() >= 0.8 for noun in ("people", "person", "individual"))


def _focus(question: str) -> tuple[str | None, bool]:
    """The asked noun's lemma and whether it is plural: the noun that how-many/which/what modifies."""
    doc = parse([question])[0]
    for token in doc:
        if token.lower_ in ("which", "what") and token.i >= 2 and doc[token.i - 1].pos_ == "ADP":
            continue  # a relative "... called, *in which* workers build ...", not the asked noun
        # "in which city", "which places": the parse sometimes attaches the wh-word elsewhere.
        low = token.lower_
        if low in ("which", "what"):
            # The noun phrase after the wh-word, however it is parsed: "which analytics *company*",
            # "which legal *provision*", "which Bai family *defendants*", "which Chinese triad *group*".
            run = list(itertools.takewhile(_in_noun_phrase, doc[token.i + 1 :]))
            nouns = [t for t in run if t.pos_ == "NOUN"]
            if nouns and nouns[-1].i == run[-1].i:
                return nouns[-1].lemma_.lower(), nouns[-1].tag_ in ("NNS", "NNPS")
        if low in ("which", "what") and token.dep_ in ("det", "attr", "nsubj", "dobj", "pobj") and token.head.pos_ in ("NOUN", "PROPN"):
            head = token.head
            return head.lemma_.lower(), head.tag_ in ("NNS", "NNPS")
        if low in ("many", "much") and token.head.pos_ in ("NOUN", "PROPN") and token.head != token:
            return token.head.lemma_.lower(), token.head.tag_ in ("NNS", "NNPS")
    return None, False


def _in_noun_phrase(token: Token) -> bool:
    return token.pos_ in ("ADJ", "NOUN", "PROPN") or (token.dep_ in ("amod", "compound") and not token.is_punct)


def _wh_noun_type(focus: str | None, plural: bool) -> AnswerType | None:
    if focus is None:
        return None
    if focus in PLACE_NOUNS or focus in ("nationality", "region"):
        return AnswerType.LIST if plural else AnswerType.PLACE
    if focus in PERSON_NOUNS:
        return AnswerType.LIST if plural else AnswerType.PERSON
    if focus in ORGANISATION_NOUNS:
        return AnswerType.LIST if plural else AnswerType.ORGANISATION
    if focus in MONEY_NOUNS:
        return AnswerType.MONEY  # "what total *sum*", "which *fine*"
    if focus in ("kind", "type", "sort", "form"):
        return AnswerType.LIST
    if focus in NAMED_NOUNS:
        return AnswerType.LIST if plural else AnswerType.NAMED_THING
    return AnswerType.LIST if plural else None


_WHO_IS = re.compile(r"^\W*who (?:is|was) (.+?)\W*$", re.I)


def _names_a_person_only(question: str) -> bool:
    """ "Who is/was <name>?": the question is a person's name and nothing else."""
    match = _WHO_IS.match(question.strip())
    if match is None:
        return False
    rest = match.group(1).strip()
    doc = parse([question])[0]
    if any(e.label_ == "PERSON" and e.text.strip() == rest for e in doc.ents):
        return True
    # A name the recogniser missed ("Pia Oberoi"): capitalised words only, none of them in another kind of name.
    words = [t for t in doc if match.start(1) <= t.idx < match.end(1)]
    return len(words) >= 2 and all(t.is_title and not t.ent_type_ for t in words)


def classify(question: str, focus: str | None, plural: bool) -> AnswerType:
    lowered = question.lower().strip()
    if _METADATA.search(lowered):
        return AnswerType.METADATA
    if _names_a_person_only(question):
        return AnswerType.DESCRIPTION  # "Who is John Wojcik?"
    named = re.search(r"\bname of (?:the |a |an )?(?:[\w'-]+ ){0,3}?(\w+)\b(?: of| who| that|\?|$)", lowered)
    if named and named.group(1) in PERSON_NOUNS:
        return AnswerType.PERSON  # "the name of the leader of ..."
    for kind, pattern in _TYPE_PATTERNS[:6]:  # quote .. date: the wording decides
        if re.search(pattern, lowered):
            return kind
    if re.search(r"\b(prison|jail) (term|sentence)s?\b", lowered):
        return AnswerType.STATEMENT  # a punishment, told in a sentence; not the name of a term
    if re.match(r"^\W*(which|what)\b", lowered) or re.search(r"\b(which|what) \w+", lowered):
        by_noun = _wh_noun_type(focus, plural)
        if by_noun is not None and not re.match(r"^\W*(why|how)\b", lowered):
            return by_noun
    for kind, pattern in _TYPE_PATTERNS[6:]:
        if re.search(pattern, lowered):
            return kind
    if re.search(r"\blist\b|\bname (the|all|some)\b", lowered):
        return AnswerType.LIST
    return AnswerType.STATEMENT


_SOURCE_PHRASE = re.compile(
    r"\b(?i:according to) ([^,?]+)|\b(?:the|an?) ([\w\s.&-]+?) (?:report|article|story|piece|summary|briefing|statement)\b"
    r"|\b(?:reported|published|written) by ([^,?]+)|\bby ([A-Z][\w\s.&-]+?)(?:,|\?|$)",
)


def source_names(question: str, names: list[str]) -> tuple[str, ...]:
    """The question's names that say who reports the fact ("according to the UN", "the JURIST report")."""
    phrases = " ".join(g for m in _SOURCE_PHRASE.finditer(question) for g in m.groups() if g)
    return tuple(n for n in names if re.search(rf"\b{re.escape(n)}\b", phrases))


PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_SCOPE_LABELS = PLACE_LABELS | {"DATE", "NORP"}  # NORP: "Cambodian" centres
_SCOPE_PREPS = frozenset({"in", "at", "inside", "within", "across", "near", "from"})


def place_names(question: str, names: list[str]) -> tuple[str, ...]:
    """The names that are whole place entities ("Myanmar", "Cambodia"); not the words of a longer
    name ("Phop", "Phra" of "Phop Phra"), which together name one place."""
    doc = parse([question])[0]
    placed = {e.text for e in doc.ents if e.label_ in PLACE_LABELS}
    return tuple(n for n in names if n in placed)


def loose_names(question: str, names: list[str]) -> tuple[str, ...]:
    """Scope names of a time ("July", "2025"): an article states the time once for many sentences,
    so the passage must name it, not each sentence (a place or nationality stays with its sentence)."""
    doc = parse([question])[0]
    loose = {t.text for e in doc.ents if e.label_ == "DATE" for t in e}
    return tuple(n for n in names if n in loose or YEAR.fullmatch(n))


def scope_names(question: str, names: list[str]) -> tuple[str, ...]:
    """The names that set the answer's scope: places, dates and years, and names a place
    preposition governs ("held at <compound X>"); an answer must be about them in its own sentence."""
    doc = parse([question])[0]
    scoped = {t.i for e in doc.ents if e.label_ in _SCOPE_LABELS for t in e}
    for token in doc:
        if token.dep_ == "pobj" and token.head.lower_ in _SCOPE_PREPS and token.pos_ == "PROPN":
            scoped.update(t.i for t in token.subtree if t.pos_ == "PROPN")
        elif token.dep_ == "pobj" and token.head.lower_ in _SCOPE_PREPS and token.pos_ == "NOUN":
            # "in the *Poipet* raid": the name says which raid, as "in Poipet" would say where.
            scoped.update(t.i for c in token.children if c.dep_ == "compound" for t in c.subtree if t.pos_ == "PROPN")
    scoped -= _owner_words(doc)
    scoped_words = {doc[i].text for i in scoped}
    return tuple(n for n in names if n in scoped_words or YEAR.fullmatch(n))


def _owner_words(doc: Doc) -> set[int]:
    """A place that owns what is asked about ("*South Korea's* warning system", "*Cambodia's*
    ministry") names whose it is, not where the answer happens: the answer's article must name it
    (the reader checks passages), not its sentence. Only for what-is questions about a thing."""
    if not re.match(r"^\W*what (?:is|are|was|were|does|do)\b", doc.text, re.I):
        return set()
    found: set[int] = set()
    for token in doc:
        if token.dep_ == "poss" and token.pos_ == "PROPN":
            found |= {t.i for t in token.subtree if t.pos_ == "PROPN"}
    return found


def asked_figures(question: str) -> frozenset[float]:
    """Numbers the question names outside dates ("the first group of *53* people", not "November 19, 2025")."""
    doc = parse([question])[0]
    outside_dates = "".join(
        " " if any(e.start <= t.i < e.end and e.label_ in ("DATE", "TIME") for e in doc.ents) else t.text_with_ws
        for t in doc
    )
    return frozenset(n for n in numbers(outside_dates) if not (n.is_integer() and 1900 <= n <= 2100))


PARTY_LABELS = frozenset({"PERSON", "ORG"})


def parties(question: str, attribution: str) -> tuple[tuple[str, str], ...]:
    """The people and organisations the question asks about ("the *Ming* family": ("Ming", "PERSON")),
    not who reports it ("according to *JURIST*")."""
    doc = parse([question])[0]
    return tuple(
        (re.sub(r"^(the|a|an)\s+", "", e.text, flags=re.I), e.label_)
        for e in doc.ents
        if e.label_ in PARTY_LABELS and e.text not in attribution
    )


LIGHT_VERBS = frozenset({"be", "have", "do", "say", "happen", "make", "get", "take"})


def main_verb(question: str, nouns_too: bool = False) -> str | None:
    """The lemma of the question's root verb ("how many workers were *murdered*": murder), None
    for verbs that say little on their own ("how many are there", "how did it happen")."""
    root = next((t for t in parse([question])[0] if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in (("VERB", "NOUN") if nouns_too else ("VERB",)):
        return None
    lemma = root.lemma_.lower()
    return None if lemma in LIGHT_VERBS else lemma


def counted_kind(question: str, focus: str | None) -> str | None:
    """The nationality or group that qualifies the asked noun ("how many *Vietnamese* nationals"):
    a figure of other nationals, or of people in general, does not count them."""
    if focus is None:
        return None
    doc = parse([question])[0]
    for ent in doc.ents:
        if ent.label_ == "NORP" and ent.root.dep_ in ("amod", "compound") and ent.root.head.lemma_.lower() == focus:
            return ent.text
    return None


def asked_verb(question: str) -> str | None:
    """The stemmed main verb of a "how did/does/are ..." question ("how did he *die*", "how are
    victims *recruited*"): the answer tells how that was done. None for other questions and for
    verbs that say little on their own ("how did it happen")."""
    if not re.match(r"^\W*how (did|does|do|are|is|was|were|can|could|has|have)\b", question, re.I):
        return None
    # After "how did ..." the root is the verb even where the tagger calls it a noun ("Min-ho die").
    lemma = main_verb(question, nouns_too=True)
    stems = content_terms(lemma) if lemma else set()
    return next(iter(stems)) if stems else None


_WH = r"(?:who|whom|whose|which|what|when|where|why|how)\b"
_NEXT_QUESTION = re.compile(rf",?\s+and\s+(?={_WH})", re.I)


def question_parts(question: str) -> list[str]:
    """The questions a compound question asks ("Who said X, and which spokesman said Y?": two),
    each ending in a question mark; the question itself when it asks one thing."""
    if not re.match(rf"^\W*{_WH}", question, re.I):
        return [question]
    pieces = [p.strip(" ,?") for p in _NEXT_QUESTION.split(question)]
    if len(pieces) < 2 or any(len(p.split()) < 3 for p in pieces):
        return [question]
    return [f"{p[:1].upper()}{p[1:]}?" for p in pieces]


def analyse(question: str) -> QuestionAnalysis:
    focus, plural = _focus(question)
    kind = classify(question, focus, plural)
    names = [re.sub(r"['’]s$", "", n) for n in entities(question)]  # "Cambodia's" names Cambodia
    # "Huione Guarantee (Haowang)": a name in brackets is another name for the one before it, not one more to find.
    aliases = {n for inner in re.findall(r"\(([^)]*)\)", question) for n in entities(f"x {inner}")}
    # "rise in 2024 over 2023": the second year is the baseline, which sources often call "the year before".
    baselines = set(re.findall(r"\b(?:over|than|compared (?:with|to)|on)\s+((?:19|20)\d{2})\b", question)) if len(
        set(YEAR.findall(question))
    ) > 1 else set()
    names = [n for n in names if n not in aliases and n not in baselines]
    attribution = _ATTRIBUTION.search(question)
    return QuestionAnalysis(
        text=question,
        answer_type=kind,
        focus=focus,
        required=tuple(names),
        terms=frozenset(content_terms(question)),
        plural_focus=plural,
        source_names=source_names(question, names),
        scope_names=scope_names(question, names),
        place_names=place_names(question, names),
        loose_names=loose_names(question, names),
        attributed_to=tuple(n for n in names if attribution and n in attribution.group(0)),
        figures=asked_figures(question),
        parties=parties(question, attribution.group(0) if attribution else ""),
        asked_verb=asked_verb(question) if kind is AnswerType.REASON else None,
        asked_act=main_verb(question) if kind in (AnswerType.COUNT, AnswerType.DATE) else None,
        counted_kind=counted_kind(question, focus) if kind is AnswerType.COUNT else None,
    )

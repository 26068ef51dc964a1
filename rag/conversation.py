"""Follow-up questions: "and in Cambodia?" becomes a standalone question, using the history.

With an LLM (any callable prompt -> text, e.g. a generator's `complete`), the model rewrites the
question and the result is sanity-checked; without one, or when its output is unusable, simple
rules do it:

- ellipsis: a short question that starts with and / but / what about / how about / a preposition
  ("and in Cambodia?", "what about 2023?", "Laos?") puts its entity (or year) in place of the
  matching one in the previous question ("How many were trafficked to Myanmar?" ->
  "How many were trafficked to Cambodia?");
- pronouns: "there" -> "in <place>", "it" / "they" / "them" / "their" / "he" / "she" / "his" ->
  an entity of the previous question.

History is a list of (question, answer) pairs, oldest first; earlier follow-ups are resolved in
turn, so a chain of them works.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LLM = Callable[[str], str]
History = Sequence[tuple[str, str]]

MAX_HISTORY_TURNS = 6
LOCATION_PREPS = {"in", "to", "from", "at", "into", "inside", "across", "near", "within"}
PREPOSITIONS = LOCATION_PREPS | {"for", "on", "about", "with", "during", "by", "of", "after", "before"}
CONNECTIVE = re.compile(
    r"^(?:(?:and|but|also|or|so|then)\s+)?(?:(?:what|how)\s+about|what\s+of|same\s+for|and\s+for)\s+"
    r"|^(?:and|but|also|or)\s+",
    re.IGNORECASE,
)
WH_WORDS = {"what", "which", "who", "whom", "whose", "where", "when", "why", "how"}
AUX_WORDS = {
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "has",
    "have",
    "had",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
}
LEADING_NON_ENTITIES = (
    WH_WORDS
    | AUX_WORDS
    | {
        "i",
        "in",
        "on",
        "at",
        "the",
        "a",
        "an",
        "tell",
        "list",
        "give",
        "name",
        "describe",
        "explain",
        "according",
        "please",
    }
)
ENTITY = re.compile(r"(?<![\w'])[A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+|de\s+|and\s+)?[A-Z][\w'’.-]*)*")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
VERBISH = re.compile(
    r"\b(?:is|are|was|were|do|does|did|has|have|had|be|been|can|could|will|would|happen\w*|"
    r"\w+ed|\w+ing)\b",
    re.IGNORECASE,
)

REWRITE_PROMPT = (
    "Rewrite the last question of this conversation so that it can be understood on its own. "
    "Replace pronouns and fill in what it leaves out from the earlier questions; keep its meaning. "
    "If it already stands on its own, repeat it unchanged. Reply with the question only.\n\n"
    "Conversation:\n{conversation}\n\nLast question: {question}\nStandalone question:"
)


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int
    prep: str | None  # the preposition right before it, lower case


def entities(question: str) -> list[Span]:
    """Capitalised names and years in a question, in order (a leading question word is not one)."""
    spans: list[Span] = []
    for match in ENTITY.finditer(question):
        text, start = match.group(0).rstrip(".'’"), match.start()
        words = text.split()
        # drop leading words that are capitalised only because they start the sentence
        while words and start == _first_word_start(question) and words[0].lower() in LEADING_NON_ENTITIES:
            start += len(words[0])
            words = words[1:]
            while start < len(question) and question[start] == " ":
                start += 1
        if not words:
            continue
        text = " ".join(words)
        spans.append(Span(text, start, start + len(text), _prep_before(question, start)))
    for match in YEAR.finditer(question):
        if not any(s.start <= match.start() < s.end for s in spans):
            spans.append(Span(match.group(0), match.start(), match.end(), _prep_before(question, match.start())))
    return sorted(spans, key=lambda s: s.start)


def _first_word_start(text: str) -> int:
    return len(text) - len(text.lstrip())


def _prep_before(text: str, start: int) -> str | None:
    match = re.search(r"(\w+)\s+$", text[:start])
    if match and match.group(1).lower() in PREPOSITIONS:
        return match.group(1).lower()
    return None


def _strip_q(text: str) -> str:
    return text.strip().rstrip("?.! ").strip()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _pick_location(spans: list[Span]) -> Span | None:
    located = [s for s in spans if s.prep in LOCATION_PREPS and not YEAR.fullmatch(s.text)]
    if located:
        return located[-1]
    names = [s for s in spans if not YEAR.fullmatch(s.text)]
    return names[-1] if names else None


def _pick_group(spans: list[Span]) -> Span | None:
    """Who 'they' / 'he' may be: a name not used as a place (Kenyans, the UNODC)."""
    names = [s for s in spans if not YEAR.fullmatch(s.text) and s.prep not in LOCATION_PREPS]
    plural = [s for s in names if s.text.endswith("s")]
    if plural:
        return plural[0]
    return names[0] if names else None


def _elliptical_entity(question: str) -> tuple[str | None, str] | None:
    """(preposition, entity) when the question is only a connective + a short phrase."""
    q = _strip_q(question)
    rest = CONNECTIVE.sub("", q, count=1)
    had_connective = rest != q
    words = rest.split()
    if not words or len(words) > 6:
        return None
    prep: str | None = None
    if words[0].lower() in PREPOSITIONS:
        prep, words = words[0].lower(), words[1:]
    if not words:
        return None
    phrase = " ".join(words)
    if words[0].lower() in WH_WORDS | AUX_WORDS or VERBISH.search(phrase):
        return None
    name = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    if not had_connective and prep is None and not (ENTITY.fullmatch(name) or YEAR.fullmatch(name)):
        return None  # a bare lower-case phrase without "and"/"what about" is not clearly a follow-up
    return prep, phrase


def _substitute(previous: str, prep: str | None, phrase: str) -> str:
    prev = _strip_q(previous)
    spans = entities(prev)
    if YEAR.fullmatch(phrase):
        years = [s for s in spans if YEAR.fullmatch(s.text)]
        if years:
            target = years[-1]
            return f"{prev[: target.start]}{phrase}{prev[target.end :]}?"
        return f"{prev} in {phrase}?"
    names = [s for s in spans if not YEAR.fullmatch(s.text)]
    is_name = bool(re.match(r"^(?:the\s+)?[A-Z]", phrase))
    if is_name and names:
        same_kind = [s for s in names if prep in LOCATION_PREPS and s.prep in LOCATION_PREPS]
        if prep is None:
            same_kind = [s for s in names if s.prep in LOCATION_PREPS] or names
        target = (same_kind or [s for s in names if s.prep == prep] or names)[-1]
        return f"{prev[: target.start]}{phrase}{prev[target.end :]}?"
    lead = f"{prep} " if prep else ""
    if is_name:
        return f"{prev} {prep or 'in'} {phrase}?"
    return f"{prev}, and what about {lead}{phrase}?"


PRONOUN = re.compile(r"\b(there|it|its|they|them|their|he|she|him|his)\b", re.IGNORECASE)


def _resolve_pronouns(question: str, previous: str) -> str:
    spans = entities(_strip_q(previous))
    if not spans:
        return question
    used: set[str] = set()

    def repl(match: re.Match[str]) -> str:
        word = match.group(1)
        low = word.lower()
        before = question[: match.start()].rstrip().split()
        after = question[match.end() :].lstrip().split()
        if low == "there":
            # existential "are there ...", "there were ..." are not places
            if (before and before[-1].lower() in AUX_WORDS | {"be", "been"}) or (
                after and after[0].lower().strip("?,.") in AUX_WORDS | {"be", "been"}
            ):
                return word
            place = _pick_location(spans)
            if place is None or place.text in used:
                return word
            used.add(place.text)
            return f"in {place.text}"
        if low in {"it", "its"}:
            target = _pick_location(spans) if low == "it" else _pick_group(spans) or _pick_location(spans)
        else:
            target = _pick_group(spans)
        if target is None or target.text in used:
            return word
        used.add(target.text)
        if low in {"its", "their", "his"}:
            return f"{target.text}'s" if not target.text.endswith("s") else f"{target.text}'"
        return target.text

    return PRONOUN.sub(repl, question)


def is_followup(question: str) -> bool:
    q = _strip_q(question)
    if _elliptical_entity(question) is not None:
        return True
    if CONNECTIVE.match(q):
        return True
    if q.lower() in WH_WORDS:
        return True
    return bool(PRONOUN.search(q)) or not entities(q)


def rewrite_by_rule(question: str, previous: str) -> str:
    """One step: the question rewritten against the previous standalone question."""
    q = question.strip()
    if not q or not previous.strip():
        return q
    ellipsis = _elliptical_entity(q)
    if ellipsis is not None:
        return _substitute(previous, *ellipsis)
    core = _strip_q(q)
    if core.lower() in WH_WORDS:  # "why?" / "how?"
        return f"{_sentence_case(core)}: {_strip_q(previous)}?"
    had_connective = bool(CONNECTIVE.match(core))
    core = CONNECTIVE.sub("", core, count=1)
    resolved = _resolve_pronouns(core, previous)
    if resolved != core:
        return _sentence_case(resolved) + "?"
    referring = [m for m in PRONOUN.finditer(core) if m.group(1).lower() != "there"]
    if (had_connective or referring) and not entities(core):
        context = ", ".join(s.text for s in entities(_strip_q(previous)))
        if context:
            return f"{_sentence_case(core)} ({context})?"
    return q


def rule_standalone_history(history: History) -> list[str]:
    """Each past question made standalone in turn (chains of follow-ups)."""
    out: list[str] = []
    for past, _answer in list(history)[-MAX_HISTORY_TURNS:]:
        out.append(rewrite_by_rule(past, out[-1]) if out else past.strip())
    return out


def _clean_llm_output(text: str, question: str) -> str | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    line = re.sub(r"^(?:standalone question|question|rewritten)\s*:\s*", "", lines[0], flags=re.I)
    line = line.strip().strip("\"“”'").strip()
    if len(line) < 3 or len(line) > max(300, 3 * len(question)):
        return None
    if "[" in line or line.lower().startswith(("i ", "sorry", "the sources")):
        return None
    return line


def _llm_prompt(question: str, history: History) -> str:
    turns = []
    for past, answer in list(history)[-MAX_HISTORY_TURNS:]:
        turns.append(f"User: {past.strip()}")
        short = re.sub(r"\s*\[\d+\]", "", answer).strip()
        turns.append(f"Assistant: {short[:300]}")
    return REWRITE_PROMPT.format(conversation="\n".join(turns), question=question.strip())


@dataclass(frozen=True)
class Rewrite:
    text: str
    method: str  # "unchanged", "llm" or "rule"
    problem: str | None = None  # why the LLM's rewrite was not used, when one was asked for


def rewrite_followup_explained(question: str, history: History, llm: LLM | None = None) -> Rewrite:
    """A standalone version of `question` given the (question, answer) history, and how it was made."""
    question = question.strip()
    if not history or not question or not is_followup(question):
        return Rewrite(question, "unchanged")
    problem: str | None = None
    if llm is not None:
        try:
            rewritten = _clean_llm_output(llm(_llm_prompt(question, history)), question)
        except Exception as err:  # a failing rewriter must not fail the answer; the rules still work
            rewritten, problem = None, f"the LLM could not rewrite the follow-up ({type(err).__name__}: {err})"
        if rewritten:
            return Rewrite(rewritten, "llm")
        problem = problem or "the LLM's rewrite of the follow-up was unusable"
    previous = rule_standalone_history(history)
    return Rewrite(rewrite_by_rule(question, previous[-1]), "rule", problem)


def rewrite_followup(question: str, history: History, llm: LLM | None = None) -> str:
    """A standalone version of `question` given the (question, answer) history, oldest first."""
    return rewrite_followup_explained(question, history, llm).text

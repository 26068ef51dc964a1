"""The combined backend: the extractive reader and an LLM reader, each where it is strong.

Two policies (`AnswerSettings.combined_policy`):

- "typed-first": the extractive reader answers when it finds a typed answer (a figure, a name, a
  date), the LLM reader otherwise. The two fail on different questions (the extractive reader on
  why/how and unusual wording, a small LLM on figures and scope).
- "extractive-gates": the extractive reader decides *whether* to answer and the LLM reader *what*.
  A small LLM rarely says "not in the sources" (Qwen2.5-1.5B refused 2 of 13 unanswerable dev-check
  questions, the extractive reader 9), but on articles nobody tuned rules for it picks the answer
  better (49 of 75 answerable dev-check questions against 42). So the extractive draft stands when:
  1. it is a refusal, or the question names something no passage names (a near miss);
  2. it answers from article metadata (the LLM sees sentences, not metadata), or is a typed answer
     the extractive reader is better at (`EXTRACTIVE_TYPES`: lists, trends, quotes, reasons and
     figures);
  3. the LLM finds no answer, its reading fails the citation check, or it is not of the asked type
     (a "who" answered with an agency, a "how many" without a figure; `rag.reader.answer_fit`).
  Otherwise the LLM's reading is the answer.

Either way a near miss is refused without asking the LLM. `Draft.extra["answered_by"]` and
`Answer.answered_by` say which one answered; under "extractive-gates", `extra["llm_overruled"]`
says why the LLM's reading was set aside."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from rag.citations import parse_markers
from rag.generators.base import Draft, Generator
from rag.generators.extractive import ExtractiveGenerator
from rag.reader.answer_fit import fits_answer_type
from rag.reader.answer_types import AnswerType
from rag.settings import CombinedPolicy
from rag.types import REFUSAL_PHRASE, Passage

# Typed extractive answers that stand: those composed across passages or quoted verbatim (the LLM
# reader sees three sentences and writes one short span), reasons (two or three sentences against
# the LLM's one clause), and figures, whose scope (place, nationality, the asked noun, the asked
# date) the extractive reader checks and a small LLM does not: on the seed and tune questions the
# LLM's figures turned 6 right answers wrong ("45 women" for "how many Indonesians") and no wrong
# one right; on dev-check keeping the extractive figures cost 2 answers (README, Evaluation).
EXTRACTIVE_TYPES = frozenset(
    {
        AnswerType.LIST,
        AnswerType.TREND,
        AnswerType.QUOTE,
        AnswerType.REASON,
        AnswerType.COUNT,
        AnswerType.SHARE,
        AnswerType.MONEY,
    }
)

Supported = Callable[[str, Sequence[Passage]], bool]  # whether a draft survives the citation check


class CombinedGenerator:
    name = "combined"
    reports_answerer = True  # the assistant calls generate() to learn who answered

    def __init__(
        self,
        extractive: ExtractiveGenerator,
        llm: Callable[[], Generator],
        llm_name: str,
        policy: CombinedPolicy = "extractive-gates",
        supported: Supported | None = None,
    ) -> None:
        self.extractive = extractive
        self._llm = llm  # built at first use: an answer the extractive reader settles never loads the model
        self._built: Generator | None = None  # the last LLM generator built, for close()
        self.llm_name = llm_name
        self.policy = policy
        self.supported = supported  # None: every non-refusal draft counts as supported

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        yield self.generate(question, passages).text

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        first = self.extractive.generate(question, passages)
        if self._extractive_settles(first):
            return self._as_extractive(first)
        self._built = self._llm()
        draft = self._built.generate(question, passages)
        if self.policy == "extractive-gates":
            overruled = self._overruled(question, first, draft, passages)
            if overruled:
                return self._as_extractive(first, overruled)
        mode = str(draft.extra.get("mode", "writer"))
        return Draft(
            text=draft.text,
            backend=self.name,
            model=draft.model,
            prompt_tokens=draft.prompt_tokens,
            completion_tokens=draft.completion_tokens,
            extra={
                **draft.extra,
                "answered_by": f"{self.llm_name} {mode}",
                "answer_type": first.extra.get("answer_type"),
                "policy": self.policy,
            },
        )

    def close(self) -> None:
        """Free the LLM's model if one was loaded (it loads again at the next use)."""
        close = getattr(self._built, "close", None)
        if callable(close):
            close()

    def _extractive_settles(self, first: Draft) -> bool:
        """Whether the extractive draft is the answer without asking the LLM."""
        refused = first.text == REFUSAL_PHRASE
        typed = bool(first.extra.get("typed")) and not refused
        # No passage names what the question names ("... in Vietnam?"): a near miss the LLM would
        # answer about something else, so the extractive reader's answer or refusal stands.
        near_miss = bool(first.extra.get("names_missing"))
        if self.policy == "typed-first":
            return typed or near_miss
        answer_type = _answer_type(first)
        return (
            refused
            or near_miss
            or answer_type is AnswerType.METADATA
            or (typed and answer_type in EXTRACTIVE_TYPES)
        )

    def _overruled(self, question: str, first: Draft, draft: Draft, passages: Sequence[Passage]) -> str | None:
        """Why the LLM's reading does not replace the extractive answer, or None when it does."""
        if draft.text == REFUSAL_PHRASE:
            return "the LLM found no answer"
        if self.supported is not None and not self.supported(draft.text, passages):
            return "the LLM's reading failed the citation check"
        answer, cited = parse_markers(draft.text)
        answer_type = _answer_type(first)
        cited_passages = [passages[n - 1] for n in cited if 1 <= n <= len(passages)]
        if answer_type is not None and not fits_answer_type(answer_type, question, answer.rstrip("."), cited_passages):
            return f"the LLM's reading is no {answer_type.value} answer"
        return None

    def _as_extractive(self, first: Draft, overruled: str | None = None) -> Draft:
        text = first.text
        if self.policy == "typed-first" and first.extra.get("names_missing") and not first.extra.get("typed"):
            text = REFUSAL_PHRASE  # an untyped sentence about something else is no answer
        extra = {**first.extra, "answered_by": "extractive", "policy": self.policy}
        if overruled:
            extra["llm_overruled"] = overruled
        return Draft(text=text, backend=self.name, extra=extra)


def _answer_type(draft: Draft) -> AnswerType | None:
    try:
        return AnswerType(str(draft.extra.get("answer_type")))
    except ValueError:
        return None

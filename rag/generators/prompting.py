"""The LLM prompt: few, short, deduplicated, numbered sources; cite every sentence; fixed refusal.

[n] in a draft refers to the n-th passage of the list the generator was given (rag.generators.base).
The prompt may show fewer passages (duplicates dropped, max_passages kept), numbered 1..k; the
model's [i] are mapped back to the caller's numbering (`CitationRemapper`), also while streaming.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rag.generators.base import Draft
from rag.types import REFUSAL_PHRASE, Passage

DEFAULT_MAX_PASSAGES = 3
DEFAULT_MAX_PASSAGE_CHARS = 900
NEAR_DUPLICATE_JACCARD = 0.8
TEMPLATE_TOKENS_PER_MESSAGE = 8  # role markers of the chat template

SYSTEM_PROMPT = (
    "You answer questions using ONLY the numbered sources in the user's message.\n"
    "- Write one to three short sentences. Put the source number in square brackets at the end of "
    "every sentence, like [1].\n"
    "- Copy figures, names and dates exactly as the source gives them.\n"
    f"- Only if no source contains the answer, reply exactly: {REFUSAL_PHRASE}"
)

# One worked example of each outcome, as earlier chat turns: the small models follow examples far
# better than rules (measured: Qwen2.5-1.5B refused 6 of 6 questions with rules alone and answered
# 4 of 5 answerable ones with these). The facts are invented so they cannot leak into answers; a
# copied figure would fail the support check anyway.
EXAMPLE_SOURCES = (
    "[1] Police raid compound | Example News | 2024-03-02\n"
    "Police said 412 workers were freed from the compound in Port Verlan on Saturday.\n\n"
    "[2] Aid groups warn of abuse | Example Wire | 2024-03-05\n"
    "Aid groups said the freed workers came from 14 countries and many had been beaten."
)
EXAMPLE_TURNS = [
    {"role": "user", "content": f"Sources:\n\n{EXAMPLE_SOURCES}\n\nQuestion: How many workers were freed?"},
    {
        "role": "assistant",
        "content": "Police said 412 workers were freed from the compound in Port Verlan [1]. "
        "They came from 14 countries [2].",
    },
    {"role": "user", "content": f"Sources:\n\n{EXAMPLE_SOURCES}\n\nQuestion: Who owns the compound?"},
    {"role": "assistant", "content": REFUSAL_PHRASE},
]

Messages = list[dict[str, str]]
TokenCounter = Callable[[str], int]


@dataclass
class PreparedPrompt:
    messages: Messages
    used: list[int]  # 1-based indices, in the caller's list, of the passages shown as [1]..[k]
    passages: list[Passage] = field(default_factory=list)  # as shown (possibly truncated)

    @property
    def empty(self) -> bool:
        return not self.used


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def select_passages(passages: Sequence[Passage], max_passages: int) -> list[int]:
    """0-based indices of at most max_passages passages, in order, without (near-)duplicates.

    Duplicates: the same chunk, or >= 80 % word overlap (the same wire story in two outlets).
    """
    chosen: list[int] = []
    seen_chunks: set[str] = set()
    seen_words: list[set[str]] = []
    for i, passage in enumerate(passages):
        if len(chosen) >= max_passages:
            break
        if passage.chunk_id in seen_chunks or not passage.text.strip():
            continue
        words = _words(passage.text)
        if any(_jaccard(words, other) >= NEAR_DUPLICATE_JACCARD for other in seen_words):
            continue
        chosen.append(i)
        seen_chunks.add(passage.chunk_id)
        seen_words.append(words)
    return chosen


def truncate_text(text: str, max_chars: int) -> str:
    """Cut at the last sentence end (else word) before max_chars; a prefix of the text."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind(".\n"))
    if cut >= max_chars // 2:
        return head[: cut + 1]
    space = head.rfind(" ")
    return head[:space] if space > 0 else head


def source_header(n: int, passage: Passage) -> str:
    parts = [passage.title.strip() or "Untitled"]
    if passage.outlet:
        parts.append(passage.outlet)
    parts.append(passage.date_label())
    return f"[{n}] " + " | ".join(parts)


def format_sources(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"{source_header(n, p)}\n{p.text.strip()}" for n, p in enumerate(passages, 1))


def user_message(question: str, passages: Sequence[Passage]) -> str:
    return f"Sources:\n\n{format_sources(passages)}\n\nQuestion: {question.strip()}"


def build_messages(question: str, passages: Sequence[Passage], examples: bool = True) -> Messages:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        *(EXAMPLE_TURNS if examples else []),
        {"role": "user", "content": user_message(question, passages)},
    ]


def prepare_prompt(
    question: str,
    passages: Sequence[Passage],
    *,
    max_passages: int = DEFAULT_MAX_PASSAGES,
    max_passage_chars: int = DEFAULT_MAX_PASSAGE_CHARS,
    token_budget: int | None = None,
    count_tokens: TokenCounter | None = None,
) -> PreparedPrompt:
    """Choose, shorten and number the passages; fit the whole prompt into token_budget if given.

    When the prompt is too long, the last passage is shortened, then dropped, until it fits. In a
    context too small for even one passage beside the worked examples, the examples go first.
    """
    indices = select_passages(passages, max_passages)
    shown = [
        passages[i].model_copy(update={"text": truncate_text(passages[i].text, max_passage_chars)}) for i in indices
    ]
    if token_budget is None or count_tokens is None:
        return PreparedPrompt(build_messages(question, shown), [i + 1 for i in indices], shown)
    for examples in (True, False):
        kept, fitted = list(indices), list(shown)
        while fitted:
            messages = build_messages(question, fitted, examples)
            size = sum(count_tokens(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in messages)
            if size <= token_budget:
                return PreparedPrompt(messages, [i + 1 for i in kept], fitted)
            last = fitted[-1]
            overflow_chars = (size - token_budget) * 4 + 40
            if len(last.text) - overflow_chars >= 200:
                fitted[-1] = last.model_copy(update={"text": truncate_text(last.text, len(last.text) - overflow_chars)})
            else:
                fitted.pop()
                kept.pop()
    return PreparedPrompt(build_messages(question, []), [], [])


class CitationRemapper:
    """Rewrites [i] (prompt numbering) into [used[i-1]] (caller numbering), piece by piece.

    A marker split across streamed pieces ("[", "2", "]") is held back until it is complete.
    Numbers outside 1..k are left as they are; the citation layer rejects them.
    """

    _MARKER = re.compile(r"\[(\d{1,3})\]")
    _OPEN_TAIL = re.compile(r"\[\d{0,3}$")

    def __init__(self, used: Sequence[int]) -> None:
        self.used = list(used)
        self._buffer = ""

    def _map(self, text: str) -> str:
        def repl(match: re.Match[str]) -> str:
            i = int(match.group(1))
            if 1 <= i <= len(self.used):
                return f"[{self.used[i - 1]}]"
            return match.group(0)

        return self._MARKER.sub(repl, text)

    def feed(self, piece: str) -> str:
        text = self._buffer + piece
        tail = self._OPEN_TAIL.search(text)
        if tail:
            self._buffer = text[tail.start() :]
            text = text[: tail.start()]
        else:
            self._buffer = ""
        return self._map(text)

    def flush(self) -> str:
        text, self._buffer = self._buffer, ""
        return self._map(text)


def remap_citations(text: str, used: Sequence[int]) -> str:
    remapper = CitationRemapper(used)
    return remapper.feed(text) + remapper.flush()


@dataclass
class StreamStats:
    """Filled while a stream runs; read after it ends."""

    started: float = field(default_factory=time.perf_counter)
    first_token_s: float | None = None
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    pieces: int = 0


def remapped_stream(pieces: Iterable[str], used: Sequence[int], stats: StreamStats | None = None) -> Iterator[str]:
    """Yield non-empty pieces with citations remapped; record time to first piece."""
    remapper = CitationRemapper(used)
    for piece in pieces:
        if not piece:
            continue
        if stats is not None:
            stats.pieces += 1
            if stats.first_token_s is None:
                stats.first_token_s = time.perf_counter() - stats.started
        out = remapper.feed(piece)
        if out:
            yield out
    rest = remapper.flush()
    if rest:
        yield rest


def clean_answer(text: str) -> str:
    """Strip whitespace and a leading 'Answer:' some small models echo from the prompt."""
    text = text.strip()
    text = re.sub(r"^(?:answer|response)\s*:\s*", "", text, flags=re.IGNORECASE)
    return text.strip()


def refusal_draft(backend: str, model: str | None) -> Draft:
    """What a generator returns without calling the model when it is given no passages."""
    return Draft(
        text=REFUSAL_PHRASE,
        backend=backend,
        model=model,
        prompt_tokens=0,
        completion_tokens=0,
        first_token_s=0.0,
        extra={"passages_used": [], "reason": "no passages"},
    )

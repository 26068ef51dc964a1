"""The LLM prompt and the citation renumbering (no model needed)."""

from __future__ import annotations

import re

from rag.generators.prompting import (
    CitationRemapper,
    prepare_prompt,
    remap_citations,
    remapped_stream,
    select_passages,
    truncate_text,
)
from rag.types import REFUSAL_PHRASE
from tests.rag.llm_fixtures import passage

MYANMAR = "In Myanmar credible sources estimate 120,000 people are being held in scam compounds."
CAMBODIA = "In Cambodia at least 100,000 people are involved against their will, the OHCHR wrote."
RECRUIT = "Victims answer job adverts on social media that promise well-paid work in IT."


def test_prompt_numbers_sources_with_metadata_and_states_rules() -> None:
    ps = [
        passage(1, MYANMAR, outlet="The Record", date="2023-09-29"),
        passage(2, CAMBODIA, date=None),
    ]
    prompt = prepare_prompt("How many are held in Myanmar?", ps, max_passages=3)
    system, user = prompt.messages[0]["content"], prompt.messages[-1]["content"]
    assert REFUSAL_PHRASE in system and "[1]" in system
    # worked examples before the question: one cited answer, one refusal
    examples = [m["content"] for m in prompt.messages[1:-1] if m["role"] == "assistant"]
    assert any(re.search(r"\[1\]\.? .*\[2\]\.", e) for e in examples) and REFUSAL_PHRASE in examples
    assert "[1] Title 1 | The Record | 2023-09-29\n" + MYANMAR in user
    assert "[2] Title 2 | undated\n" + CAMBODIA in user
    assert user.rstrip().endswith("Question: How many are held in Myanmar?")
    assert prompt.used == [1, 2]


def test_duplicates_dropped_and_max_passages_kept() -> None:
    near_copy = MYANMAR.replace("people", "persons")  # same wire story, one word changed
    ps = [
        passage(1, MYANMAR),
        passage(2, MYANMAR, chunk_id="c1"),  # same chunk twice
        passage(3, near_copy),
        passage(4, CAMBODIA),
        passage(5, RECRUIT),
        passage(6, "Another paragraph about casinos and the pandemic lockdowns in the region."),
    ]
    assert select_passages(ps, 3) == [0, 3, 4]
    prompt = prepare_prompt("q", ps, max_passages=3)
    assert prompt.used == [1, 4, 5]
    user = prompt.messages[-1]["content"]
    assert "[3] Title 5" in user and "Title 6" not in user and "Title 3" not in user


def test_truncate_keeps_a_prefix_ending_at_a_sentence() -> None:
    text = "First sentence here. Second sentence is longer than the first one. Third."
    cut = truncate_text(text, 36)
    assert cut == "First sentence here."
    assert text.startswith(cut)
    assert truncate_text("short", 50) == "short"
    words = "word " * 40
    assert len(truncate_text(words, 30)) <= 30


def test_token_budget_shortens_then_drops_last_passages() -> None:
    topics = ["compounds", "recruiters", "passports", "casinos"]
    ps = [
        passage(i, " ".join(f"Sentence {i}.{j} is about {topic} number {j * i}." for j in range(60)))
        for i, topic in enumerate(topics, 1)
    ]

    def count(text: str) -> int:
        return len(text.split())

    big = prepare_prompt("q", ps, max_passages=4, max_passage_chars=10_000)
    small = prepare_prompt("q", ps, max_passages=4, max_passage_chars=10_000, token_budget=900, count_tokens=count)
    assert len(big.used) == 4
    assert sum(count(m["content"]) for m in small.messages) + 16 <= 900
    assert 1 <= len(small.used) < 4
    assert small.used == list(range(1, len(small.used) + 1))


def test_remap_citations_to_caller_numbering() -> None:
    assert remap_citations("A [1]. B [2][3]. C [9].", [2, 5, 6]) == "A [2]. B [5][6]. C [9]."


def test_remapper_handles_markers_split_across_pieces() -> None:
    pieces = ["Held: 120,000 [", "2", "]. In Cambodia 100,000 [1", "]", ". Also [3"]
    out = "".join(remapped_stream(pieces, [4, 7, 9]))
    assert out == "Held: 120,000 [7]. In Cambodia 100,000 [4]. Also [3"  # unfinished: as is
    remapper = CitationRemapper([3])
    assert remapper.feed("x [") == "x "
    assert remapper.feed("a]") == "[a]"  # not a citation: released unchanged
    assert remapper.flush() == ""

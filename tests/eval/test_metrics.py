"""Metric functions on hand-made Answers: each check here can fail if the metric is wrong."""

from __future__ import annotations

import pytest

from eval.gold import GoldRow, SupportingQuote
from eval.metrics import answer_metrics, citation_counts, correctly_cited, is_correct, percentile
from eval.support import supports
from rag.types import REFUSAL_PHRASE, Answer, AnswerSentence, AnswerStatus, Citation

MYANMAR_PASSAGE = (
    "The report cites credible sources that indicate at least 120,000 people across Myanmar and 100,000 "
    "people in Cambodia are being held in situations where they are forced to carry out online scams."
)
OTHER_PASSAGE = "INTERPOL has been tracking the crime phenomenon for the past several years."


def citation(n: int, passage: str) -> Citation:
    return Citation(n=n, doc_id="003", chunk_id=f"003:{n}", title="t", passage=passage, passage_start=0,
                    passage_end=len(passage), quote=passage, quote_start=0, quote_end=len(passage), support=1.0)


def answered(sentences: list[tuple[str, list[int]]], passages: list[str]) -> Answer:
    text = " ".join(s + "".join(f" [{n}]" for n in marks) for s, marks in sentences)
    return Answer(question="q", text=text, status=AnswerStatus.ANSWERED, refused=False,
                  sentences=[AnswerSentence(text=s, citations=m) for s, m in sentences],
                  citations=[citation(i, p) for i, p in enumerate(passages, start=1)],
                  backend_requested="extractive", backend_used="extractive")


def refused() -> Answer:
    return Answer(question="q", text=REFUSAL_PHRASE, status=AnswerStatus.REFUSED, refused=True,
                  backend_requested="extractive", backend_used="none")


MYANMAR = GoldRow(id="q1", question="How many people are held in Myanmar?", type="number", answerable=True,
                  gold_answer="at least 120,000", answer_patterns=["120,000"],
                  supporting=[SupportingQuote(doc_id="003", quote="at least 120,000 people across Myanmar")])
WORLD_CUP = GoldRow(id="q2", question="Who won the 2022 World Cup?", type="unanswerable", answerable=False)
GOOD = answered([("At least 120,000 people across Myanmar are being held.", [1])], [MYANMAR_PASSAGE])


def test_correctness() -> None:
    assert is_correct(GOOD, MYANMAR)
    assert not is_correct(answered([("About 12,000 people are held in Myanmar.", [1])], [MYANMAR_PASSAGE]), MYANMAR)
    assert not is_correct(refused(), MYANMAR)
    assert is_correct(refused(), WORLD_CUP)
    assert not is_correct(GOOD, WORLD_CUP)


def test_correct_answer_must_cite_a_passage_with_the_answer() -> None:
    assert correctly_cited(GOOD, MYANMAR)
    wrong_source = answered([("At least 120k people are held in Myanmar.", [1])], [OTHER_PASSAGE])
    assert is_correct(wrong_source, MYANMAR)
    assert not correctly_cited(wrong_source, MYANMAR)


def test_a_passage_in_another_language_is_cited_correctly_when_it_holds_the_gold_quote() -> None:
    gambling = GoldRow(id="m1", question="How many people in China gambled on the platforms?", type="number",
                       answerable=True, gold_answer="About 330,000 people.", answer_patterns=["330,000"],
                       supporting=[SupportingQuote(source_file="zh.md", quote="吸引中国33万人参与网络赌博")])
    chinese = "该集团设立200余个赌博平台，吸引中国33万人参与网络赌博。"
    answer = answered([("330,000 people.", [1])], [chinese])
    assert not correctly_cited(answer, gambling)  # the English pattern cannot match the Chinese passage
    answer.citations[0].language = "zh"
    assert correctly_cited(answer, gambling)
    elsewhere = answered([("330,000 people.", [1])], ["该集团在妙瓦底设立园区。"])
    elsewhere.citations[0].language = "zh"
    assert not correctly_cited(elsewhere, gambling)


def test_support_check() -> None:
    assert supports("At least 120,000 people are held in Myanmar [1].", MYANMAR_PASSAGE)
    assert not supports("At least 150,000 people are held in Myanmar.", MYANMAR_PASSAGE)  # invented number
    assert not supports("Thai police arrested scam bosses in Bangkok.", MYANMAR_PASSAGE)  # not in the passage
    assert not supports("Anything.", "")


def test_citation_recall_and_precision_counts() -> None:
    assert citation_counts(GOOD) == (1, 1, 1, 1)
    uncited = answered([("At least 120,000 people are held in Myanmar.", [])], [])
    assert citation_counts(uncited) == (0, 1, 0, 0)
    padded = answered([("At least 120,000 people are held in Myanmar.", [1, 2])], [MYANMAR_PASSAGE, OTHER_PASSAGE])
    assert citation_counts(padded) == (1, 1, 1, 2)  # the irrelevant second citation is imprecise
    invented = answered([("Vietnam holds 50,000 people in compounds.", [1])], [MYANMAR_PASSAGE])
    assert citation_counts(invented) == (0, 1, 0, 1)
    assert citation_counts(refused()) == (0, 0, 0, 0)


def test_answer_metrics_aggregate() -> None:
    wrong = answered([("About 12,000 people are held in Myanmar.", [1])], [MYANMAR_PASSAGE])
    rows = [MYANMAR, MYANMAR, MYANMAR, WORLD_CUP, WORLD_CUP]
    answers = [GOOD, wrong, refused(), refused(), GOOD]
    m = answer_metrics(answers, rows, [1.0, 2.0, 3.0, 4.0, 100.0])
    assert m.accuracy == pytest.approx(2 / 5)
    assert m.precision == pytest.approx(1 / 3)
    assert m.refusal_recall == pytest.approx(1 / 2)
    assert m.false_refusal_rate == pytest.approx(1 / 3)
    assert m.correctly_cited_rate == pytest.approx(1.0)
    assert m.citation_recall == pytest.approx(2 / 3)  # the "12,000" sentence is not supported
    assert m.latency_median_s == 3.0
    assert m.latency_p95_s == 100.0
    assert m.accuracy_by_type == {"number": pytest.approx(1 / 3), "unanswerable": 0.5}


def test_parallel_lists_required_and_percentile() -> None:
    with pytest.raises(ValueError):
        answer_metrics([GOOD], [MYANMAR, WORLD_CUP], [1.0])
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([], 95) == 0.0

"""The citation check across languages: figures as numbers in any script, meaning in the
cross-language space, names where the source writes them in Latin script, and what it cannot check."""

from __future__ import annotations

from rag.assistant import Assistant
from rag.citations import check_citations
from rag.cross_language_support import check_cross_language_support
from rag.support import check_support
from rag.types import Passage

# Written for this test (facts as the multilingual dev set's sources report them).
FLIGHTS = "2月20日，首批200名中国籍涉诈犯罪嫌疑人从缅甸妙瓦底经泰国湄索押解回国，乘包机抵达江苏南京禄口国际机场。"
EXTRADITION = "佘智江（She Zhijiang）于2025年11月被泰国引渡至中国，他曾在妙瓦底投资建设亚太新城。"


def passage(text: str, language: str = "zh") -> Passage:
    return Passage(chunk_id="z:0", doc_id="z", title="报道", text=text, start=0, end=len(text), paragraph=0,
                   dense_score=0.5, language=language)


def test_a_figure_the_source_has_is_supported_and_a_name_it_writes_otherwise_is_unchecked() -> None:
    result = check_cross_language_support("The first 200 suspects were flown from Myawaddy to Nanjing.", passage(FLIGHTS))
    assert result.supported and "200名" in result.quote
    # 南京 romanises to "nanjing" (pinyin); 妙瓦底 to "miaowadi", not "Myawaddy": that one is not checked.
    assert result.unchecked is not None and "Myawaddy" in result.unchecked and "Nanjing" not in result.unchecked


def test_short_answers_stand_on_what_can_be_found() -> None:
    assert check_cross_language_support("200.", passage(FLIGHTS)).supported
    assert check_cross_language_support("Nanjing.", passage(FLIGHTS)).supported
    unfound = check_cross_language_support("Chiang Mai.", passage(FLIGHTS))
    assert not unfound.supported and "could not be checked across languages" in (unfound.reason or "")
    thai = "ตำรวจไทยจับกุมผู้ต้องสงสัย 27 คนที่อำเภอแม่สอด จังหวัดตาก"
    assert check_cross_language_support("Mae Sot.", passage(thai, "th")).supported  # RTGS: แม่สอด is "maesot"


def test_a_figure_the_source_lacks_is_not_supported() -> None:
    result = check_cross_language_support("The first 300 suspects were flown to Nanjing.", passage(FLIGHTS))
    assert not result.supported and result.reason == "the source does not contain 300"


def test_a_claim_about_something_else_is_not_supported() -> None:
    result = check_cross_language_support("Thailand cut electricity to five border crossings.", passage(FLIGHTS))
    assert not result.supported and "weak support across languages" in (result.reason or "")


def test_a_name_in_latin_script_in_the_source_is_checked() -> None:
    result = check_cross_language_support("Thailand extradited She Zhijiang in November 2025.", passage(EXTRADITION))
    assert result.supported and "Zhijiang" not in (result.unchecked or "")


def test_english_passages_keep_the_english_check(assistant: Assistant) -> None:
    english = passage("The first 200 suspects were flown to Nanjing on 20 February.", "en")
    result = check_support("The first 200 suspects were flown to Nanjing.", english, assistant.encoder, 0.5)
    assert result.supported and result.unchecked is None


def test_the_answer_says_what_was_not_checked(assistant: Assistant) -> None:
    checked = check_citations("The first 200 suspects were flown from Myawaddy to Nanjing [1].", [passage(FLIGHTS)],
                              assistant.encoder, 0.5)
    assert not checked.refused and checked.citations[0].language == "zh"
    assert checked.sentences[0].note and "not checked: Myawaddy" in checked.sentences[0].note
    assert any("another language" in w and "Myawaddy" in w for w in checked.warnings)
    wrong = check_citations("The first 300 suspects were flown to Nanjing [1].", [passage(FLIGHTS)],
                            assistant.encoder, 0.5)
    assert wrong.refused


def test_an_answer_left_in_the_sources_language_is_a_quote_of_it() -> None:
    source = "明家犯罪集团头目明学昌在缅甸当局抓捕时自杀身亡。"
    assert check_cross_language_support("明学昌.", passage(source)).supported
    assert not check_cross_language_support("白所成.", passage(source)).supported


def test_the_reader_prompt_changes_only_when_a_sentence_is_in_another_language() -> None:
    from rag.generators.reading import READER_SYSTEM, NumberedSentences, reader_messages

    english = reader_messages("How many?", NumberedSentences(["Police freed 412 workers."], [1]))
    mixed = reader_messages("How many?", NumberedSentences(["警方解救了312名外国人。"], [1], other_languages=True))
    assert english[0]["content"] == READER_SYSTEM and len(english) == 6
    assert "translate" in mixed[0]["content"] and len(mixed) == 8


def test_the_reader_sees_foreign_sentences_close_to_the_best_one(assistant: Assistant) -> None:
    """Foreign sentences far behind the best sentence in the cross-language space are left out (a
    distractor to a small model); the English ones the extractive ranking chose stay; the figures of a
    Chinese sentence are shown written out (33万 as 330,000) while the passage itself stays as it is."""
    from rag.generators.reading import number_sentences

    question = "How many Chinese suspects were on the first flight to Nanjing?"
    gambling = "该集团吸引中国33万人参与网络赌博。"
    passages = [
        passage("Chinese police escorted 200 suspects home on a charter flight in February.", "en"),
        passage(FLIGHTS + gambling + "另有800余人等待遣返。"),
    ]
    numbered = number_sentences(question, passages, assistant.encoder)
    assert numbered.other_languages
    assert "Chinese police escorted 200 suspects home on a charter flight in February." in numbered.shown
    assert FLIGHTS in numbered.shown
    assert not any("赌博" in s or "等待遣返" in s for s in numbered.shown)
    gamblers = number_sentences("How many people in China gambled on the group's platforms?", passages, assistant.encoder)
    assert "该集团吸引中国 330,000 人参与网络赌博。" in gamblers.shown
    assert gambling in passages[1].text  # the check reads the passage as it is

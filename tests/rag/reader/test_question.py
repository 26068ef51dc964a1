"""Question analysis: the answer type, the asked noun, and which names set the scope or the source."""

from __future__ import annotations

import pytest

from rag.reader.answer_types import AnswerType
from rag.reader.question import analyse, question_parts

CASES = [
    ("How many workers were freed from the compound?", AnswerType.COUNT),
    ("How large is the walled site?", AnswerType.COUNT),
    ("What share of the returnees faced charges?", AnswerType.SHARE),
    ("What percentage of the victims were men?", AnswerType.SHARE),
    ("In percentage terms, how much did the losses rise?", AnswerType.SHARE),
    ("What prison term did the court give the recruiter?", AnswerType.STATEMENT),
    ("How much did the syndicate earn last year?", AnswerType.MONEY),
    ("What fine did the court impose on each defendant?", AnswerType.MONEY),
    ("What value did the court put on the syndicate's gambling?", AnswerType.MONEY),
    ("What total sum are the suspects alleged to have taken from their victims?", AnswerType.MONEY),
    # The head of the noun phrase after the wh-word, however the parser attaches "which".
    ("Which Chinese triad group did the agency connect to the operations?", AnswerType.ORGANISATION),
    ("In which part of Norland was a hotel raided?", AnswerType.PLACE),
    ("What was the estimated yearly revenue of the casinos?", AnswerType.MONEY),
    ("Who runs the task force?", AnswerType.PERSON),
    ("Who is Mira Castell?", AnswerType.DESCRIPTION),
    ("Who is the chairman of the Harbor Pearl Group?", AnswerType.PERSON),
    ("Which spokesman announced the raid?", AnswerType.PERSON),
    ("What is the name of the leader of the militia?", AnswerType.PERSON),
    ("Which agency led the investigation?", AnswerType.ORGANISATION),
    ("Where did the rescued workers land?", AnswerType.PLACE),
    ("In which country were the suspects arrested?", AnswerType.PLACE),
    ("When did the police raid the compound?", AnswerType.DATE),
    ("In what year was the law passed?", AnswerType.DATE),
    ("What is the compound called?", AnswerType.NAMED_THING),
    ("What is the fraud called in which callers pose as police officers?", AnswerType.NAMED_THING),
    ("Which agency led the raid in which 200 people were freed?", AnswerType.ORGANISATION),
    ("What are scam compounds?", AnswerType.DEFINITION),
    ("Which countries sent investigators?", AnswerType.LIST),
    ("What kinds of fraud do the workers commit?", AnswerType.LIST),
    ("Why do victims rarely report the crime?", AnswerType.REASON),
    ("How are the workers recruited?", AnswerType.REASON),
    ("What did the minister say about the deportations?", AnswerType.QUOTE),
    ("Has the number of victims grown since 2022?", AnswerType.TREND),
    ("Who wrote the article about the border raid?", AnswerType.METADATA),
    ("Which outlet published the story on the casino closures?", AnswerType.METADATA),
    ("Which articles report the extradition?", AnswerType.METADATA),
    ("Tell me about the compounds.", AnswerType.STATEMENT),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_answer_type(question: str, expected: AnswerType) -> None:
    assert analyse(question).answer_type is expected


def test_every_answer_type_has_a_case() -> None:
    assert {expected for _, expected in CASES} == set(AnswerType)


def test_asked_noun_and_number() -> None:
    analysis = analyse("How many Starlink terminals did the troops seize?")
    assert (analysis.focus, analysis.plural_focus) == ("terminal", True)
    assert not analysis.wants_people
    assert analyse("How many peopel are trapped there?").wants_people  # misspelt person noun


def test_places_and_years_set_the_scope_and_sources_do_not() -> None:
    analysis = analyse("According to the Harbour Times, how many people were held in Laos in 2024?")
    assert set(analysis.scope_names) == {"Laos", "2024"}
    assert "Harbour" in analysis.source_names and "Harbour" not in analysis.scope_names
    # A name after a place preposition is scope too: "held at <compound>".
    assert set(analyse("How many people are held at Golden Lotus Park?").scope_names) == {"Golden", "Lotus", "Park"}
    # Places are whole names: the words of "South Korea" are not two places.
    assert analyse("How many people were freed in Myanmar and Cambodia?").place_names == ("Myanmar", "Cambodia")
    assert analyse("How many people were freed in South Korea and Thailand?").place_names == ("Thailand",)


def test_a_compound_question_is_split_into_its_questions() -> None:
    assert question_parts("Who chairs the panel, and which office funds it?") == [
        "Who chairs the panel?",
        "Which office funds it?",
    ]
    # One question naming two places, or wh-words with no question after them, is not split.
    assert question_parts("How many people are held in Norland and Varos?") == [
        "How many people are held in Norland and Varos?"
    ]
    assert question_parts("Which countries and which companies were named?") == [
        "Which countries and which companies were named?"
    ]


def test_nationality_of_the_counted_noun_and_the_asked_act() -> None:
    analysis = analyse("How many Vietnamese nationals were detained in the raid?")
    assert (analysis.focus, analysis.counted_kind, analysis.asked_act) == ("national", "Vietnamese", "detain")
    assert analyse("How many Filipinos were freed?").counted_kind is None  # the noun is the nationality
    assert analyse("When were the sanctions on Tomas Reyvik lifted?").asked_act == "lift"



def test_the_asked_noun_is_the_head_of_a_compound() -> None:
    """ "which analytics company": the company is asked for; "which Varos family defendants": people, several."""
    assert analyse("Which analytics company traced the payments?").focus == "company"
    assert analyse("Which analytics company traced the payments?").answer_type is AnswerType.ORGANISATION
    analysis = analyse("Which Varos family defendants were sentenced to death?")
    assert (analysis.focus, analysis.answer_type) == ("defendant", AnswerType.LIST)


def test_names_that_do_not_set_the_scope() -> None:
    # A name in brackets is another name of the one before it.
    assert "Blue" not in analyse("How much did Harbor Market (Blue Bazaar) process in 2024?").required
    assert "Varos" in analyse("For how many of the returnees from Varos had Norlandic police sought warrants?").scope_names
    # The owner of a defined thing ("Norland's warning system") is the article's to name.
    assert "Norland" not in analyse("What does a Level 4 advisory mean in Norland's warning system?").scope_names


def test_people_and_organisations_asked_about() -> None:
    assert ("Castell", "PERSON") in analyse("How many tonnes of cocaine did the Castell family smuggle?").parties
    according = analyse("According to Reuters, how many people did the Castell family hold?")
    assert all(name != "Reuters" for name, _ in according.parties)


def test_a_name_that_says_which_event_sets_the_scope() -> None:
    assert "Varos" in analyse("How many people were detained in the Varos raid?").scope_names


def test_the_baseline_year_of_a_comparison_is_not_required() -> None:
    """ "rise in 2024 over 2023": sources say "on the year before" as often as they name 2023."""
    required = analyse("By what percentage did losses rise in 2024 over 2023?").required
    assert "2024" in required and "2023" not in required
    assert "2023" in analyse("How many were rescued in 2023?").required

"""One test per answer type: the answer leads with the asked thing, cited.

The type extractors answer people, organisations, lists, reasons and the like; for the types the
span model reads (`SPAN_TYPES`) they decide whether the passages answer at all and the model says
what the answer is. So these tests run the reader as it ships, span model included; the model's
own reading is also tested in test_span_reading.py and test_span_model.py, and on the gold set by
the evaluation.

The passages are written for these tests (invented places and people), so nothing here is
tuned to the seed articles. Each answer goes through the real embedder and citation checker."""

from __future__ import annotations

import re

import pytest

from rag.assistant import Assistant
from rag.reader.candidates import rank_sentences
from rag.reader.question import analyse
from rag.types import REFUSAL_PHRASE, Answer, AnswerStatus, Passage

pytestmark = pytest.mark.slow
# What the span reader does not do that the former figure and date rules did: it reads one span, so
# it neither sums figures nor prefers the figure whose scope the question names; the snap to an
# entity drops described places and titles without quotes. Kept as strict expected failures: they
# say what is missing and fail the day it works (docs/evaluation.md, "Known limits").
SPAN_LIMIT = pytest.mark.xfail(strict=True, reason="span reader limit (docs/evaluation.md, Known limits)")


def passage(text: str, doc: str, chunk: int = 0, start: int = 0, **meta: str | bool | None) -> Passage:
    """Chunk `chunk` of article `doc`, starting at `start` in it."""
    fields: dict[str, object] = {"title": f"Report {doc}", "outlet": None, "date": None, "author": None, **meta}
    # dense_score: retrieval found it relevant (the retrieval gate is not under test here).
    return Passage(
        chunk_id=f"{doc}:{chunk}", doc_id=doc, text=text, start=start, end=start + len(text), paragraph=chunk,
        dense_score=0.8, **fields,  # type: ignore[arg-type]
    )


def ask(assistant: Assistant, question: str, *passages: Passage) -> Answer:
    return assistant.answer_from_passages(question, list(passages), backend="extractive")


def words(answer: Answer) -> int:
    return len(re.sub(r"\[\d+\]", "", answer.text).split())


def test_count_leads_with_the_figure_and_its_scope(assistant: Assistant) -> None:
    text = (
        "Police said 4,000 people were held at Golden Lotus Park before the raid in May. "
        "The park lies on the river bank opposite the border town."
    )
    answer = ask(assistant, "How many people were held at Golden Lotus Park?", passage(text, "a"))
    assert answer.status is AnswerStatus.ANSWERED
    assert "4,000 people" in answer.text and words(answer) <= 12
    assert answer.citations[0].quote.startswith("Police said 4,000 people")


def test_figure_of_another_compound_is_not_an_answer(assistant: Assistant) -> None:
    """Regression: the passage naming compound X came first, but the figure was compound Y's."""
    about_x = passage(
        "Golden Lotus Park was raided by soldiers in May. Separately, 2,500 people were held at the Silver Reef "
        "compound across the river, officials said.",
        "x",
    )
    about_y = passage("Some 2,500 people were held at the Silver Reef compound, according to the officials.", "y")
    answer = ask(assistant, "How many people were held at Golden Lotus Park?", about_x, about_y)
    assert "2,500" not in answer.text
    assert answer.text == REFUSAL_PHRASE


@SPAN_LIMIT
def test_different_scopes_are_side_by_side_not_a_disagreement(assistant: Assistant) -> None:
    regional = passage(
        "At least 300,000 people from 66 countries are forced to work in scam operations across the region.",
        "r",
        date="2025-06-01",
        outlet="Region Wire",
    )
    national = passage(
        "An estimated 100,000 people are forced to work in scam operations in Cambodia.",
        "c",
        date="2023-08-29",
        outlet="Delta Daily",
    )
    overall = ask(assistant, "How many people are forced to work in scam operations?", regional, national)
    assert "300,000" in overall.text and "Sources differ" not in overall.text
    cambodia = ask(assistant, "How many people are forced to work in scam operations in Cambodia?", regional, national)
    assert "100,000" in cambodia.text and "300,000" not in cambodia.text and "Sources differ" not in cambodia.text


def test_same_scope_figures_that_disagree_are_sources_differ_with_dates(assistant: Assistant) -> None:
    older = passage("About 100,000 people are held in scam compounds in Laos.", "o", date="2023-05-02", outlet="Old Post")
    newer = passage("At least 150,000 people are held in scam compounds in Laos.", "n", date="2025-09-10", outlet="New Post")
    answer = ask(assistant, "How many people are held in scam compounds in Laos?", older, newer)
    assert "Sources differ" in answer.text
    assert "2023-05-02" in answer.text and "2025-09-10" in answer.text
    assert {c.doc_id for c in answer.citations} == {"o", "n"}


@SPAN_LIMIT
def test_total_over_named_places_shows_the_arithmetic(assistant: Assistant) -> None:
    text = "Officials counted 3,000 people held in Laos and about 2,000 in Vietnam during the inspection."
    answer = ask(assistant, "How many people were held in Laos and Vietnam together?", passage(text, "t"))
    assert "3,000" in answer.text and "2,000" in answer.text and "5,000" in answer.text
    assert answer.status is AnswerStatus.ANSWERED


def test_share(assistant: Assistant) -> None:
    text = "Of the workers who came home, 70% were charged with fraud, the ministry said."
    answer = ask(assistant, "What share of the workers who came home were charged?", passage(text, "s"))
    assert "70%" in answer.text and words(answer) <= 8


def test_money_is_not_a_head_count(assistant: Assistant) -> None:
    text = "The syndicate paid $2.5 million in bribes and employed 600 guards at the site."
    answer = ask(assistant, "How much did the syndicate pay in bribes?", passage(text, "m"))
    assert "$2.5 million" in answer.text and "600" not in answer.text


def test_person_with_the_full_name(assistant: Assistant) -> None:
    text = (
        "Colonel Maria Santos took over the task force in March. "
        "The task force is now led by Santos, who reports to the interior ministry."
    )
    answer = ask(assistant, "Who leads the task force?", passage(text, "p"))
    assert "Maria Santos" in answer.text and words(answer) <= 5


def test_organisation(assistant: Assistant) -> None:
    text = "The National Bureau of Investigation led the investigation into the call centre."
    answer = ask(assistant, "Which agency led the investigation into the call centre?", passage(text, "o"))
    assert "National Bureau of Investigation" in answer.text and words(answer) <= 8


def test_place(assistant: Assistant) -> None:
    text = "The rescued workers landed in Kathmandu on Monday evening, officials said."
    answer = ask(assistant, "Where did the rescued workers land?", passage(text, "l"))
    assert "Kathmandu" in answer.text and words(answer) <= 3


def test_date(assistant: Assistant) -> None:
    text = "Police raided the compound on 14 March 2025 and freed dozens of workers."
    answer = ask(assistant, "When did the police raid the compound?", passage(text, "d"))
    assert "14 March 2025" in answer.text and words(answer) <= 5


def test_named_thing(assistant: Assistant) -> None:
    text = "Locals call the walled compound “Blue Lagoon”, after the pool at its centre."
    answer = ask(assistant, "What is the walled compound called?", passage(text, "n"))
    assert "Blue Lagoon" in answer.text and words(answer) <= 4


def test_definition_needs_the_term_and_refuses_without_it(assistant: Assistant) -> None:
    text = "A money mule is a person who moves stolen funds through their own bank account for others."
    answer = ask(assistant, "What is a money mule?", passage(text, "f"))
    assert "moves stolen funds" in answer.text
    assert ask(assistant, "What is a pad thai recipe?", passage(text, "f")).text == REFUSAL_PHRASE


def test_list_collects_items(assistant: Assistant) -> None:
    text = "Investigators came from Kenya, Nepal and Peru to interview the survivors."
    answer = ask(assistant, "Which countries sent investigators to interview the survivors?", passage(text, "i"))
    for country in ("Kenya", "Nepal", "Peru"):
        assert country in answer.text
    assert words(answer) <= 6


def test_reason(assistant: Assistant) -> None:
    text = (
        "The weather was hot that week. Victims rarely report the crime because they fear arrest for "
        "immigration offences."
    )
    answer = ask(assistant, "Why do victims rarely report the crime?", passage(text, "w"))
    assert "because they fear arrest" in answer.text


def test_quote(assistant: Assistant) -> None:
    text = 'Interior minister Dara Keo said: "We will send every one of them home within a month."'
    answer = ask(assistant, "What did Dara Keo say about sending them home?", passage(text, "q"))
    assert "We will send every one of them home" in answer.text


def test_trend_orders_dated_figures(assistant: Assistant) -> None:
    later = passage("In 2025 the hotline recorded 900 calls from trapped workers.", "b", date="2025-02-01")
    earlier = passage("In 2023 the hotline recorded 300 calls from trapped workers.", "a", date="2023-02-01")
    answer = ask(assistant, "Has the number of hotline calls from trapped workers grown?", later, earlier)
    assert answer.text.index("300") < answer.text.index("900")


def test_article_metadata_cites_the_article(assistant: Assistant) -> None:
    text = "Boats carried the workers across the river at night to a waiting truck."
    p = passage(text, "meta", title="Night crossing on the river", outlet="Border Herald", author="Lin Mae", date="2024-07-03")
    author = ask(assistant, "Who wrote the article about the night crossing on the river?", p)
    assert author.text == "Lin Mae [1]."
    assert author.citations[0].quote == p.metadata_line()
    outlet = ask(assistant, "Which outlet published the article about the night crossing?", p)
    assert outlet.text.startswith("Border Herald")
    when = ask(assistant, "When was the article about the night crossing published?", p)
    assert "3 July 2024" in when.text


def test_statement_falls_back_to_the_best_sentence(assistant: Assistant) -> None:
    text = "The compound has its own clinic, canteen and karaoke bar for the managers."
    answer = ask(assistant, "Tell me about the facilities in the compound.", passage(text, "s"))
    assert "clinic, canteen and karaoke bar" in answer.text


def test_issue_examples_on_the_seed_articles(assistant: Assistant) -> None:
    """An example of issue 12: an author from the metadata (no passage text is similar to the question)."""
    author = assistant.ask("Who wrote the Recorded Future article?")
    assert author.text == "James Reddick [1]." and author.citations[0].doc_id.startswith("000_")


@SPAN_LIMIT
def test_issue_examples_of_figures_of_two_scopes_on_the_seed_articles(assistant: Assistant) -> None:
    """A regional figure and a Cambodia-only figure that are not a disagreement (issue 12)."""
    overall = assistant.ask("How many people are forced to work in scam operations?")
    cambodia = assistant.ask("How many people are forced to work in scam operations in Cambodia?")
    assert "300,000" in overall.text and "Sources differ" not in overall.text
    assert "100,000" in cambodia.text and "300,000" not in cambodia.text and "Sources differ" not in cambodia.text


def test_money_whose_currency_word_follows_the_figure(assistant: Assistant) -> None:
    text = "The militia said it spent more than 40 million baht and used 3,000 guards to feed the freed workers."
    answer = ask(assistant, "How much did the militia say it spent on the freed workers?", passage(text, "mb"))
    assert "40 million baht" in answer.text and "3,000" not in answer.text


def test_figure_in_a_relative_clause_takes_the_place_it_qualifies(assistant: Assistant) -> None:
    text = "Police raided a call centre in Port Verlan, where 312 people were arrested: 200 foreigners and 112 locals."
    answer = ask(assistant, "How many people were arrested in the raid in Port Verlan?", passage(text, "rc"))
    assert answer.text.startswith("312 people")


def test_person_named_in_apposition_to_the_asked_role(assistant: Assistant) -> None:
    text = (
        '"The survivors describe a living nightmare, and the government has looked away for years," '
        "said Lena Morgan, Free Voices International's Executive Director."
    )
    answer = ask(assistant, "Who is Free Voices International's director?", passage(text, "ap"))
    assert "Lena Morgan" in answer.text and words(answer) <= 4


def test_organisation_full_name_past_a_linking_word(assistant: Assistant) -> None:
    text = "In a letter, the National Council to Combat Forced Labour said it had received 900 requests for help."
    answer = ask(assistant, "Which body said it had received requests for help?", passage(text, "fl"))
    assert "National Council to Combat Forced Labour" in answer.text


def test_list_of_kinds_follows_the_asked_noun(assistant: Assistant) -> None:
    text = (
        "Critics say the bank or the casino looked away. Workers were forced into online crimes ranging "
        "from romance scams and fake betting sites to identity theft."
    )
    answer = ask(assistant, "What kinds of online crimes were workers forced into?", passage(text, "ks"))
    assert all(item in answer.text.lower() for item in ("romance scams", "fake betting sites", "identity theft"))


def test_a_year_named_once_in_the_article_scopes_its_figures(assistant: Assistant) -> None:
    text = (
        "The raids of March 2025 went on for a week. Officials listed the arrests by town.\n\n"
        "- Port Verlan, on the coast: at least 140 Indonesians, including 30 women;\n"
        "- Ashford Bay: 90 Vietnamese."
    )
    answer = ask(assistant, "How many Indonesians were arrested in Port Verlan in the March 2025 raids?", passage(text, "yr"))
    assert "140 Indonesians" in answer.text


def test_people_from_a_place_are_not_people_held_there(assistant: Assistant) -> None:
    text = "In Lomar province police detained 312 people from Tarvia, Quell and Ostrava on Friday."
    held_in = ask(assistant, "How many people are held in scam compounds in Ostrava?", passage(text, "a"))
    assert "312" not in held_in.text and held_in.text == REFUSAL_PHRASE
    came_from = ask(assistant, "How many people from Ostrava were detained in Lomar province?", passage(text, "a"))
    assert "312 people" in came_from.text


def test_person_the_recogniser_misses_is_found_by_who(assistant: Assistant) -> None:
    text = (
        "The study was presented in Bangkok by Dr. Anan Wongsa, a labour economist at the university. "
        "Among the speakers was the minister, who opened the event. "
        "Wongsa, who wrote the study, said most victims had answered job advertisements."
    )
    answer = ask(assistant, "Who wrote the study?", passage(text, "w"))
    assert "Anan Wongsa" in answer.text and words(answer) <= 5


def test_according_to_an_outlet_answers_from_that_outlet(assistant: Assistant) -> None:
    first = passage("Police said 1,200 workers were freed from the compound.", "a", outlet="Mekong Wire")
    second = passage("Police said 900 workers were freed from the compound.", "b", outlet="Harbour Post")
    answer = ask(assistant, "How many workers were freed from the compound, according to Harbour Post?", first, second)
    assert "900" in answer.text and "1,200" not in answer.text
    assert answer.citations and all(c.doc_id == "b" for c in answer.citations)


def test_list_introduced_by_a_colon_takes_the_item_heads(assistant: Assistant) -> None:
    text = (
        "The survey lists new places where the recruiters now operate:\n\n"
        "1. **Patagonia** - agents posted job offers in local newspapers.\n"
        "2. **Lapland** - two hostels served as holding sites,\n"
        "   according to the police.\n"
        "3. **Tasmania** - a travel agency was used as a front.\n\n"
        "The survey was published in June."
    )
    answer = ask(assistant, "Which places do the recruiters now operate in, according to the survey?", passage(text, "l"))
    assert answer.text.startswith("Patagonia, Lapland and Tasmania")


def test_a_name_with_and_inside_is_not_a_list(assistant: Assistant) -> None:
    text = "The Office on Drugs and Crime warned that scam groups now work from new places in several continents."
    answer = ask(assistant, "Which places have scam groups moved to, according to the warning?", passage(text, "o"))
    assert not answer.text.startswith("Drugs and Crime")


def test_who_answered_by_the_phrase_that_does_the_asked_act(assistant: Assistant) -> None:
    text = (
        "Officials said the lending scheme ran for a decade across the province. "
        "This scheme was financed by “shadow lenders” who charged interest of 30 per cent a month."
    )
    answer = ask(assistant, "Who financed the lending scheme?", passage(text, "w"))
    assert answer.text.lower().startswith("shadow lenders") and words(answer) <= 4
    assert ask(assistant, "Who audited the lending scheme?", passage(text, "w")).text == REFUSAL_PHRASE


# One passage, one question: the answer leads with the asked thing, read the way the id says.
LEADS_WITH = [
    pytest.param(
        "Officials said thousands of workers are held in compounds in Laos. "
        "At a briefing in Vienna on Friday, the agency's spokeswoman said the figures were rising.",
        "Where was the briefing about the figures held?",
        "Vienna",
        id="place-that-belongs-to-the-asked-thing",
    ),
    pytest.param(
        "Thursday The survey - published by the research group on Monday - found that most workers were recruited online.",
        "On what day of the week was the survey published?",
        "Monday",
        id="date-of-the-event-not-the-dateline",
        marks=SPAN_LIMIT,
    ),
    pytest.param(
        'The governor was hopeful: "I think we are seeing 80 to 85 per cent of the gangs already gone," she said.',
        "What share of the gangs did the governor think were already gone?",
        "80 to 85 per cent",
        id="share-given-as-a-range-of-per-cent",
    ),
    pytest.param(
        "- a warehouse on Dock Road in the port district, valued at about €40 million and reported to have been "
        "bought for €32 million in 2019;",
        "How much was the Dock Road warehouse reportedly bought for?",
        "€32 million",
        id="money-of-the-clause-that-says-what-was-asked",
    ),
    pytest.param(
        "The agency's new study on fraud, published in May, is titled *Hidden Ledgers: Money Flows of Online Fraud*.",
        "What is the agency's May study called?",
        "Hidden Ledgers: Money Flows of Online Fraud",
        id="title-in-markdown-emphasis",
        marks=SPAN_LIMIT,
    ),
]


@pytest.mark.parametrize("text, question, lead", LEADS_WITH)
def test_answer_leads_with(assistant: Assistant, text: str, question: str, lead: str) -> None:
    assert ask(assistant, question, passage(text, "x")).text.startswith(lead)


def test_sentence_introducing_a_list_is_answered_with_its_items(assistant: Assistant) -> None:
    text = (
        "3. How the fraud worked\n"
        "The fraud followed a pattern investigators know well:\n"
        "  * Workers contacted strangers through messaging apps and\n"
        "social media.\n"
        "  * They built trust over weeks, posing as friends.\n"
        "  * Victims were persuaded to move savings into fake trading platforms.\n"
        "Prosecutors say the money was laundered through casinos."
    )
    answer = ask(assistant, "How did the fraud work?", passage(text, "a"))
    assert answer.status is AnswerStatus.ANSWERED
    assert "3. How the fraud worked" not in answer.text  # a heading is no answer
    assert "contacted strangers through messaging apps and social media" in answer.text
    assert "fake trading platforms" in answer.text


def test_a_figure_named_in_the_question_picks_its_sentence(assistant: Assistant) -> None:
    text = (
        "Among those handed over were 410 Chinese, 230 Vietnamese and 95 Indonesians, as well as smaller groups "
        "from Laos, Nepal and India. "
        "The handover had first been announced as a group of 48 people from Kenya, Uganda and Ghana."
    )
    answer = ask(
        assistant, "Which nationalities were in the first group of 48 people handed over?", passage(text, "a")
    )
    assert answer.status is AnswerStatus.ANSWERED
    assert all(country in answer.text for country in ("Kenya", "Uganda", "Ghana"))
    assert "Chinese" not in answer.text


def test_a_month_in_the_question_is_met_by_the_article_date(assistant: Assistant) -> None:
    title = "Army takes the Jade River compound"
    lead = passage("Soldiers took the compound and detained hundreds of workers.", "a", date="2025-10-27", title=title)
    reasons = passage(  # a later passage of the same article, which does not name the month
        "The army moved because neighbouring governments pressed it to close the compounds.",
        "a", chunk=1, start=200, date="2025-10-27", title=title,
    )
    answer = ask(assistant, "Why did the army move against the Jade River compound in October 2025?", lead, reasons)
    assert answer.status is AnswerStatus.ANSWERED
    assert "neighbouring governments pressed it" in answer.text


def test_why_question_without_a_cause_word_reaches_past_the_restated_fact(assistant: Assistant) -> None:
    text = (
        "In Norland, for instance, police said 60% of workers who returned from the compounds had been "
        "jailed for fraud. "
        "The country's labour law exempts trafficked workers from being jailed for some offences, but fraud "
        "is not one of them. "
        "Officials in Varos said 300 people were freed last month."
    )
    answer = ask(assistant, "Why are workers who return to Norland jailed?", passage(text, "a"))
    assert answer.status is AnswerStatus.ANSWERED
    assert "labour law exempts trafficked workers" in answer.text
    assert "Varos" not in answer.text


def test_compound_question_is_answered_part_by_part(assistant: Assistant) -> None:
    text = (
        "Commissioner Hala Ruud said the workers were \"prisoners, not partners\" in the fraud. "
        "At a briefing in Varos, spokesman Tomas Ekk said: \"They are prisoners. They are not partners.\""
    )
    answer = ask(
        assistant,
        "Who said the workers were 'prisoners, not partners', and which spokesman said 'They are prisoners'?",
        passage(text, "a"),
    )
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.text.startswith("Hala Ruud [1].") and "Tomas Ekk [1]." in answer.text


@SPAN_LIMIT
def test_a_vague_figure_of_another_act_does_not_count_the_asked_one(assistant: Assistant) -> None:
    text = (
        "Hundreds of thousands of people have been trafficked into the Norland compounds, the report said. "
        "Guards beat workers who tried to flee, and some were killed."
    )
    killed = ask(assistant, "How many workers have been killed trying to flee the Norland compounds?", passage(text, "a"))
    assert killed.text == REFUSAL_PHRASE
    trafficked = ask(assistant, "How many people have been trafficked into the Norland compounds?", passage(text, "a"))
    assert trafficked.text.startswith("Hundreds of thousands of people")


def test_a_list_of_the_asked_places_is_read_from_items_in_the_next_chunk(assistant: Assistant) -> None:
    intro = "Between 14 and 16 July, police arrested more than 900 suspects in at least four provinces:"
    items = (
        "- Tarsa and Velm: more than 200 foreigners and 85 locals;\n"
        "- Orrin, on the river border: at least 270 people, including 45 women;\n"
        "- Kade province, in the north-east: 312 people from five countries."
    )
    # Two consecutive chunks of one article, the chunker's cut at the paragraph break between them.
    first = passage(intro, "a", title="Norland raids")
    second = passage(items, "a", chunk=1, start=len(intro) + 1, title="Norland raids")
    answer = ask(assistant, "In which provinces did police carry out raids between 14 and 16 July?", first, second)
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.text.startswith("Tarsa and Velm, Orrin and Kade province")
    assert answer.citations[0].chunk_id == "a:1"  # the items' chunk supports the list


def test_which_court_is_answered_by_a_court_or_refused(assistant: Assistant) -> None:
    text = (
        "Tomas Ekk, the founder of the Silver Reef Group, is now in custody in Varos. "
        "He was arrested on 6 January and handed over the next day."
    )
    answer = ask(assistant, "Which court sentenced Tomas Ekk?", passage(text, "a"))
    assert answer.text == REFUSAL_PHRASE  # neither "Silver Reef Group" nor a sentence naming no court
    sentenced = passage("The Varos High Court sentenced Tomas Ekk to twelve years in March.", "b")
    answer = ask(assistant, "Which court sentenced Tomas Ekk?", passage(text, "a"), sentenced)
    assert answer.text.startswith("The Varos High Court") or answer.text.startswith("Varos High Court")


def test_a_name_set_beside_the_asked_noun_names_it(assistant: Assistant) -> None:
    text = (
        "The Orrin family ran several businesses in the border town, including a hotel and a bank. "
        "The case centred on Crouching Heron Villa, a compound in the town of Tarsa owned by the family, "
        "where guards opened fire on workers who tried to leave."
    )
    answer = ask(assistant, "What is the name of the compound at the centre of the Orrin family case?", passage(text, "a"))
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.text.startswith("Crouching Heron Villa [1]")


def test_an_acronym_covers_the_long_form_the_question_uses(assistant: Assistant) -> None:
    text = (
        "The River Guard Militia (RGM) that controls Tarsa says it has sent 7,000 foreigners home since February. "
        "RGM spokesman Major Oren Kask said the people repatriated came from more than 30 countries."
    )
    question = "Who is the River Guard Militia spokesman who gave the repatriation figures?"
    ranked = rank_sentences(analyse(question), [passage(text, "a")], assistant.encoder)
    spokesman = next(c for c in ranked if c.text.startswith("RGM spokesman"))
    # Key terms river, guard, militia, spokesman, gave, repatriation, figures: the sentence has five,
    # three of them through "RGM".
    assert spokesman.coverage >= 5 / 7
    answer = ask(assistant, question, passage(text, "a"))
    assert "Oren Kask" in answer.text


def test_a_what_noun_question_needs_a_sentence_naming_that_noun(assistant: Assistant) -> None:
    bio = passage(
        "Tomas Ekk, 41, was born in Tarsa and holds Norland and Varos citizenship. He founded the Silver Reef "
        "Group in 2015 and was handed to Varos in January.",
        "a",
    )
    assert ask(assistant, "What prison sentence did Tomas Ekk receive in Varos?", bio).text == REFUSAL_PHRASE
    sentenced = passage("In March a Varos court gave Tomas Ekk a prison sentence of twelve years for fraud.", "b")
    answer = ask(assistant, "What prison sentence did Tomas Ekk receive in Varos?", bio, sentenced)
    assert "twelve years" in answer.text


# One passage, one question: the answer leads with the asked thing and leaves out what the id says.
LEADS_WITHOUT = [
    pytest.param(
        "Charities warn young people before they are recruited into the compounds. "
        "Most workers were recruited through advertisements on messaging apps that promised office jobs.",
        "How are workers recruited?",
        "Most workers were recruited through advertisements",
        "Charities warn",
        id="how-question-skips-a-mere-mention-of-the-verb",
    ),
    pytest.param(
        # The better-ranked sentence lists places; the list asked for follows the question's verb.
        "A year after Governor Rask closed the gaming hubs, officials in Tarsa, Velm, Orrin and Kade say most "
        "of the trade is gone. "
        "In a speech on 3 May, Governor Rask declared: \"From today, all gaming hubs are closed.\" "
        "He said the operators had been posing as legitimate firms while moving into \"extortion, money "
        "laundering, kidnapping and forced labour\".",
        "What crimes did Governor Rask say the gaming hubs had moved into?",
        "extortion, money laundering, kidnapping and forced labour",
        "Tarsa",
        id="list-after-the-asked-verb-a-little-further-down",
    ),
    pytest.param(
        "Most of the compounds in Norland are located in lawless hill districts which lack any police "
        "presence, the report said. Separately, officials in Varos said 300 people were freed last month.",
        "Where are most of the compounds in Norland located?",
        "In lawless hill districts [1]",
        "Varos",
        id="where-answered-by-the-place-the-best-sentence-describes",
        marks=SPAN_LIMIT,
    ),
    pytest.param(
        "Most of the compounds in Norland are located in Tarsa province, near the river border.",
        "Where are most of the compounds in Norland located?",
        "Tarsa",
        "lawless",
        id="where-still-answered-by-a-named-place",
    ),
    pytest.param(
        "The Harbor Pearl Group holds most of the zone's land. "
        "Its chairman, the property developer Tomas Reyvik, has been under sanctions since 2019. "
        "The group's lawyer, Ana Lusk, declined to comment.",
        "Who is the chairman of the Harbor Pearl Group?",
        "Tomas Reyvik",
        "Lusk",
        id="person-in-apposition-to-a-noun-in-apposition-to-the-role",
    ),
    pytest.param(
        "Officials say close to 3,000 suspects have been arrested at the Varos compound since 2021. "
        "On 4 May police detained 640 people there: 410 men and 230 women from nine countries.",
        "How many women were detained at the Varos compound on 4 May?",
        "230 women",
        "3,000",
        id="figure-of-the-asked-noun-before-one-of-people-in-general",
        marks=SPAN_LIMIT,
    ),
    pytest.param(
        '"The trade keeps moving," said Mira Castell, a senior researcher at the Delta Institute.',
        "Who is Mira Castell?",
        "A senior researcher at the Delta Institute",
        "trade",
        id="who-is-a-named-person-answered-by-the-apposition",
    ),
    pytest.param(
        "Delta Institute researcher Mira Castell said the trade keeps moving to new countries.",
        "Who is Mira Castell?",
        "Delta Institute researcher",
        "moving",
        id="who-is-a-named-person-answered-by-the-title-before-the-name",
    ),
    pytest.param(
        "Tomas Reyvik has been detained since March 2024, his lawyer said.",
        "When was Tomas Reyvik detained?",
        "March 2024",
        "lawyer",
        id="since-date-answers-when-the-sentence-tells-the-asked-act",
    ),
    pytest.param(
        "The Varos compound opened in early 2020. Officials said its demolition will be finished by March 2026.",
        "When will the demolition of the Varos compound be finished?",
        "March 2026",
        "2020",
        id="when-will-answered-by-a-date-to-come",
    ),
]

# Near misses: the passage tells of something close to what is asked, not of it.
REFUSED = [
    pytest.param(
        "Police detained 500 people in the raid on the Varos compound, 77 of them Chinese nationals. "
        "Officers from Laos and Vietnam took part in the raid.",
        "How many Vietnamese nationals were detained in the raid on the Varos compound?",
        id="figure-of-other-nationals-does-not-count-the-asked-ones",
    ),
    pytest.param(
        "In Varos province, 77 suspects were arrested in April 2024, police said.",
        "How many suspects were arrested in Varos province in April 2025?",
        id="figure-dated-in-another-year-than-the-asked-one",
    ),
    pytest.param(
        "The developer Tomas Reyvik has been under sanctions since 2019 for money laundering.",
        "When were the sanctions on Tomas Reyvik lifted?",
        id="since-date-of-a-state-does-not-date-another-act",
    ),
    pytest.param(
        "The Varos compound opened in early 2020. Its demolition began in November 2024 and is continuing.",
        "When will the demolition of the Varos compound be finished?",
        id="when-will-not-answered-by-a-past-date",
    ),
]


@pytest.mark.parametrize("text, question", REFUSED)
def test_near_miss_is_refused(assistant: Assistant, text: str, question: str) -> None:
    answer = ask(assistant, question, passage(text, "x", date="2025-11-24"))
    assert answer.text == REFUSAL_PHRASE, answer.text


def test_figure_in_the_asked_year_still_answers(assistant: Assistant) -> None:
    """The control for the year near miss: the same passage answers its own year."""
    text = "In Varos province, 77 suspects were arrested in April 2024, police said."
    answer = ask(assistant, "How many suspects were arrested in Varos province in April 2024?", passage(text, "x", date="2025-11-24"))
    assert answer.text.startswith("77 suspects")


def test_question_of_names_only_passes_the_retrieval_gate(assistant: Assistant) -> None:
    """ "Who is Mira Castell?" is barely similar to any passage; a passage naming her is about her."""
    text = '"The trade keeps moving," said Mira Castell, a senior researcher at the Delta Institute.'
    faint = passage(text, "x").model_copy(update={"dense_score": 0.05})
    answer = ask(assistant, "Who is Mira Castell?", faint)
    assert answer.text.startswith("A senior researcher at the Delta Institute")
    other = ask(assistant, "Who is Jon Parrow?", faint)
    assert other.refused


@pytest.mark.parametrize("text, question, lead, left_out", LEADS_WITHOUT)
def test_answer_leads_without(assistant: Assistant, text: str, question: str, lead: str, left_out: str) -> None:
    answer = ask(assistant, question, passage(text, "x"))
    assert answer.status is AnswerStatus.ANSWERED
    assert answer.text.lower().startswith(lead.lower())
    assert left_out not in answer.text


def test_a_name_the_recogniser_takes_for_a_place_is_a_person_by_its_role(assistant: Assistant) -> None:
    """spaCy's small English model labels "Pia Oberoi" here a GPE (and many Asian names nothing): the
    person noun in apposition ("a senior adviser") says it is a person."""
    text = "The report on the compounds was written by Pia Oberoi, a senior adviser at the UN human rights office."
    source = passage(text, "a")
    assert ask(assistant, "Who wrote the report on the compounds?", source).text == "Pia Oberoi [1]."
    assert ask(assistant, "Who is the adviser at the UN human rights office?", source).text == "Pia Oberoi [1]."
    described = ask(assistant, "Who is Pia Oberoi?", source)
    assert described.text == "A senior adviser at the UN human rights office [1]."
    # A place in apposition to a non-person noun stays a place.
    town = passage("The raid took place in Mae Sot, a border town, in May.", "b")
    assert ask(assistant, "Who led the raid in Mae Sot?", town).text == REFUSAL_PHRASE


def test_the_day_of_a_date_is_not_a_count(assistant: Assistant) -> None:
    flights = passage("The flights ran as follows.\n- Monday 10 November: 197 Norlanders on two flights;", "f")
    answer = ask(assistant, "How many women were among the Norlanders flown out on 10 November?", flights)
    assert answer.text == REFUSAL_PHRASE


def test_a_figure_of_another_day_or_a_day_of_the_month_is_not_the_count(assistant: Assistant) -> None:
    flights = passage(
        "The air force ran three flights from the border airport.\n"
        "- Monday 3 March: 140 Norlanders, including 12 women;\n"
        "- Friday 7 March: 96 Norlanders on one flight;\n"
        "- Sunday 9 March: 120 Norlanders, including 30 women.",
        "f",
    )
    assert "96" in ask(assistant, "How many Norlanders were flown out on 7 March?", flights).text
    # No day gives women among the 96: not "7" (the day), not "96" (given), not another day's women.
    answer = ask(assistant, "How many women were among the 96 Norlanders flown out on 7 March?", flights)
    assert answer.text == REFUSAL_PHRASE


@SPAN_LIMIT
def test_a_bare_count_after_the_figure_the_question_gives(assistant: Assistant) -> None:
    """ "Of the 40, 31 had been detained": 31 (the small model calls it a date), not 40 (given)."""
    text = (
        "Forty Norlanders held in Varos were flown home on 2 May. Of the 40, 31 had been detained in raids on "
        "the compounds; the other nine had asked the embassy for help."
    )
    answer = ask(assistant, "Of the 40 Norlanders flown home from Varos, how many had been detained in raids?", passage(text, "a"))
    assert answer.text.startswith("31")


def test_another_familys_figure_is_not_an_answer(assistant: Assistant) -> None:
    """The article names the Castell family elsewhere, but the figure's sentence is about someone else."""
    text = (
        "The ruling came a year after the Castell family trial. Judges heard evidence for eleven weeks. "
        "The court named Ruben Oyelaran as the head of the syndicate and found that he had helped to smuggle "
        "about 8 tonnes of cocaine."
    )
    doc = passage(text, "a", title="Court sentences the Oyelaran clan")
    assert ask(assistant, "How many tonnes of cocaine did the Castell family smuggle?", doc).text == REFUSAL_PHRASE
    assert "8 tonnes" in ask(assistant, "How many tonnes of cocaine did Ruben Oyelaran help to smuggle?", doc).text


def test_a_quote_introduced_by_a_colon_is_given_with_its_words(assistant: Assistant) -> None:
    text = (
        "Before the hearing, Ruben Oyelaran read a statement on state television, saying he wished to apologise:\n"
        '"We have harmed thousands of families. I am sorry for what we did," he said. The court adjourned.'
    )
    answer = ask(assistant, "What did Ruben Oyelaran say on state television?", passage(text, "a"))
    assert "We have harmed thousands of families" in answer.text and "adjourned" not in answer.text


def test_an_organisation_described_as_the_asked_kind() -> None:
    """ "the blockchain analytics firm Chainwise" describes Chainwise as the kind "which analytics
    company" asks for (ranked higher among the retrieved sentences' organisations)."""
    from rag.reader.extractors.entity import described_as, kind_words

    kinds = kind_words("Which analytics company put a figure on the market?", "company")
    assert kinds == {"analytic"} or kinds == {"analytics"}
    texts = ["The blockchain analytics firm Chainwise first tracked the market.", "The Norland Treasury cited it."]
    assert described_as("Chainwise", kinds, texts)
    assert not described_as("Norland Treasury", kinds, texts)
    assert kind_words("Which company put a figure on it?", "company") == set()


def test_a_place_described_for_another_subject_of_the_verb_is_not_the_answer(assistant: Assistant) -> None:
    """ "people are *held* in compounds" does not say where a press conference was held."""
    text = (
        "The agency's report says that some 20,000 people are held in guarded compounds. "
        "Its spokesman spoke to journalists in Lisbon on Monday."
    )
    answer = ask(assistant, "Where was the press conference about the agency's report held?", passage(text, "a"))
    assert answer.text.startswith("Lisbon")


def test_when_will_is_not_answered_by_the_date_of_a_past_act(assistant: Assistant) -> None:
    text = (
        "Demolition crews have taken down 200 of the compound's buildings. In December a teenager travelled "
        "to the compound, his family said."
    )
    answer = ask(assistant, "When will the demolition of the compound be finished?", passage(text, "a"))
    assert answer.text == REFUSAL_PHRASE


def test_who_is_answered_with_every_person_listed_together(assistant: Assistant) -> None:
    text = (
        "The court found four defendants guilty of organising the trafficking: Mira Castell, Ruben Oyelaran, "
        "Tomas Varga and Ines Duarte."
    )
    answer = ask(assistant, "Who did the court find guilty of organising the trafficking?", passage(text, "a"))
    assert all(name in answer.text for name in ("Castell", "Oyelaran", "Varga", "Duarte"))


def test_a_quote_of_someone_the_sources_do_not_quote_is_refused(assistant: Assistant) -> None:
    """The question asks what an ambassador said; the only quote is a resident's."""
    text = (
        "The inquiry began when a resident came home from Varos and told police that \"foreigners were working "
        "as scam callers\". Police raided the site in May."
    )
    answer = ask(assistant, "What did the ambassador say about the raid on the site?", passage(text, "a"))
    assert answer.text == REFUSAL_PHRASE


def test_who_spoke_is_read_from_the_question_even_when_tagged_as_a_name() -> None:
    """ "Secretary General" tagged as a proper noun still says who spoke."""
    from rag.reader.extractors.sentences import speaker_nouns

    assert speaker_nouns(analyse("What did Norpol's Secretary General say when the update came out?")) == ["general"]
    assert speaker_nouns(analyse("What did the ambassador say about the raid?")) == ["ambassador"]
    assert speaker_nouns(analyse("What did Mira Castell say about the raid?")) == []


@SPAN_LIMIT
def test_the_figure_of_the_asked_part_of_a_group(assistant: Assistant) -> None:
    """ "who were children": the children among the survivors (a number in words), not all of them."""
    text = "The rights group interviewed 58 survivors of eight nationalities, nine of them children, for its report."
    answer = ask(assistant, "How many survivors did the rights group interview who were children?", passage(text, "a"))
    assert answer.text.lower().startswith("nine")
    assert ask(assistant, "How many survivors did the rights group interview?", passage(text, "a")).text.startswith("58")


def test_one_as_a_pronoun_is_not_a_count(assistant: Assistant) -> None:
    text = (
        "In Norland the national police estimated that most people who returned after being trafficked had been "
        "prosecuted. The law exempts victims from prosecution for some crimes, but scamming is not one of them."
    )
    answer = ask(assistant, "How many people did the Norland police arrest in scam compound raids?", passage(text, "a"))
    assert answer.text == REFUSAL_PHRASE


def test_a_span_of_days_in_the_question_admits_its_days(assistant: Assistant) -> None:
    text = "Police raided compounds in three provinces. On 14 July, 512 people were arrested in the raids."
    answer = ask(assistant, "How many people were arrested in the raids between 13 and 16 July?", passage(text, "a"))
    assert answer.text.startswith("512")


def test_another_family_named_in_the_title_only(assistant: Assistant) -> None:
    """ "the family's gambling" in an article titled on the Oyelaran family is that family's, whatever
    label the small model gives either name; the asked family's own figure answers."""
    asked = passage(
        "The court put the proceeds of the Castell family's smuggling at more than 4 billion pesos.",
        "a",
        title="Court jails eleven members of the Castell family",
    )
    other = passage(
        "The Supreme Court said that the money involved in the family's smuggling exceeded 9 billion pesos.",
        "b",
        title="Varos executes Oyelaran family leaders",
    )
    answer = ask(assistant, "What value did the court put on the Castell family's smuggling?", asked, other)
    assert "4 billion pesos" in answer.text and "9 billion" not in answer.text


def test_a_figure_ends_before_the_conjunction(assistant: Assistant) -> None:
    """The recogniser may end a figure on "and" ("[$216 million and] $639 million"): the answer is the figure."""
    text = "For comparison, the markets Grey Harbor and Blue Quay processed $216 million and $639 million."
    answer = ask(assistant, "How much did Grey Harbor process?", passage(text, "a"))
    assert answer.text.startswith("$216 million [1]") and "and $" not in answer.text


def test_the_place_deep_in_the_asked_verbs_phrase(assistant: Assistant) -> None:
    """ "Where was the body found?": the place in the phrase of "found" ("found in a truck near
    Mount Arden"), not the place of another act in a sentence that names the person."""
    text = (
        "The student, identified by Varosian authorities as Arun Vale, studied at a university in Chungcheong "
        "Province. He left home on 17 July. On 8 August his body was found in a pickup truck near Bokor Mountain "
        "in Kampot province, an area known for fake job offers."
    )
    answer = ask(assistant, "Where was Arun Vale's body found?", passage(text, "a"))
    assert "Bokor Mountain" in answer.text and "Chungcheong" not in answer.text


def test_a_name_that_starts_like_a_question_word_is_no_name_of_the_question(assistant: Assistant) -> None:
    """ "Air" starts "airline" but "Norland Air" is the answer to "which airline", while "Amnesty
    International" is the question's own "Amnesty" (a word for the kind of body need not be there)."""
    text = "After the autopsy the body was cremated and flown home by Norland Air."
    assert ask(assistant, "Which Norlandic airline flew the body home?", passage(text, "a")).text.startswith("Norland Air")
    told = (
        "Amnesty International said the Varos Committee to Combat Human Trafficking had told it of 41 requests "
        "for intervention from foreigners."
    )
    answer = ask(assistant, "Which Varos body told Amnesty about the requests for intervention?", passage(told, "b"))
    assert answer.status is AnswerStatus.ANSWERED and "Amnesty" not in answer.text


def test_a_role_the_sentence_calls_by_another_word(assistant: Assistant) -> None:
    """ "Which Norlandic envoy ...": the sentence says "Norland's ambassador"; "which official said":
    the one who said it, titled "representative". A title of something else does not do."""
    text = "Mira Castell, Norland's ambassador to Varos, went to the border town of Lomar the same day to meet them."
    answer = ask(assistant, "Which Norlandic envoy went to Lomar to meet the freed workers?", passage(text, "a"))
    assert answer.text.startswith("Mira Castell")
    quote = (
        '"What we see now looks like the early stages of the scam industry elsewhere," said Tomas Ribeiro, the '
        "agency's deputy regional representative."
    )
    answer = ask(assistant, "Which agency official said what is seen now looks like the early stages of the scam industry?", passage(quote, "b"))
    assert answer.text.startswith("Tomas Ribeiro")
    other = "Born in 1950, Ruben Oyelaran was once a deputy commander of the Norland Democratic Army."
    assert ask(assistant, "Who is the leader of Norland's military junta?", passage(other, "c")).text == REFUSAL_PHRASE


def test_the_time_a_passage_goes_on_about_is_in_its_lead_in(assistant: Assistant) -> None:
    """Chunks overlap: the year given in the passage before ("landed on 16 December 2024") is the
    time of a passage that names no year before the figure; a passage that gives other years is not."""
    lead_in = passage(
        "On 25 November 2024 embassy officials received 27 more victims at the border. The group flew home and "
        "landed on 16 December 2024.",
        "a",
        chunk=3,
        start=0,
    )
    body = "A monk represented the families. The ministry said 63 Norlanders held in camps in Varos had been repatriated."
    following = passage(body, "a", chunk=4, start=lead_in.end - 10)
    answer = ask(assistant, "By December 2024, how many Norlanders held in camps in Varos had been repatriated?", lead_in, following)
    assert answer.text.startswith("63 Norlanders")
    dated = passage(
        "The court sentenced 11 members of the Castell family in September 2025; they were executed in January "
        "2026. In less than a week, Varos executed 16 members of such families.",
        "a",
        chunk=4,
        start=lead_in.end - 10,
    )
    assert ask(assistant, "How many members of the Castell family were executed in 2024?", lead_in, dated).text == REFUSAL_PHRASE


@SPAN_LIMIT
def test_a_figure_stops_before_a_coordinated_one(assistant: Assistant) -> None:
    """ "489 men and 282 women": the asked part is the women's figure; a phrase does not end on "and"."""
    text = "On 12 August police detained 771 people: 489 men and 282 women from 15 countries."
    answer = ask(assistant, "How many of the people detained on 12 August were women?", passage(text, "a"))
    assert answer.text.startswith("282 women")
    men = ask(assistant, "How many of the people detained on 12 August were men?", passage(text, "a"))
    assert men.text.startswith("489 men [1]")
    share = (
        "The Hong Kong-based Varos Group holds 80 percent of the 3,000-hectare zone and the Lao government the "
        "remaining 20 percent."
    )
    answer = ask(assistant, "What share of the zone does the Varos Group hold?", passage(share, "b"))
    assert answer.text.startswith("80 percent of the 3,000-hectare zone [1]")


def test_money_in_kip(assistant: Assistant) -> None:
    text = "In December the zone's authorities offered a reward of 100 million kip (about US$4,613) for information."
    answer = ask(assistant, "What reward did the zone's authorities offer in December?", passage(text, "a"))
    assert answer.text.startswith("100 million kip")


@SPAN_LIMIT
def test_a_date_asked_with_its_preposition(assistant: Assistant) -> None:
    """ "Since when": the start of the state, which "when" alone does not ask for; "by what date":
    the deadline, not the day the order was given."""
    text = "Its chairman, Ruben Oyelaran, has been under sanctions since 2018 for fraud and bribery."
    assert ask(assistant, "Since when has Ruben Oyelaran been under sanctions?", passage(text, "a")).text.startswith("Since 2018")
    order = "On 9 August the authorities ordered all illegal businesses to leave the zone by 25 August."
    answer = ask(assistant, "By what date were illegal businesses ordered to leave the zone?", passage(order, "b"))
    assert answer.text.startswith("By 25 August")


@SPAN_LIMIT
def test_a_name_given_by_its_acronym(assistant: Assistant) -> None:
    """ "The GLSEZ ... It was set up in 2007": the sentence is about the Golden Lotus Special Economic Zone, which
    the passage spells out once, and ranks as such."""
    text = (
        "Officials say 2,800 suspects have been arrested in the Golden Lotus Special Economic Zone (GLSEZ) since 2023. "
        "The meeting was held inside the zone. The GLSEZ sits on the river where three countries meet. "
        "It was set up in 2007, when the government gave the Harbor Group a long lease on the land."
    )
    answer = ask(assistant, "When was the Golden Lotus Special Economic Zone set up?", passage(text, "a"))
    assert answer.text.startswith("2007")


@SPAN_LIMIT
def test_a_figure_of_another_month_and_a_gapped_figure(assistant: Assistant) -> None:
    """ "19 Norlanders were deported in April 2023 and 25 in November 2023": the 25 counts Norlanders
    too (the noun is gapped) and is November's; the 19 is April's."""
    text = "Earlier transfers were smaller: 19 Norlanders were deported from Varos in April 2023 and 25 in November 2023."
    november = ask(assistant, "How many Norlanders were deported from Varos in November 2023?", passage(text, "a"))
    assert november.text.startswith("25") and "19" not in november.text
    april = ask(assistant, "How many Norlanders were deported from Varos in April 2023?", passage(text, "a"))
    assert april.text.startswith("19 Norlanders") and "25" not in april.text



def test_a_name_right_after_the_asked_noun(assistant: Assistant) -> None:
    """ "What stage name does he go by?": "works under the stage name Starling", not the nationality."""
    text = (
        "Ruben Oyelaran, a 31-year-old Norlandic television actor who works under the stage name Starling, was "
        "contacted by a man who offered him a film role."
    )
    answer = ask(assistant, "What stage name does the actor lured to Varos go by?", passage(text, "a", title="Actor lured to Varos"))
    assert answer.text.startswith("Starling")

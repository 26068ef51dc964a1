"""What a question asks for."""

from __future__ import annotations

from enum import StrEnum


class AnswerType(StrEnum):
    COUNT = "count"  # a number of a unit: "how many people", "how large"
    SHARE = "share"  # a share or fraction: "what share", "what percentage"
    MONEY = "money"  # "how much", "worth", "spent"
    PERSON = "person"  # "who", "which official"
    DESCRIPTION = "description"  # "who is John Wojcik?": the role the sources give a named person
    ORGANISATION = "organisation"  # "which agency", "which court"
    PLACE = "place"  # "where", "which country"
    DATE = "date"  # "when", "what year"
    NAMED_THING = "named_thing"  # "what is it called", "under which law"
    DEFINITION = "definition"  # "what are POGOs?"
    LIST = "list"  # "which countries", "what kinds of"
    REASON = "reason"  # why / how (a process)
    QUOTE = "quote"  # what a named person said
    TREND = "trend"  # change over dated sources
    METADATA = "metadata"  # about the articles themselves: author, outlet, date, which sources say X
    STATEMENT = "statement"  # anything else: the best sentences

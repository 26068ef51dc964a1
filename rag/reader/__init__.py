"""The extractive reader: question analysis, answer extraction per answer type, composition.

    question --analyse--> QuestionAnalysis --rank_sentences--> SentenceCandidates
             --extractor for the answer type--> Reading (answer text with [n] markers) | None

A new answer type is one new file under `extractors/` (an `Extractor`) and its tests, listed in
`extractors/__init__.py`. No rule here knows any article's wording; gold answers never come near.
"""

from rag.reader import nlp  # first: it imports spaCy without torch (see nlp.py)
from rag.reader.answer_types import AnswerType
from rag.reader.question import QuestionAnalysis, analyse
from rag.reader.reader import Reader

__all__ = ["AnswerType", "QuestionAnalysis", "Reader", "analyse", "nlp"]

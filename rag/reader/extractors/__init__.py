"""One extractor per answer type (or a few close ones); `EXTRACTORS` maps each type to its extractor."""

from rag.reader.answer_types import AnswerType
from rag.reader.extractors.article_metadata import ArticleMetadataExtractor
from rag.reader.extractors.base import Extractor, Reading
from rag.reader.extractors.date import DateExtractor
from rag.reader.extractors.description import DescriptionExtractor
from rag.reader.extractors.entity import EntityExtractor
from rag.reader.extractors.list_items import ListExtractor
from rag.reader.extractors.named_thing import NamedThingExtractor
from rag.reader.extractors.quantity import QuantityExtractor
from rag.reader.extractors.sentences import SentenceExtractor

_ALL: list[Extractor] = [
    QuantityExtractor(),
    EntityExtractor(),
    DateExtractor(),
    DescriptionExtractor(),
    NamedThingExtractor(),
    ListExtractor(),
    ArticleMetadataExtractor(),
    SentenceExtractor(),
]
EXTRACTORS: dict[AnswerType, Extractor] = {kind: e for e in _ALL for kind in e.answer_types}
missing = set(AnswerType) - set(EXTRACTORS)
assert not missing, f"answer types without an extractor: {missing}"

__all__ = ["EXTRACTORS", "Extractor", "Reading"]

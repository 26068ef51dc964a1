"""Fine-tune all-MiniLM-L6-v2 into the span reader of `rag/reader/span_model.py`.

    python -m train.span_reader train     # background-safe: checkpoints, resumes, logs progress with an ETA
    python -m train.span_reader export    # ONNX fp32 + int8 into rag/reader/models/span-minilm/
    python -m train.span_reader measure   # SQuAD 1.1 dev sample, SQuAD 2.0 held-out articles, QED dev

Data: `../shared/qa-data/` (never copied into the repository) and the dev set's tune half.
"""

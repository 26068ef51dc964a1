"""Answer generators: extractive (no model), local GGUF, hosted OpenAI-compatible."""

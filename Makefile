# `make run` and `make test` do all the set-up from a fresh clone (offline except PyPI/Debian).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install index run test lint typecheck eval bench torture clean

# torch 2.13.0 first: that pin resolves to the CPU wheel on disk instead of GBs of CUDA packages.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

-include mk/llm.mk
-include mk/ui.mk

index: install
	$(BIN)/rag index --if-stale

# make run LLM=local [MODEL=qwen|smollm2|/path/to.gguf]   or   make run LLM=hosted (RAG_OPENAI__* settings)
run: index $(if $(filter local,$(LLM)),llm-setup) $(if $(filter qwen,$(MODEL)),llm-qwen)
	$(if $(MODEL),RAG_LOCAL__MODEL_PATH=$(MODEL)) $(BIN)/rag serve $(if $(LLM),--preset $(LLM)-llm,)

lint: install
	$(BIN)/ruff check index rag ui eval tests

typecheck: install
	$(BIN)/mypy index rag ui eval

test: install $(if $(wildcard mk/llm.mk),llm-setup) $(if $(wildcard mk/ui.mk),browser-setup) index lint typecheck
	$(BIN)/pytest -q

eval: index
	$(BIN)/rag eval

bench: index
	$(BIN)/python -m eval.bench

# SIGKILL `rag add` / `rag index` at random moments, 20 rounds; prints the defect counts (eval/torture.py)
torture: install
	$(BIN)/python -m eval.torture --rounds $(or $(ROUNDS),20)

clean:
	rm -rf $(VENV) .data test-output .pytest_cache .mypy_cache .ruff_cache

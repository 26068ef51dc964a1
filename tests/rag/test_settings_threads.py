"""llama.cpp threads default to the CPUs this process may use, at most 8."""

from __future__ import annotations

import os

import pytest

from rag.settings import MAX_LLAMA_THREADS, LocalLLMSettings, usable_cpus


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
@pytest.mark.parametrize("allowed,threads", [({0}, 1), ({0, 1, 2}, 3), (set(range(32)), MAX_LLAMA_THREADS)])
def test_threads_follow_the_cpus_the_process_may_use(
    monkeypatch: pytest.MonkeyPatch, allowed: set[int], threads: int
) -> None:
    # A container or `taskset` limit is what sched_getaffinity reports; os.cpu_count() ignores it.
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: allowed)
    assert usable_cpus() == len(allowed)
    assert LocalLLMSettings().n_threads == threads
    assert LocalLLMSettings(n_threads=5).n_threads == 5  # an explicit setting wins

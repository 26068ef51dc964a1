"""One overall time limit per answer, whatever the generator does inside it (retries, a hung socket).

A client's own timeout is per attempt: with retries and backoff a server that accepts and never
replies holds an answer for minutes. Here the generator runs in a worker thread and the caller
waits at most until the deadline; then the worker is told to stop at its next piece and the caller
gets `DeadlineExceeded` at once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class DeadlineExceeded(TimeoutError):
    """The answer's time limit ran out; the message says which step was waiting."""


class Deadline:
    """A point in time (monotonic clock) by which the answer must be complete."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def exceeded(self, step: str) -> DeadlineExceeded:
        return DeadlineExceeded(f"{step} did not finish within the answer's {self.seconds:g} s deadline (answer.deadline_s)")

    def iterate(self, source: Iterator[T], step: str) -> Iterator[T]:
        """Yield what `source` yields until it ends or the deadline passes (then DeadlineExceeded)."""
        items: queue.Queue[object] = queue.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                for item in source:
                    if cancelled.is_set():
                        break
                    items.put(item)
                items.put(_DONE)
            except BaseException as err:  # handed to the caller, raised there
                items.put(err)
            finally:
                close = getattr(source, "close", None)
                if close is not None:
                    close()  # a generator stops its model or request here

        threading.Thread(target=produce, name=f"deadline:{step}", daemon=True).start()
        try:
            while True:
                try:
                    item = items.get(timeout=self.remaining())
                except queue.Empty:
                    raise self.exceeded(step) from None
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            cancelled.set()

    def call(self, fn: Callable[[], T], step: str) -> T:
        """`fn()` if it returns before the deadline, else DeadlineExceeded."""

        def once() -> Iterator[T]:
            yield fn()

        for result in self.iterate(once(), step):
            return result
        raise self.exceeded(step)  # unreachable: once() always yields or raises

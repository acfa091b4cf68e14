"""Calls made at the same moment from threads, for the tests of races (shared by the tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections


def at_once(call: Callable[[Any], Any], arguments: Sequence[Any]) -> list[Any]:
    """`call(a)` for each of `arguments`, each in its own thread, all released together;
    their results in the order given. Each thread closes its database connections (Django
    opens one per thread); any error in a thread fails the test here."""
    results: list[Any] = [None] * len(arguments)
    errors: list[BaseException] = []
    start = threading.Barrier(len(arguments))

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = call(arguments[index])
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(arguments))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results

"""The cyclic garbage collector paused around work that makes many small objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, back as it was after (a block inside another leaves it off).

    Tens of thousands of tuples (spans, rows) made at once set off dozens of the collector's passes, each walking
    them again although they form no cycles: a fifth of a dense import's time, a few milliseconds of an open.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

"""The `rules` suggestion source on the sample articles: speed, and whether a 1 MB article would block the window.

`python bench/suggest_bench.py [--quick]`. Prints Result lines as bench/run.py does: our figure, a baseline
measured in the same run (tokenizing the same text, which every source needs first), the ratio and the target.
The window runs a source in a worker thread; "stall" is the longest the main thread waits for the GIL while
the worker makes suggestions for a 1 MB article (a ticker on the main thread wakes every 5 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import Result  # noqa: E402


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _article(samples: list[str], size: int) -> str:
    text = "\n\n".join(samples)
    return (text + "\n\n") * (size // (len(text) + 2)) + text[: size % (len(text) + 2)]


def _stall(work: Callable[[], object]) -> tuple[float, float]:
    """(seconds the work took in a worker thread, the longest gap between the main thread's 5 ms ticks)."""
    done = threading.Event()
    took = [0.0]

    def worker() -> None:
        start = time.perf_counter()
        work()
        took[0] = time.perf_counter() - start
        done.set()

    thread = threading.Thread(target=worker)
    longest = 0.0
    last = time.perf_counter()
    thread.start()
    while not done.wait(0.005):
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    thread.join(timeout=600)
    # A worker that holds the GIL to its end leaves the ticker no turn at all: that wait counts too.
    return took[0], max(longest, time.perf_counter() - last)


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(1000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 200 KB article instead of 1 MB")
    args = parser.parse_args()
    from annotator.nlp.suggest.rules import propose
    from annotator.nlp.tokens import tokenize
    from annotator.resources import sample_articles

    samples = [p.read_text(encoding="utf-8") for p in sample_articles()]
    start = time.perf_counter()
    propose(samples[0], "en")  # the first call loads the gazetteer and builds the matchers
    print("first call (loads the gazetteer, builds the matchers): "
          f"{time.perf_counter() - start:.2f} s", flush=True)

    results = []
    total_chars = sum(len(s) for s in samples)
    count = sum(len(propose(s, "en")) for s in samples)
    ours = _median(lambda: [propose(s, "en") for s in samples], 20)
    base = _median(lambda: [tokenize(s, "en") for s in samples], 20)
    results.append(Result("samples", f"rules on the {len(samples)} sample articles ({total_chars} chars, "
                          f"{count} suggestions)", ours * 1000, base * 1000, "ms", ours / base, "-", None,
                          f"{count / ours:,.0f} suggestions/s, {count / total_chars * 1000:.1f} per 1,000 chars, "
                          f"{ours / total_chars * 1e6:.2f} ms per 1,000 chars"))
    five = _article(samples, 5_000)
    ours = _median(lambda: propose(five, "en"), 20)
    base = _median(lambda: tokenize(five, "en"), 20)
    results.append(Result("5k", "rules on a 5,000-character article", ours * 1000, base * 1000, "ms", ours / base,
                          "<= 100 ms", ours <= 0.1))
    size = 200_000 if args.quick else 1_000_000
    big = _article(samples, size)
    found = len(propose(big, "en"))
    ours, stall = _stall(lambda: propose(big, "en"))
    base, one_call = _stall(lambda: tokenize(big, "en"))
    # What a busy machine alone costs the main thread: a worker running plain Python (which lets the GIL go
    # every 5 ms) for as long as the rules ran.
    _, noise = _stall(lambda: _busy(ours))
    results.append(Result("1MB" if size == 1_000_000 else "200KB", f"rules on a {size:,}-character article",
                          ours, base, "s", ours / base, "-", None,
                          f"{found:,} suggestions, {found / ours:,.0f}/s, {ours / size * 1e6:.2f} ms per 1,000 "
                          "chars; baseline: tokenizing it"))
    results.append(Result("stall", "longest main-thread stall while a worker runs it", stall * 1000,
                          noise * 1000, "ms", stall / noise if noise else None, "<= 50 ms", stall <= 0.05,
                          f"baseline: a plain-Python worker; tokenizing the article in one call stalls "
                          f"{one_call * 1000:.0f} ms"))
    for result in results:
        print(result.line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

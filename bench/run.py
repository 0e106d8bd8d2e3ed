"""Benchmarks: each prints our figure, a baseline measured in the same run on the same data, the ratio,
the target and whether it is met.  `python bench/run.py [--quick] [--json PATH] [--only a,b]`.

Data is generated here (seeded). Timings are wall-clock medians of a few runs where runs are cheap.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


@dataclass
class Result:
    name: str
    what: str
    ours: float
    baseline: float | None
    unit: str
    ratio: float | None
    target: str
    met: bool | None
    note: str = ""

    def line(self) -> str:
        base = "-" if self.baseline is None else f"{self.baseline:.4g} {self.unit}"
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        verdict = {True: "MET", False: "MISSED", None: "n/a"}[self.met]
        return (f"{self.name:<8} ours {self.ours:.4g} {self.unit:<7} baseline {base:<16} ratio {ratio:<7} "
                f"target {self.target:<22} {verdict}  {self.note}")


def run_alone(bench: Callable[[Any], Iterator[Result]], description: str | None, quick: str) -> int:
    """A script of one benchmark run by itself (`python bench/NAME_bench.py [--quick]`): its Result lines printed."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick)
    args = parser.parse_args()
    import benchmarks

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        for result in bench(benchmarks.Context(Path(tmp), args.quick)):
            print(result.line(), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import benchmarks

    selected = [b for b in benchmarks.ALL if not args.only or b.__name__.removeprefix("bench_") in args.only.split(",")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        context = benchmarks.Context(Path(tmp), args.quick)
        for bench in selected:
            for result in bench(context):
                results.append(result)
                print(result.line(), flush=True)
    if args.json:
        args.json.write_text(json.dumps({
            "quick": args.quick, "python": platform.python_version(), "machine": platform.machine(),
            "results": [asdict(r) for r in results],
        }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The first read of a project's tagged strings (what `occurrences` looks for), as the window's worker does it.

`python bench/run.py --only tagged_read` (or `python bench/tagged_read_bench.py [--quick]`). Figures, each against
the read before this change measured in the same run (SQL's substr per span, which walks the text from its start for
every span), the two asserted to give the same strings; ours with the collector paused, as the window's worker
reads them (services/live_suggestions.py):
- tagged-1mb: the read on a project of one 1 MB article with 10,000 spans (bench/gui_bench.py's article); the note
  says the longest the GUI thread waited for the GIL during it (a 5 ms ticker), ours and before.
- tagged-big: the read on a project of 100,000 short articles (10,000 with --quick), 3 spans each, some with emoji
  and CJK; the note says the longest stretch between two pause points (how long an open could wait on it) and the
  longest GUI-thread wait, ours and before.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from data import write_jsonl  # noqa: E402
from run import Result, run_alone  # noqa: E402

PLACES = ["Velmora", "Ostrava Bay", "東京", "Řeka 🌊", "大阪", "Hrebenka", "Saltmere", "Lindgrad 🏳️‍🌈"]


def substr_read(s: Any, project_id: int) -> list[tuple[int, str, str]]:
    """The read before this change: one query, substr(document.text, start + 1, end - start) per span."""
    from sqlalchemy import func, select

    from annotator.domain.layers import OwnerKind
    from annotator.storage.models import AnnotatorRow, DocumentRow, LabelRow, SpanRow

    text = func.substr(DocumentRow.text, SpanRow.start + 1, SpanRow.end - SpanRow.start)
    query = (
        select(SpanRow.id, text, LabelRow.name)
        .join(DocumentRow, DocumentRow.id == SpanRow.document_id)
        .join(LabelRow, LabelRow.id == SpanRow.label_id)
        .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
        .where(DocumentRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)
    )
    return [(i, string, label) for i, string, label in s.execute(query)]


def short_articles(n: int, rng: random.Random) -> list[tuple[str, list[tuple[int, int, str]]]]:
    docs = []
    for k in range(n):
        places = rng.sample(PLACES, 3)
        parts = [f"Article {k}: the river rose near {places[0]} on Monday, and more than {k * 7:,} people left",
                 f"for {places[1]}; officials in {places[2]} said the roads were open again by the evening."]
        text = " ".join(parts) * 2
        spans = []
        for place in places:
            start = text.index(place)
            spans.append((start, start + len(place), "LOCATION"))
        docs.append((text, spans))
    return docs


def _project(ws: Any, path: Path) -> int:
    from annotator.services.importing import import_paths

    summary = import_paths(ws, [path], project=path.stem, annotator="ana", fmt="prodigy")
    assert not summary.errors, summary.lines()
    with ws.unit() as repo:
        return int(repo.projects.by_name(path.stem).id)


def _timed(work: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def bench_tagged_read(ctx: Any) -> Iterator[Result]:  # benchmarks.Context
    """What was alive before is kept out of the collector's full passes, as the window does after start-up
    (app.settle_memory): else those passes over the bench's own heap are most of the longest stretch."""
    gc.collect()
    gc.freeze()
    try:
        yield from _bench(ctx)
    finally:
        gc.unfreeze()


def _bench(ctx: Any) -> Iterator[Result]:
    from gui_bench import make_article, make_spans
    from suggest_bench import _stall

    from annotator import collector
    from annotator.services.workspace import open_workspace
    from annotator.storage.suggestion_store import SuggestionStore

    quick, tmp = bool(ctx.quick), Path(ctx.tmp)
    size, count = (200_000, 2_000) if quick else (1_000_000, 10_000)
    text = make_article(size)
    spans = [(int(s["start"]), int(s["end"]), str(s["label"])) for s in make_spans(text, count)]  # type: ignore
    ws = open_workspace(tmp / "tagged.db")
    one = _project(ws, write_jsonl([(text, spans)], tmp / "article.jsonl"))
    n = 10_000 if quick else 100_000
    many = _project(ws, write_jsonl(short_articles(n, random.Random(5)), tmp / "many.jsonl"))

    def ours(project_id: int, pause: Any = lambda: None) -> list[tuple[int, str, str]]:
        with collector.paused(), ws.unit() as repo:  # as LiveSources reads them
            return SuggestionStore(repo.s).tagged_spans(project_id, pause=pause)

    def before(project_id: int) -> list[tuple[int, str, str]]:
        with ws.unit() as repo:
            return substr_read(repo.s, project_id)

    ours(one), before(one)  # the database's pages warm alike for both
    took, read = _timed(lambda: ours(one), 3)
    old, old_read = _timed(lambda: before(one), 1 if not quick else 3)
    assert sorted(read) == sorted(old_read) and len(read) == len(spans)
    _, stall = _stall(lambda: ours(one))
    _, old_stall = _stall(lambda: before(one))
    yield Result("tagged-1mb", f"first read of the tagged strings, one {size // 1000} KB article, {len(spans):,} "
                 "spans", took * 1000, old * 1000, "ms", took / old, "<= 0.1x the substr read", took <= 0.1 * old,
                 f"longest GUI-thread wait during it {stall * 1000:.0f} ms (substr read: {old_stall * 1000:.0f} ms)")

    gaps: list[float] = []
    last = [0.0]

    def pause() -> None:
        now = time.perf_counter()
        if last[0]:
            gaps.append(now - last[0])
        last[0] = now

    ours(many), before(many)
    took, read = _timed(lambda: ours(many), 5)
    old, old_read = _timed(lambda: before(many), 5)
    assert sorted(read) == sorted(old_read) and len(read) == 3 * n
    del read, old_read
    last[0] = 0.0
    ours(many, pause)
    _, stall = _stall(lambda: ours(many))
    _, old_stall = _stall(lambda: before(many))
    yield Result("tagged-big", f"first read of the tagged strings, {n:,} articles, {3 * n:,} spans", took * 1000,
                 old * 1000, "ms", took / old, "<= 1.5x the substr read", took <= 1.5 * old,
                 f"longest stretch between two pause points {max(gaps) * 1000:.1f} ms; longest GUI-thread wait "
                 f"{stall * 1000:.0f} ms (substr read: {old_stall * 1000:.0f} ms)")
    ws.close()


def main() -> int:
    return run_alone(bench_tagged_read, __doc__, "a 200 KB article and 10,000 short ones")

if __name__ == "__main__":
    raise SystemExit(main())

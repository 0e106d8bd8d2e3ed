"""A compound undo step written as the window writes it (ADR 0015's amendment): the parts of one step in one
transaction (`Workspace.together`), against the same parts each in a transaction of its own (the window before
the change, the baseline), on a SQLite file, in the same process and on the same rows.

`python bench/run.py --only steps` (or `python bench/steps_bench.py [--quick]`). Figures:
- steps-links: taking a claim's three proposed links (Enter) and its undo, per step, median.
- steps-span: change_spans' kind of step: two spans removed, one relabelled, two added, and its undo, per step.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import Result, run_alone  # noqa: E402

ARTICLE = ("More than 12,000 residents have left Velmora since Monday, harbour master Irena Dobric said on "
           "Wednesday.\nThe ferry to Ostrel runs twice a day, the port office of Dorvan said.\n")
PROJECT, ANNOTATOR = "bench", "bench"


def _median_ms(step: Callable[[], None], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        step()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _at(phrase: str) -> tuple[int, int]:
    start = ARTICLE.index(phrase)
    return start, start + len(phrase)


class _Steps:
    """The services the window's commands call, on one article, with what each step writes and takes back."""

    def __init__(self, folder: Path) -> None:
        from annotator.services.importing import import_paths
        from annotator.services.relations import Frames
        from annotator.services.workspace import ensure_project, open_workspace

        self.ws = open_workspace(folder / "steps.db")
        text = folder / "article.txt"
        text.write_text(ARTICLE, encoding="utf-8")
        import_paths(self.ws, [text], project=PROJECT, annotator=ANNOTATOR, fmt="txt")
        self.frames = Frames(self.ws, ensure_project(self.ws, PROJECT, "en").id, ANNOTATOR)
        self.notes = self.frames.notes
        self.doc = self.notes.list_documents()[0].id
        self.claim = self.notes.add_span(self.doc, "CLAIM", *_at("More than 12,000 residents have left Velmora"))[0]
        self.children = [self.notes.add_span(self.doc, label, *_at(phrase))[0] for label, phrase in
                         (("FIGURE", "More than 12,000 residents"), ("LOCATION", "Velmora"),
                          ("SOURCE", "Irena Dobric"))]
        self.extra = [self.notes.add_span(self.doc, label, *_at(phrase))[0] for label, phrase in
                      (("LOCATION", "Ostrel"), ("SOURCE", "port office of Dorvan"))]

    def links(self, run: Callable[[Callable[[], Any]], Any]) -> None:
        """Three links taken and then undone: two steps, each written by `run`."""
        kinds = ("figure", "where", "said_by")
        made = run(lambda: [self.frames.link(self.claim.id or 0, child.id or 0, kind)[0]
                            for child, kind in zip(self.children, kinds, strict=True)])
        run(lambda: [self.frames.unlink(relation) for relation in reversed(made)])

    def spans(self, run: Callable[[Callable[[], Any]], Any]) -> None:
        """Two spans removed, one relabelled, two added; then all of it taken back (the removed two with their
        ids, as an undo does): two steps."""
        notes, doc = self.notes, self.doc
        source = self.children[2]

        def forth() -> list[Any]:
            for span in self.extra:
                notes.remove_span(span.id or 0, expected=span, document_id=doc)
            notes.relabel(source.id or 0, "LOCATION", expected=source, document_id=doc)
            return [notes.add_span(doc, "FIGURE", *_at("twice a day"))[0],
                    notes.add_span(doc, "LOCATION", *_at("Dorvan"))[0]]

        added = run(forth)

        def back() -> None:
            for span in reversed(added):
                notes.remove_span(span.id or 0, expected=span, document_id=doc)
            notes.relabel(source.id or 0, "SOURCE", expected=source._replace(label="LOCATION"), document_id=doc)
            for span in reversed(self.extra):
                notes.add_span(doc, span.label, span.start, span.end, span_id=span.id)

        run(back)

    def close(self) -> None:
        self.ws.close()


def _apart(write: Callable[[], Any]) -> Any:
    return write()  # each service call its own transaction, as before


def bench_steps(ctx: Any) -> Iterator[Result]:
    rounds = 30 if ctx.quick else 200
    steps = _Steps(Path(ctx.tmp))
    try:
        for name, what, step in (("steps-links", "3 links taken + undone, per step", steps.links),
                                 ("steps-span", "5 span changes + undone, per step", steps.spans)):
            ours = base = 0.0
            for _ in range(2):  # interleaved, so that the machine's load falls on both alike
                ours += _median_ms(lambda s=step: s(steps.ws.together), rounds) / 4  # two steps a round
                base += _median_ms(lambda s=step: s(_apart), rounds) / 4
            yield Result(name, what, ours, base, "ms", ours / base, "<= 1x baseline", ours <= base)
    finally:
        steps.close()


def main() -> int:
    return run_alone(bench_steps, __doc__, "30 rounds instead of 200")

if __name__ == "__main__":
    raise SystemExit(main())

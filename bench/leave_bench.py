"""Leaving a long article while the window's worker runs the rules on it: how long until the next document's
suggestions are shown, offscreen.

    QT_QPA_PLATFORM=offscreen python bench/leave_bench.py [--quick] [--rounds 3]

Each round opens a new 1 MB article (the rules take seconds on it), waits until the worker has run on it for a
while, then opens a short article and times until that article's ghosts are shown (ours); then, with the worker
idle, opens another short article and times the same (the baseline: the cost of a short article's suggestions
alone). A run cut short on the article left ends at its next pause point (ADR 0016): the ratio is then near 1;
a run that goes on to the end makes the next document wait for it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHORT = ("Floods reached Velmora on Monday\n\nMore than {n},000 residents have left the river port since Monday, "
         "the regional emergency service said on Wednesday.\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 200 kB article")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    size = 200_000 if args.quick else 1_000_000

    from gui_bench import make_article
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtTest import QTest

    from annotator.app import application, open_main_window, settle_memory
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project, open_workspace

    app = application()
    with tempfile.TemporaryDirectory(prefix="annotator-leave-bench-") as tmp:
        root = Path(tmp)
        texts = []
        for n in range(args.rounds):  # per round: a long article never run on, and two short ones
            texts += [make_article(size, seed=n), SHORT.format(n=10 + 2 * n), SHORT.format(n=11 + 2 * n)]
        texts.append(SHORT.format(n=99))  # where the window starts
        source = root / "articles.jsonl"
        source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        ws = open_workspace(root / "bench.db")
        import_paths(ws, [source], project="bench", annotator="bench", fmt="prodigy")
        notes = Annotations(ws, ensure_project(ws, "bench").id, "bench")
        ids = [d.id for d in notes.list_documents(limit=10**6)]
        store = QSettings(str(root / "s.ini"), QSettings.Format.IniFormat)
        window = open_main_window(ws, project="bench", annotator="bench", store=store, document_id=ids[-1])
        window.resize(1400, 900)
        window.show()
        QTest.qWaitForWindowActive(window)

        def pump() -> None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)

        def idle() -> None:
            while window.suggestions.waiting_for_paint or window.runner.busy:
                pump()

        def ghosts_after_opening(document_id: int) -> float:
            began = time.perf_counter()
            window.session.open_document(document_id)
            while not window.suggestions.shown():
                pump()
            return time.perf_counter() - began

        idle()  # spaCy imported, the rules' matchers built
        settle_memory()
        ours, base = [], []
        for n in range(args.rounds):
            long, first, second = ids[3 * n: 3 * n + 3]
            window.session.open_document(long)
            began = time.perf_counter()
            while time.perf_counter() - began < 0.5:  # the worker is well into the rules on the long article
                pump()
            if not window.runner.busy:
                raise SystemExit("the worker had finished the long article already: make it longer")
            ours.append(ghosts_after_opening(first))
            idle()
            base.append(ghosts_after_opening(second))
            idle()
        window.close()
        ws.close()
    mine, theirs = statistics.median(ours) * 1000, statistics.median(base) * 1000
    each = ", ".join(f"{t * 1000:.0f}" for t in ours)
    print(f"left a {size:,}-character article while the rules ran on it -> the next article's ghosts shown: "
          f"{mine:.0f} ms median of {args.rounds} ({each}) (baseline, the worker idle: {theirs:.0f} ms, "
          f"ratio {mine / theirs:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps({"leave_ms": mine, "leave_baseline_ms": theirs}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

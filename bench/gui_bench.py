"""Window timings, offscreen: a 1 MB article with 10,000 spans, and the document list on a large project.

    QT_QPA_PLATFORM=offscreen python bench/gui_bench.py [--quick] [--documents 100000]

Prints, each beside a baseline measured in the same run:
- first paint: opening the document in the window (text, offset map, highlighting, layout, one paint)
  against a bare QPlainTextEdit showing the same text with no spans;
- key -> committed -> repainted: a label key pressed through the real shortcut, the span committed by
  the service, the article repainted (p50 / p95), against the service call alone;
- the document list: the window opened on a project of N documents, against one SQL page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SENTENCE = ("the regional governor said that more than 17,000 people had left the city since March while "
            "officials in Izium reported 116,000 tonnes of grain and at least twice the size of Greater London "
            "according to the ministry of energy and the grid operator Enerlink")
WORDS = SENTENCE.split(" ")


def make_article(size: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        sentence_count = rnd.randint(2, 6)
        sentences = []
        for _ in range(sentence_count):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(8, 24))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def make_spans(text: str, count: int) -> list[dict[str, object]]:
    """Entities on single words, and CLAIMs over sentences holding some of them; no same-label overlap."""
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()]
    step = max(1, len(starts) // max(1, int(count * 0.8)))
    spans: list[dict[str, object]] = []
    labels = ("SOURCE", "LOCATION", "FIGURE")
    for n, start in enumerate(starts[::step][: int(count * 0.8)]):
        end = text.index(" ", start) if " " in text[start:] else len(text)
        spans.append({"start": start, "end": end, "label": labels[n % 3]})
    sentence_starts = [0] + [i + 2 for i in range(len(text) - 2) if text[i] == "." and text[i + 1] == " "]
    claims = count - len(spans)
    stride = max(1, len(sentence_starts) // max(1, claims))
    for start in sentence_starts[::stride][:claims]:
        end = text.find(".", start)
        if end > start + 1:
            spans.append({"start": start, "end": end, "label": "CLAIM"})
    return spans


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int, default=None, help="size of the project for the list timing")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--sources-off", action="store_true",
                        help="every suggestion source switched off: the open's own cost, no worker beside it")
    parser.add_argument("--opens", type=int, default=3, help="how many times the article is opened")
    parser.add_argument("--off", default=None, help='the suggestion sources switched off, e.g. \'["rules", "trained"]\'')
    args = parser.parse_args()
    figures: dict[str, float] = {}
    size, span_count = (200_000, 2_000) if args.quick else (1_000_000, 10_000)
    documents = args.documents or (5_000 if args.quick else 100_000)

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    from annotator.app import application, open_main_window, settle_memory
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project, open_workspace

    app = application()
    results: list[str] = []
    with tempfile.TemporaryDirectory(prefix="annotator-gui-bench-") as tmp:
        root = Path(tmp)
        text = make_article(size)
        spans = make_spans(text, span_count)
        big = root / "big.jsonl"
        big.write_text(json.dumps({"text": text, "spans": spans}) + "\n", encoding="utf-8")
        ws = open_workspace(root / "bench.db")
        import_paths(ws, [big], project="bench", annotator="bench", fmt="prodigy")
        notes = Annotations(ws, ensure_project(ws, "bench").id, "bench")
        doc_id = notes.list_documents()[0].id
        stored = len(notes.spans(doc_id))
        store = QSettings(str(root / "s.ini"), QSettings.Format.IniFormat)
        if args.sources_off:
            from annotator.gui.suggestion_desk import OFF_KEY
            from annotator.services.live_suggestions import BUILT_IN
            from annotator.services.trained_models import TRAINED

            store.setValue(OFF_KEY, json.dumps(sorted({*BUILT_IN, TRAINED})))
        if args.off is not None:
            from annotator.gui.suggestion_desk import OFF_KEY

            store.setValue(OFF_KEY, args.off)
        window = open_main_window(ws, project="bench", annotator="bench", store=store, document_id=None)
        window.resize(1400, 900)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowActive(window)
        notes.token_bounds(notes.document(doc_id))  # spaCy warmed up, as the window does in the background
        # The rules' gazetteer and matchers built (~0.7 s, once per process), as the window's first run of the
        # suggestions does after start-up: else that build falls on the second open below.
        from annotator.nlp.suggest.rules import propose

        propose("Officials in Kharkiv said 17,000 people left.", "en")
        app.processEvents()
        settle_memory()  # as run_gui does after start-up

        # -- first paint -------------------------------------------------------------------------
        opens = []
        first_began = time.perf_counter()
        for _ in range(args.opens):
            began = time.perf_counter()
            window.session.open_document(doc_id)
            window.article.viewport().repaint()
            opens.append(time.perf_counter() - began)
            app.processEvents()
        bare = QPlainTextEdit()
        bare.resize(1000, 800)
        bare.show()
        baseline_opens = []
        for _ in range(3):
            began = time.perf_counter()
            bare.setPlainText(text)
            bare.viewport().repaint()
            baseline_opens.append(time.perf_counter() - began)
        while window.suggestions.waiting_for_paint or window.runner.busy:  # the worker's runs on the article
            app.processEvents()
            time.sleep(0.001)
        ready = (time.perf_counter() - first_began) * 1000
        first, base = statistics.median(opens) * 1000, statistics.median(baseline_opens) * 1000
        each = ", ".join(f"{t * 1000:.0f}" for t in opens)  # the first one starts the suggestion worker
        results.append(f"first paint, {len(text):,} characters, {stored:,} spans: {first:.0f} ms (opens {each} ms) "
                       f"(bare QPlainTextEdit, no spans: {base:.0f} ms, ratio {first / base:.2f}x)")
        results.append(f"suggestions run on it (sources off: {args.off or 'as saved'}): {ready:.0f} ms after the "
                       "first open began")
        figures.update(open_ms=first, open_baseline_ms=base, characters=len(text), spans=stored, ready_ms=ready,
                       **{f"open_{n}_ms": t * 1000 for n, t in enumerate(opens, start=1)})

        # -- scrolling: one frame = a scroll step and its repaint, through the whole document --------
        def frames(editor: QPlainTextEdit) -> list[float]:
            bar = editor.verticalScrollBar()
            bar.setValue(0)
            app.processEvents()
            step = max(1, bar.pageStep() // 2)
            times = []
            for value in range(0, bar.maximum(), max(step, bar.maximum() // 300)):
                began = time.perf_counter()
                bar.setValue(value)
                editor.viewport().repaint()
                times.append(time.perf_counter() - began)
            return times

        bare.resize(window.article.size())
        ours_frames = frames(window.article)
        bare_frames = frames(bare)
        scroll, scroll_base = statistics.median(ours_frames) * 1000, statistics.median(bare_frames) * 1000
        results.append(f"scroll frame (median of {len(ours_frames)}): {scroll:.2f} ms (bare QPlainTextEdit, no "
                       f"spans: {scroll_base:.2f} ms, ratio {scroll / scroll_base:.2f}x)")
        figures.update(scroll_ms=scroll, scroll_baseline_ms=scroll_base)

        bare.close()
        window.activateWindow()  # the bare editor took the activation; shortcuts need it back
        QTest.qWaitForWindowActive(window)

        # -- key -> committed -> repainted -------------------------------------------------------
        rnd = random.Random(3)
        free = [i for i in range(1, len(text) - 1) if text[i - 1] == " " and text[i].isalpha()
                and not any(s.label == "FIGURE" for s in window.session.spans_at(i))][:5000]
        latencies, service_only = [], []
        on_ghost = []  # the presses made with the caret on a suggestion: the label key accepts it (or tags inside it)
        for position in rnd.sample(free, 60):
            window.article.select_range(position, position, centre=True)
            app.processEvents()
            on_ghost.append(window.suggestions.at(position, position) is not None)
            began = time.perf_counter()
            QTest.keyClick(window.article, Qt.Key.Key_3)
            window.article.viewport().repaint()
            latencies.append(time.perf_counter() - began)
            if len(window.session.spans) != stored + 1:
                raise SystemExit("the key press did not tag: is the window active?")
            QTest.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            app.processEvents()
            document = notes.document(doc_id)
            began = time.perf_counter()
            start, end = notes.snapped(document, position, position) or (position, position + 1)
            span, _ = notes.add_span(doc_id, "FIGURE", start, end)
            service_only.append(time.perf_counter() - began)
            notes.remove_span(span.id)  # type: ignore[arg-type]
        p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
        s50 = percentile(service_only, 50) * 1000
        figures.update(tag_p50_ms=p50, tag_p95_ms=p95, tag_max_ms=max(latencies) * 1000, tag_service_p50_ms=s50)
        plain = [t for t, ghost in zip(latencies, on_ghost, strict=True) if not ghost]
        ghostly = [t for t, ghost in zip(latencies, on_ghost, strict=True) if ghost]
        figures.update(tag_plain_p95_ms=percentile(plain, 95) * 1000 if plain else 0.0, tag_plain=len(plain),
                       tag_ghost_p95_ms=percentile(ghostly, 95) * 1000 if ghostly else 0.0, tag_ghost=len(ghostly))
        results.append(f"key -> committed -> repainted ({len(latencies)} presses on that document): "
                       f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (service call alone p50 {s50:.1f} ms, "
                       f"read + snap + add_span); caret off a suggestion ({len(plain)}) p95 "
                       f"{figures['tag_plain_p95_ms']:.1f} ms, on one ({len(ghostly)}: its label key accepts it) p95 "
                       f"{figures['tag_ghost_p95_ms']:.1f} ms")
        window.close()
        ws.close()

        # -- the document list on a large project ------------------------------------------------
        many = root / "many.jsonl"
        with many.open("w", encoding="utf-8") as f:
            for n in range(documents):
                f.write(json.dumps({"text": f"Article {n}. " + " ".join(WORDS[n % 7 : n % 7 + 40])}) + "\n")
        ws = open_workspace(root / "many.db")
        import_paths(ws, [many], project="many", annotator="bench", fmt="prodigy")
        notes = Annotations(ws, ensure_project(ws, "many").id, "bench")
        began = time.perf_counter()
        notes.list_documents(limit=200)
        page = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        window = open_main_window(ws, project="many", annotator="bench",
                                  store=QSettings(str(root / "m.ini"), QSettings.Format.IniFormat))
        window.show()
        window.document_list.table.viewport().repaint()
        opened = (time.perf_counter() - began) * 1000
        table = window.document_list.table
        began = time.perf_counter()
        for _ in range(20):
            table.verticalScrollBar().setValue(table.verticalScrollBar().maximum())
            app.processEvents()
        scrolled = (time.perf_counter() - began) * 1000
        rows = window.document_list.model.rowCount()
        figures.update(list_open_ms=opened, list_page_ms=page, list_scroll_ms=scrolled, documents=documents)
        results.append(f"window opened on {documents:,} documents: {opened:.0f} ms, list rows loaded {rows:,} "
                       f"(one SQL page alone: {page:.1f} ms); 20 scrolls to the end: {scrolled:.0f} ms")
        panel = window.document_list
        for words in ("Izium", "no such words anywhere"):
            panel.text_edit.setText(words)
            began = time.perf_counter()
            panel._debounce.timeout.emit()  # what the 200 ms debounce fires; the search runs in the background
            blocked = (time.perf_counter() - began) * 1000
            while panel.model.text_filter != words:
                app.processEvents()
            panel.table.viewport().repaint()
            filtered = (time.perf_counter() - began) * 1000
            while "counting" in panel.counts_label.text():
                app.processEvents()
            counted = (time.perf_counter() - began) * 1000
            kind = "hit" if words == "Izium" else "miss"
            figures[f"filter_{kind}_ms"] = filtered
            figures[f"filter_{kind}_count_ms"] = counted
            results.append(f"text filter {words!r} on {documents:,} documents: first page painted after "
                           f"{filtered:.0f} ms, count after {counted:.0f} ms "
                           f"({panel.counts_label.text().split(' · ')[0]}); the GUI thread was busy {blocked:.1f} ms")
        window.close()
        ws.close()
    for line in results:
        print(line)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

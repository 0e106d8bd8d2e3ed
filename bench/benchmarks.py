"""The benchmarks themselves; run.py drives them. Each yields Result lines."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from data import corpus, dense_corpus, news_page, write_jsonl
from run import Result

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Context:
    tmp: Path
    quick: bool
    shared: dict[str, object] = field(default_factory=dict)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def _timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_import(ctx: Context) -> Iterator[Result]:
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    n = ctx.size(100_000, 5_000)
    docs = corpus(n, 2000, seed=1)
    source = write_jsonl(docs, ctx.tmp / "import.jsonl")

    rows, span_rows = _sqlite_rows(docs, "import.jsonl")
    base = _timed(lambda: _sqlite_baseline(ctx.tmp / "baseline.db", rows, span_rows))
    db_path = ctx.tmp / "big.db"

    def ours() -> None:
        ws = open_workspace(db_path)
        summary = import_paths(ws, [source], project="bench", annotator="bench")
        assert summary.total("documents_added") == n, summary.lines()
        ws.close()

    for held in (rows, span_rows, docs):  # the parent stays small: the memory benchmarks fork from it
        held.clear()
    mine = _timed(ours)
    ctx.shared["big_db"] = db_path
    ctx.shared["big_n"] = n
    ratio = (n / mine) / (n / base)
    yield Result("import", f"{n} JSONL docs (~2 KB, 3 spans) into new SQLite", n / mine, n / base, "docs/s",
                 ratio, ">= 0.5x throughput", ratio >= 0.5)


def _sqlite_rows(docs: list[tuple[str, list[tuple[int, int, str]]]], source: str) -> tuple[list, list]:  # type: ignore[type-arg]
    """The document and span rows of `docs`, already built, for the plain sqlite3 baseline."""
    rows = []
    span_rows = []
    for i, (text, spans) in enumerate(docs):
        rows.append((i + 1, 1, i, "", source, text, json.dumps({"n": i}),
                     hashlib.sha256(text.encode()).hexdigest()))
        span_rows.extend((i + 1, 1, 1, s, e) for s, e, _ in spans)
    return rows, span_rows


def _sqlite_baseline(base_path: Path, rows: list, span_rows: list) -> None:  # type: ignore[type-arg]
    """The same rows with plain sqlite3 executemany in one transaction: the floor of an import."""
    base_path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        base_path.with_name(base_path.name + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(base_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE document (id INTEGER PRIMARY KEY, project_id INT, position INT, title TEXT,"
                 " source TEXT, text TEXT, meta TEXT, content_hash TEXT, UNIQUE(project_id, content_hash))")
    conn.execute("CREATE TABLE span (id INTEGER PRIMARY KEY, document_id INT, annotator_id INT, label_id INT,"
                 " start INT, \"end\" INT)")
    with conn:
        conn.executemany("INSERT INTO document VALUES (?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO span (document_id, annotator_id, label_id, start, \"end\")"
                         " VALUES (?,?,?,?,?)", span_rows)
    conn.close()


def bench_export(ctx: Context) -> Iterator[Result]:
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    n = ctx.size(10_000, 1_000)
    docs = corpus(n, 3000, seed=2)
    source = write_jsonl(docs, ctx.tmp / "export.jsonl")
    ws = open_workspace(ctx.tmp / "export.db")
    import_paths(ws, [source], project="bench", annotator="bench")

    def baseline() -> None:
        import spacy
        from spacy.tokens import DocBin

        nlp = spacy.blank("en")
        bins = DocBin()
        for doc, (_, spans) in zip(nlp.pipe(t for t, _ in docs), docs, strict=True):
            doc.spans["sc"] = [doc.char_span(s, e, label=lb) for s, e, lb in spans]
            bins.add(doc)
        bins.to_disk(ctx.tmp / "baseline.spacy")

    import spacy  # warm both sides alike: spaCy's import is not what is measured

    spacy.blank("en")
    base = _timed(baseline, repeat=2)
    mine = _timed(lambda: export(ws, fmt="spacy", out=ctx.tmp / "out", project="bench", replace=True), repeat=2)
    ws.close()
    ratio = mine / base
    yield Result("export", f"{n} docs (~3 KB) to DocBin train/dev", mine, base, "s", ratio, "<= 1.3x time",
                 ratio <= 1.3)


def bench_dense_import(ctx: Context) -> Iterator[Result]:
    """News-length documents with 48 spans each (CLAIMs holding FIGUREs and LOCATIONs): the alignment count."""
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    n = ctx.size(5_000, 1_000)
    docs = dense_corpus(n, seed=4)
    source = write_jsonl(docs, ctx.tmp / "dense.jsonl")
    rows, span_rows = _sqlite_rows(docs, "dense.jsonl")
    base = _timed(lambda: _sqlite_baseline(ctx.tmp / "dense-baseline.db", rows, span_rows), repeat=3)
    runs = iter(range(3))
    misaligned = []

    def ours() -> None:
        ws = open_workspace(ctx.tmp / f"dense-{next(runs)}.db")
        summary = import_paths(ws, [source], project="bench", annotator="bench")
        assert summary.total("documents_added") == n, summary.lines()
        misaligned.append(summary.total("spans_misaligned"))
        ws.close()

    mine = _timed(ours, repeat=3)
    ratio = base / mine
    spans = len(span_rows)
    yield Result("dimport", f"{n} JSONL docs (~3 KB, {spans // n} nested spans) into new SQLite", n / mine, n / base,
                 "docs/s", ratio, ">= 0.5x throughput", ratio >= 0.5,
                 f"{misaligned[0]} of {spans} spans counted off token boundaries")


def bench_dense_export(ctx: Context) -> Iterator[Result]:
    """The spaCy export of that shape (every span on token boundaries), against make_doc + char_span + DocBin."""
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    n = ctx.size(5_000, 1_000)
    docs = dense_corpus(n, seed=5, cut=0.0)
    ws = open_workspace(ctx.tmp / "dense-export.db")
    import_paths(ws, [write_jsonl(docs, ctx.tmp / "dense-export.jsonl")], project="bench", annotator="bench")

    def floor() -> None:
        import spacy
        from spacy.tokens import DocBin

        nlp = spacy.blank("en")
        bins = DocBin()
        for text, spans in docs:
            doc = nlp.make_doc(text)
            doc.spans["sc"] = [doc.char_span(s, e, label=lb) for s, e, lb in spans]
            bins.add(doc)
        bins.to_disk(ctx.tmp / "dense-floor.spacy")

    import spacy  # warm both sides alike: spaCy's import is not what is measured

    spacy.blank("en")
    base = _timed(floor, repeat=3)
    mine = _timed(lambda: export(ws, fmt="spacy", out=ctx.tmp / "dense-out", project="bench",
                                  replace=True), repeat=3)
    ws.close()
    ratio = mine / base
    yield Result("dexport", f"{n} docs (~3 KB, 48 nested spans) to DocBin train/dev", mine, base, "s", ratio,
                 "<= 1.0x time", ratio <= 1.0)


def bench_list(ctx: Context) -> Iterator[Result]:
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    if "big_db" not in ctx.shared:
        yield from bench_import(ctx)
    ws = open_workspace(ctx.shared["big_db"])  # type: ignore[arg-type]
    project = ensure_project(ws, "bench")
    notes = Annotations(ws, project.id, "reader")

    def first_page() -> None:
        notes.count_documents()
        notes.list_documents(limit=100)
        notes.progress()

    def filtered_page() -> None:
        notes.list_documents(text="saltmere", limit=100)

    def rare_page() -> None:
        notes.list_documents(text="no such words here", limit=100)

    n = ctx.shared["big_n"]
    first = _timed(first_page, repeat=5) * 1000
    filt = _timed(filtered_page, repeat=5) * 1000
    rare = _timed(rare_page, repeat=3) * 1000
    count = _timed(lambda: notes.count_documents(text="saltmere"), repeat=3) * 1000
    ws.close()
    yield Result("list", f"first page + counts, {n}-document project", first, None, "ms", None, "<= 100 ms",
                 first <= 100)
    yield Result("filter", f"first page filtered by a common word, {n} docs", filt, None, "ms", None, "<= 100 ms",
                 filt <= 100, f"no-match scan {rare:.0f} ms; match count (in background) {count:.0f} ms")


def _peak_rss_mb(code: str) -> float:
    script = code + "\nfrom annotator.app import peak_rss_mb; print(peak_rss_mb())"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def bench_memory(ctx: Context) -> Iterator[Result]:
    """Peak RSS of an export of the big project against an export of a small one (flat in corpus size)."""
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    small_n = ctx.size(1_000, 200)
    big_n = ctx.size(20_000, 2_000)
    paths = {}
    for n in (small_n, big_n):
        db = ctx.tmp / f"mem-{n}.db"
        ws = open_workspace(db)
        import_paths(ws, [write_jsonl(corpus(n, 2000, seed=3), ctx.tmp / f"mem-{n}.jsonl")], project="bench",
                     annotator="bench")
        ws.close()
        paths[n] = db
    code = ("import sys; sys.path.insert(0, {root!r})\n"
            "from annotator.services.workspace import open_workspace\n"
            "from annotator.services.exporting import export\n"
            "from pathlib import Path\n"
            "ws = open_workspace({db!r}); export(ws, fmt='spacy', out=Path({out!r}), project='bench')\n")
    small = _peak_rss_mb(code.format(root=str(ROOT), db=str(paths[small_n]), out=str(ctx.tmp / "m1")))
    big = _peak_rss_mb(code.format(root=str(ROOT), db=str(paths[big_n]), out=str(ctx.tmp / "m2")))
    growth = big - small
    yield Result("memory", f"export peak RSS, {big_n} vs {small_n} docs", big, small, "MB", big / small,
                 "<= +150 MB, flat", growth <= 150, f"growth {growth:.0f} MB")


def _gui_process(args: list[str], env_extra: dict[str, str] | None = None) -> tuple[float, float]:
    """Run the real app until its main window is shown and painted: (wall seconds, peak RSS MB)."""
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANNOTATOR_EXIT_WHEN_SHOWN": "1", **(env_extra or {})}
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "annotator", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    elapsed = time.perf_counter() - began
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("shown"))
    return elapsed, float(line.split("peak_rss_mb=")[1]) if "peak_rss_mb=" in line else 0.0


BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QPlainTextEdit("a bare PySide6 window"))
window.resize(1400, 900)
window.show()
def done():
    window.repaint()
    print("shown", flush=True)
    app.quit()
QTimer.singleShot(0, done)
app.exec()
"""


def _until_shown(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting `command` to its "shown" line (its window painted), and to its exit."""
    began = time.perf_counter()
    shown = None
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if shown is None and line.startswith("shown"):
                shown = time.perf_counter() - began
    if process.returncode != 0 or shown is None:
        raise RuntimeError(f"{command[:3]} exited with {process.returncode} before its window was shown")
    return shown, time.perf_counter() - began


def bench_start(ctx: Context) -> Iterator[Result]:
    """Process start -> main window painted, on a database that already exists (the everyday start); the note
    adds the time to the process's exit (closing the window, the collector's pass after the first paint).

    Both programs run with bytecode caches, as an installed wheel or the frozen app has them: kept in a folder of
    the run (not the source tree), written by a first run of each. With PYTHONDONTWRITEBYTECODE=1 and no caches,
    every start would also compile annotator's source, which a user's start never does."""
    import os

    db = ctx.tmp / "start.db"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(ctx.tmp / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ours_env = {**env, "ANNOTATOR_EXIT_WHEN_SHOWN": "1", "ANNOTATOR_SETTINGS": str(ctx.tmp / "start.ini")}
    ours_command = [sys.executable, "-m", "annotator", "--db", str(db), "--annotator", "bench"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    _until_shown(ours_command, ours_env)  # first run: creates the database, loads the samples, writes the caches
    _until_shown(bare_command, env)
    ours, bare = [], []
    for _ in range(5):  # in turns, so that a busy moment of the machine weighs on both
        ours.append(_until_shown(ours_command, ours_env))
        bare.append(_until_shown(bare_command, env))
    shown, base = statistics.median(t for t, _ in ours), statistics.median(t for t, _ in bare)
    exited, base_exited = statistics.median(t for _, t in ours), statistics.median(t for _, t in bare)
    yield Result("start", "process start -> main window painted", shown, base, "s", shown / base, "<= 2x baseline",
                 shown / base <= 2, f"to exit {exited:.3f} s (bare window {base_exited:.3f} s)")


def bench_window_memory(ctx: Context) -> Iterator[Result]:
    """Peak RSS with the big project open in the window, against a near-empty project (the 4 samples)."""
    if "big_db" not in ctx.shared:
        yield from bench_import(ctx)
    settings = {"ANNOTATOR_SETTINGS": str(ctx.tmp / "mem.ini")}
    _, small = _gui_process(["--db", str(ctx.tmp / "empty.db"), "--annotator", "bench"], settings)
    _, big = _gui_process(["--db", str(ctx.shared["big_db"]), "--annotator", "bench", "--project", "bench"],
                          {"ANNOTATOR_SETTINGS": str(ctx.tmp / "mem2.ini")})
    n = ctx.shared["big_n"]
    yield Result("memory", f"window peak RSS, {n}-document project vs 4 documents", big, small, "MB", big / small,
                 "<= +150 MB", big - small <= 150, f"growth {big - small:.0f} MB")


def bench_gui(ctx: Context) -> Iterator[Result]:
    """The window on a 1 MB article with 10,000 spans, and on the big project (bench/gui_bench.py)."""
    import os

    out = ctx.tmp / "gui.json"
    args = [sys.executable, str(ROOT / "bench" / "gui_bench.py"), "--json", str(out)]
    if ctx.quick:
        args.append("--quick")
    subprocess.run(args, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True,
                   check=True)
    f = json.loads(out.read_text())
    size = f"{f['characters'] / 1e6:.1f} MB, {f['spans']:,} spans"
    yield Result("open", f"first paint of a {size} article", f["open_ms"], f["open_baseline_ms"], "ms",
                 f["open_ms"] / f["open_baseline_ms"], "<= 3x baseline", f["open_ms"] <= 3 * f["open_baseline_ms"])
    yield Result("tag", "key -> committed -> repainted, p95", f["tag_p95_ms"], None, "ms", None, "p95 <= 16 ms",
                 f["tag_p95_ms"] <= 16, f"p50 {f['tag_p50_ms']:.1f} ms, max {f['tag_max_ms']:.1f} ms; "
                 f"caret off a suggestion ({f['tag_plain']:.0f}) p95 {f['tag_plain_p95_ms']:.1f} ms, on one "
                 f"({f['tag_ghost']:.0f}) p95 {f['tag_ghost_p95_ms']:.1f} ms")
    yield Result("scroll", "median frame while scrolling that article", f["scroll_ms"], f["scroll_baseline_ms"], "ms",
                 f["scroll_ms"] / f["scroll_baseline_ms"], "median <= 2x baseline",
                 f["scroll_ms"] <= 2 * f["scroll_baseline_ms"])
    docs = f"{f['documents']:,}"
    yield Result("winlist", f"window opened on {docs} documents, list painted", f["list_open_ms"], f["list_page_ms"],
                 "ms", None, "<= 100 ms", f["list_open_ms"] <= 100)
    yield Result("winfind", f"list filtered by text on {docs} documents, page painted", f["filter_hit_ms"], None,
                 "ms", None, "<= 100 ms", f["filter_hit_ms"] <= 100,
                 f"no match {f['filter_miss_ms']:.0f} ms; count shown after {f['filter_hit_count_ms']:.0f} ms")


def bench_html(ctx: Context) -> Iterator[Result]:
    """Reading a very long HTML page: time against parsing it and taking all its text with lxml, which grows
    linearly; the ratio stays flat when the reader is linear too (trafilatura alone is quadratic here)."""
    from lxml import html

    from annotator.formats import html_page

    list(html_page.read(_page(ctx, 10)))  # warm both routes: imports are not what is measured
    list(html_page.read(_page(ctx, html_page.LARGE_PAGE_PARAGRAPHS + 1)))
    per_paragraph = {}
    for n in ctx.size((10_000, 40_000, 160_000), (2_000, 10_000, 20_000)):  # type: ignore[arg-type]
        path = _page(ctx, n)
        base = _timed(lambda path=path: html.document_fromstring(path.read_bytes()).text_content())
        records: list = []
        mine = _timed(lambda path=path, records=records: records.extend(html_page.read(path)))
        assert records[0].text.count("\n") == n, "every paragraph is a line"
        per_paragraph[n] = mine / n
        ratio = mine / base
        yield Result("html", f"page of {n:,} paragraphs ({path.stat().st_size / 1e6:.1f} MB)", mine, base, "s",
                     ratio, "<= 10x time", ratio <= 10)
    sizes = sorted(per_paragraph)
    growth = per_paragraph[sizes[-1]] / per_paragraph[sizes[0]]
    yield Result("html", f"time per paragraph, {sizes[-1]:,} vs {sizes[0]:,} paragraphs", per_paragraph[sizes[-1]] * 1e6,
                 per_paragraph[sizes[0]] * 1e6, "us", growth, "<= 1.5x (linear)", growth <= 1.5)


def bench_long(ctx: Context) -> Iterator[Result]:
    """Peak memory of a 2 MB article's round trip (import with spans, spaCy and CoNLL export, read back) against
    a process that only tokenizes the same text with spaCy once."""
    paragraph = "More than 17,000 people have left Izium since March, deputy governor Irena Dobric wrote.\n"
    text = paragraph * (2_000_000 // len(paragraph))
    source = ctx.tmp / "long.jsonl"
    last = text.rfind("Izium")
    source.write_text(json.dumps({"text": text, "spans": [{"start": last, "end": last + 5, "label": "LOCATION"}]})
                      + "\n", encoding="utf-8")
    head = "import sys; sys.path.insert(0, {root!r})\nfrom pathlib import Path\n"
    base = _peak_rss_mb((head + "import json, spacy\n"
                         "doc = spacy.blank('en').tokenizer(json.loads(Path({src!r}).read_text())['text'])\n")
                        .format(root=str(ROOT), src=str(source)))
    ours = _peak_rss_mb((head + "from annotator import formats\n"
                         "from annotator.nlp.docbin import read_docbin\n"
                         "from annotator.services.exporting import export\n"
                         "from annotator.services.importing import import_paths\n"
                         "from annotator.services.workspace import open_workspace\n"
                         "ws = open_workspace(Path({tmp!r}) / 'long.db')\n"
                         "import_paths(ws, [Path({src!r})], project='p', annotator='a')\n"
                         "export(ws, fmt='spacy', out=Path({tmp!r}) / 'long', project='p', split=1.0)\n"
                         "export(ws, fmt='conll', out=Path({tmp!r}) / 'long.conll', project='p')\n"
                         "assert len(list(read_docbin(Path({tmp!r}) / 'long' / 'train.spacy'))) == 1\n"
                         "assert len(list(formats.read(Path({tmp!r}) / 'long.conll', 'conll'))) == 1\n")
                        .format(root=str(ROOT), src=str(source), tmp=str(ctx.tmp)))
    ratio = ours / base
    yield Result("long", f"peak RSS, {len(text) / 1e6:.1f} MB article round trip vs tokenizing it", ours, base, "MB",
                 ratio, "<= 3x memory", ratio <= 3)


def _page(ctx: Context, paragraphs: int) -> Path:
    path = ctx.tmp / f"page-{paragraphs}.html"
    path.write_text(news_page(paragraphs), encoding="utf-8")
    return path


AGREEMENT_ANNOTATORS = ["ana", "ben", "cy"]


def bench_agreement(ctx: Context) -> Iterator[Result]:
    """`annotator agreement` on n documents that three annotators tagged, against the floor of that work: the same
    texts and spans read with sqlite3, the same tokenizer, and one numpy pass counting each pair's token labels."""
    from annotator.nlp.tokens import token_arrays
    from annotator.services.agreement import project_agreement
    from annotator.services.workspace import open_workspace

    n = ctx.size(10_000, 2_000)
    path = ctx.tmp / "agreement.db"
    _agreement_project(path, n)
    arrays = token_arrays("en")  # the tokenizer loaded before either clock starts
    ws = open_workspace(path)
    report = project_agreement(ws, "agree")
    assert report.agreement.documents == n, report.agreement.documents
    cpu = time.process_time()
    mine = _timed(lambda: project_agreement(ws, "agree"), repeat=3)
    cpu = (time.process_time() - cpu) / 3
    ws.close()
    base = _timed(lambda: _agreement_floor(path, arrays), repeat=3)
    yield Result("agree", f"agreement of {n} docs (~560 chars) x {len(AGREEMENT_ANNOTATORS)} annotators, SQLite",
                 mine, base, "s", base / mine, "<= 2 s", mine <= 2.0,
                 f"{cpu:.2f} s CPU; baseline: read + tokenize + token counts")


def _agreement_project(path: Path, n: int) -> None:
    from data import agreement_corpus

    from annotator.domain.documents import content_hash
    from annotator.services.workspace import ensure_project, open_workspace

    docs = agreement_corpus(n, AGREEMENT_ANNOTATORS, seed=1)
    ws = open_workspace(path)
    project = ensure_project(ws, "agree")
    with ws.unit() as repo:
        ids = repo.bulk.insert_documents([
            {"project_id": project.id, "position": i, "title": f"a{i}", "source": "bench", "text": text, "meta": {},
             "content_hash": content_hash(f"{i}:{text}")} for i, (text, _) in enumerate(docs)])
        labels = repo.labels.ids(project.id)
        who = {name: repo.owners.annotator_id(name) for name in AGREEMENT_ANNOTATORS}
        repo.bulk.insert_spans((d, who[name], labels[label], start, end) for d, (_, spans) in zip(ids, docs, strict=True)
                               for name, theirs in spans.items() for start, end, label in theirs)
    ws.close()


def _agreement_floor(path: Path, arrays) -> list[int]:  # type: ignore[no-untyped-def]
    """Each pair's tokens inside a span of both, over every label: plain sqlite3 and numpy, nothing else."""
    import numpy as np

    conn = sqlite3.connect(path)
    texts = conn.execute("SELECT id, text FROM document ORDER BY id").fetchall()
    spans = np.array(conn.execute('SELECT document_id, annotator_id, label_id, start, "end" FROM span').fetchall(),
                     dtype=np.int64)
    conn.close()
    tokens = [arrays(text) for _, text in texts]
    sizes = np.array([len(t[0]) for t in tokens])
    extent = np.cumsum([len(text) + 1 for _, text in texts]) - np.array([len(text) + 1 for _, text in texts])
    place = np.searchsorted(np.array([i for i, _ in texts]), spans[:, 0])
    starts = np.concatenate([t[0] + o for t, o in zip(tokens, extent, strict=True)])
    ends = np.concatenate([t[1] + o for t, o in zip(tokens, extent, strict=True)])
    first = np.searchsorted(ends, spans[:, 3] + extent[place], side="right")
    last = np.maximum(first, np.searchsorted(starts, spans[:, 4] + extent[place], side="left"))
    covered = {}
    for key in {(a, lb) for a, lb in spans[:, 1:3].tolist()}:
        mine = (spans[:, 1] == key[0]) & (spans[:, 2] == key[1])
        step = np.bincount(first[mine], minlength=len(starts) + 1) - np.bincount(last[mine], minlength=len(starts) + 1)
        covered[key] = np.cumsum(step)[: len(starts)] > 0
    annotators = sorted({a for a, _ in covered})
    assert int(sizes.sum()) == len(starts)
    return [int(sum((covered.get((a, lb), 0) & covered.get((b, lb), 0)).sum() for lb in {lb for _, lb in covered}))
            for i, a in enumerate(annotators) for b in annotators[i + 1:]]


ALL = [bench_import, bench_export, bench_dense_import, bench_dense_export, bench_list,
       bench_memory, bench_window_memory, bench_start, bench_gui, bench_html, bench_long, bench_agreement]

from occurrences_bench import bench_occurrences  # noqa: E402  (its own module: the window's suggestion worker)

ALL.append(bench_occurrences)

from steps_bench import bench_steps  # noqa: E402  (compound undo steps in one transaction, ADR 0015)

ALL.append(bench_steps)

from tagged_read_bench import bench_tagged_read  # noqa: E402

ALL.append(bench_tagged_read)

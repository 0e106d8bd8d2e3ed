"""The PyInstaller bundle as a user gets it: it starts, passes its self-test, imports and exports, opens a window.

Skipped unless ANNOTATOR_TEST_BUNDLE=1 (CI sets it in .ci/bundle.sh). The bundle is built with
packaging/build.sh in this test's Python (PyInstaller is installed into it if missing), or taken from ANNOTATOR_BUNDLE_DIR (a packaging/dist/annotator
folder) when that is set. Start time and size are printed; ANNOTATOR_BUNDLE_MAX_MB (default 290) bounds the
size, so that a lost strip or a stray Qt module fails here instead of in a release.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

import annotator

ROOT = Path(__file__).resolve().parents[1]
EXE_NAME = "annotator.exe" if sys.platform == "win32" else "annotator"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.skipif(os.environ.get("ANNOTATOR_TEST_BUNDLE") != "1",
                       reason="builds the PyInstaller bundle: set ANNOTATOR_TEST_BUNDLE=1"),
]


def _say(config: pytest.Config, line: str) -> None:
    """A measurement, shown in the test log whether or not output is captured."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(f"[bundle] {line}")
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[bundle] {line}")


@pytest.fixture(scope="module")
def bundle(pytestconfig: pytest.Config) -> Path:
    given = os.environ.get("ANNOTATOR_BUNDLE_DIR")
    if given:
        folder = Path(given).resolve()
    else:
        env = dict(os.environ, ANNOTATOR_BUILD_PYTHON=sys.executable)
        started = time.perf_counter()
        result = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh"), "--no-check"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, f"build.sh failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        _say(pytestconfig, f"packaging/build.sh built the bundle in {time.perf_counter() - started:.0f} s")
        folder = ROOT / "packaging" / "dist" / "annotator"
    assert (folder / EXE_NAME).is_file(), f"no bundle executable in {folder}"
    return folder


@pytest.fixture
def exe(bundle: Path) -> Path:
    return bundle / EXE_NAME


def run(exe: Path, *args: str | Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env)
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=environment, encoding="utf-8")


def _internal(bundle: Path) -> Path:
    inner = bundle / "_internal"
    return inner if inner.is_dir() else bundle


# -- start ------------------------------------------------------------------------------------------
def test_version_and_start_time(exe: Path, pytestconfig: pytest.Config) -> None:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        result = run(exe, "--version")
        times.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"annotator {annotator.__version__}"
    median = statistics.median(times)
    _say(pytestconfig, f"`annotator --version` starts in {median * 1000:.0f} ms (median of 5; first {times[0] * 1000:.0f} ms)")
    assert median < 5, "the bundle takes more than 5 s to print its version"


def test_self_test(exe: Path, pytestconfig: pytest.Config) -> None:
    started = time.perf_counter()
    result = run(exe, "--self-test")
    took = time.perf_counter() - started
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "self-test passed" in result.stdout
    assert "FAIL" not in result.stdout
    assert "Traceback" not in result.stderr
    _say(pytestconfig, f"`annotator --self-test` passes in {took:.1f} s")


# -- the command line -------------------------------------------------------------------------------
ARTICLE = (
    "Port of Velmora reopens\r\n\r\n"
    "More than 1,200 containers were waiting in Velmora, the port authority said. 🚢\r\n"
    "Deputy governor Irena Dobrić wrote that 34 per cent of ferries sail again."
)
SPANS = [  # (label, surface text): offsets are computed below, on the text as written (CRLF, emoji and all)
    ("FIGURE", "More than 1,200 containers"),
    ("LOCATION", "Velmora"),
    ("SOURCE", "the port authority"),
    ("SOURCE", "Deputy governor Irena Dobrić"),
    ("FIGURE", "34 per cent of ferries"),
    ("CLAIM", "34 per cent of ferries sail again"),
]


def _spans() -> list[tuple[int, int, str]]:
    found = []
    for label, surface in SPANS:
        start = ARTICLE.index(surface)
        found.append((start, start + len(surface), label))
    return sorted(found)


HTML_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Grain corridor | Example News</title></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Grain corridor ships leave Dorvan</h1>
<p>Eleven ships carrying 410,000 tonnes of grain left the port of Dorvan on Sunday, the shipping ministry said.</p>
<p>The ministry's spokeswoman said the corridor had carried more grain in May than in the previous three months together.</p>
<p>Insurers in Kastell said premiums for the route had fallen by about a fifth since April.</p>
</article><footer>It is strictly forbidden to use the information published by Example News. Leave a Comment</footer>
</body></html>
"""


def test_import_and_export_spacy(exe: Path, tmp_path: Path, pytestconfig: pytest.Config) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    db = tmp_path / "bundle.db"
    jsonl = tmp_path / "annotated.jsonl"
    record = {"text": ARTICLE, "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in _spans()],
              "meta": {"source": "test_bundle"}}
    jsonl.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    samples = ROOT / "resources" / "samples"

    started = time.perf_counter()
    result = run(exe, "--db", db, "--annotator", "ana", "import", jsonl, page, samples)
    took_import = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    n_samples = len(list(samples.glob("*.txt")))
    assert f"documents added: {n_samples + 2}" in result.stdout
    assert f"spans added: {len(SPANS)}" in result.stdout

    out = tmp_path / "corpus"
    started = time.perf_counter()
    result = run(exe, "--db", db, "export", "--format", "spacy", "--out", out, "--split", "0.5", "--seed", "1")
    took_export = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    for name in ("train.spacy", "dev.spacy", "config.cfg"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, f"the export wrote no {name}"
    assert not list(out.glob(".export-*")), "the export left its staging folder behind"

    nlp = spacy.blank("en")
    docs = [doc for part in ("train", "dev") for doc in DocBin().from_disk(out / f"{part}.spacy").get_docs(nlp.vocab)]
    assert len(docs) == n_samples + 2
    annotated = [doc for doc in docs if doc.text == ARTICLE]
    assert len(annotated) == 1, "the annotated article did not come back with its exact text (CRLF, emoji)"
    back = sorted((s.start_char, s.end_char, s.label_) for s in annotated[0].spans["sc"])
    assert back == _spans()
    ents = {(e.start_char, e.end_char, e.label_) for e in annotated[0].ents}
    assert all(label != "CLAIM" for _, _, label in ents)
    html_docs = [doc for doc in docs if "410,000 tonnes of grain" in doc.text]
    assert len(html_docs) == 1 and "strictly forbidden" not in html_docs[0].text, "trafilatura did not extract the page"

    config = spacy.util.load_config(out / "config.cfg")
    assert "spancat" in config["nlp"]["pipeline"]
    assert config["paths"]["train"] and config["paths"]["dev"]
    _say(pytestconfig, f"import of {n_samples + 2} files {took_import:.1f} s, spaCy export {took_export:.1f} s")


def test_export_prodigy_and_stats(exe: Path, tmp_path: Path) -> None:
    db = tmp_path / "bundle.db"
    assert run(exe, "--db", db, "import", ROOT / "resources" / "samples").returncode == 0
    out = tmp_path / "all.jsonl"
    result = run(exe, "--db", db, "export", "--format", "prodigy", "--out", out)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    originals = {p.read_bytes().decode("utf-8") for p in (ROOT / "resources" / "samples").glob("*.txt")}
    assert {line["text"] for line in lines} == originals
    result = run(exe, "--db", db, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == len(originals)


def test_older_database_is_migrated_from_the_bundled_migrations(exe: Path, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    db = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(ROOT / "db"))
    first = ScriptDirectory.from_config(config).get_base()
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, first)
    engine.dispose()

    result = run(exe, "--db", db, "import", ROOT / "resources" / "samples")
    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    engine.dispose()
    if first != head:
        assert list(tmp_path.glob(f"old.db.bak-{first}-*")), "no backup was written before the migration"


def test_bad_input_is_one_line_and_exit_2(exe: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "spans": []}\n{"text": "broken", "spans": [{"start": 4, "end": 2, "label": "X"}]}\n',
                   encoding="utf-8")
    result = run(exe, "--db", tmp_path / "bad.db", "import", bad, "--format", "prodigy")
    assert result.returncode == 2
    assert "bad.jsonl" in result.stderr and "line 2" in result.stderr
    assert "Traceback" not in result.stderr


# -- the window -------------------------------------------------------------------------------------
def _documents_in(db: Path) -> int:
    """Documents in the window's database, read-only (no second writer, no migration race)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM document").fetchone()[0])
    except sqlite3.Error:
        return 0


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _start_window(exe: Path, tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], Path]:
    db = tmp_path / "gui.db"
    environment = dict(os.environ, ANNOTATOR_SETTINGS=str(tmp_path / "settings.ini"), **env)
    proc = subprocess.Popen([str(exe), "--db", str(db), "--annotator", "demo"], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, db


def _wait_for_samples(proc: subprocess.Popen[str], db: Path) -> None:
    """The first run of a window on a new database loads the sample articles, then shows them."""
    samples = len(list((ROOT / "resources" / "samples").glob("*.txt")))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None and _documents_in(db) < samples:
        time.sleep(0.3)
    time.sleep(1.0)  # and then keeps running
    assert proc.poll() is None, f"the window exited with {proc.returncode}:\n{proc.communicate()[1][-3000:]}"
    assert _documents_in(db) == samples


def test_window_opens_offscreen(exe: Path, tmp_path: Path) -> None:
    proc, db = _start_window(exe, tmp_path, QT_QPA_PLATFORM="offscreen")
    try:
        _wait_for_samples(proc, db)
    finally:
        _stop(proc)


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("Xvfb") is None
                    or shutil.which("xwininfo") is None, reason="needs Xvfb and xwininfo (x11-utils)")
def test_window_opens_on_x11(exe: Path, tmp_path: Path) -> None:
    """The xcb platform plugin and the system libraries it needs (libxcb-cursor0 ...) load from the bundle."""
    display = f":{200 + os.getpid() % 500}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        assert xvfb.poll() is None, "Xvfb did not start"
        proc, db = _start_window(exe, tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        try:
            _wait_for_samples(proc, db)
            titles = ""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                titles = subprocess.run(["xwininfo", "-root", "-tree"], env=dict(os.environ, DISPLAY=display),
                                        capture_output=True, text=True).stdout
                if "— annotator" in titles:
                    break
                time.sleep(0.3)
            assert "— annotator" in titles, f"no annotator window on {display}:\n{titles[-2000:]}"
        finally:
            _stop(proc)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


# -- what is inside ---------------------------------------------------------------------------------
def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_contents_and_size(bundle: Path, pytestconfig: pytest.Config) -> None:
    inner = _internal(bundle)
    assert (inner / "resources" / "labels.json").is_file()
    assert (inner / "resources" / "icons" / "annotator.svg").is_file()
    assert (inner / "db" / "env.py").is_file() and list((inner / "db" / "versions").glob("*.py"))
    assert (inner / "spacy" / "cli" / "templates").is_dir(), "init_config's templates are missing"
    assert (inner / "trafilatura" / "settings.cfg").is_file()
    assert list(inner.glob("spacy_legacy-*.dist-info")), "spacy-legacy's entry points are missing"
    # spaCy compares factory functions by source when two threads make their first Language at once
    # (hooks/hook-spacy.py): without it, tokenizing in the background made spacy.blank() fail now and then
    assert (inner / "spacy" / "pipeline" / "factories.py").is_file()

    names = {p.name for p in inner.rglob("*")}
    for unwanted in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6WebEngineCore.so.6", "libQt6Network.so.6",
                     "libQt6Multimedia.so.6", "libqgtk3.so", "libqwayland.so", "libqeglfs.so"):
        assert unwanted not in names, f"{unwanted} should not be in the bundle"
    if sys.platform.startswith("linux"):
        plugins = inner / "PySide6" / "Qt" / "plugins"
        assert {p.name for p in (plugins / "platforms").iterdir()} == {"libqxcb.so", "libqoffscreen.so", "libqminimal.so"}
        assert (plugins / "imageformats" / "libqsvg.so").is_file()

    total = _size(bundle)
    parts = sorted(((_size(p) if p.is_dir() else p.stat().st_size, p.name) for p in inner.iterdir()
                    if not p.is_symlink()), reverse=True)
    biggest = ", ".join(f"{name} {size / 1e6:.0f}" for size, name in parts[:8])
    _say(pytestconfig, f"size {total / 1e6:.0f} MB ({total / 2**20:.0f} MiB); biggest parts, MB: {biggest}")
    # 290: the charts (pyqtgraph), the gazetteer of the rules source (GeoNames' cities file) and number-parser
    # for FIGURE readings came in with model help, team mode and claim frames (278 MB with them).
    limit = float(os.environ.get("ANNOTATOR_BUNDLE_MAX_MB", "290"))
    assert total / 1e6 < limit, f"the bundle is {total / 1e6:.0f} MB, over {limit:.0f} MB"

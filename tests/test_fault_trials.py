"""Fault trials: kill or starve a real process at seeded random moments and check that nothing was lost.

Each trial proves its fault landed (the process was alive when killed; the server was stopped while the
import or export was in its transaction), and then that the data are whole: `PRAGMA integrity_check` is ok,
an import is all of its file or nothing, every span the window showed is in the database, a failure is one
coded line without a traceback. Trials are named `test_trial_<fault>_<when>[seed]`; seeds are fixed and the
number of trials bounded, so that a failure can be run again as it was.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runners import ROOT, cli
from fault_fixtures import (
    HANG_GUARD_S,
    Lines,
    LockHolder,
    PrivateServer,
    big_jsonl,
    counts,
    finish,
    integrity,
    kill_alive,
    private_pg,
    wait_for,
)

from annotator.services.importing import import_paths
from annotator.services.workspace import ensure_project, open_workspace

__all__ = ["private_pg"]  # a fixture: used by name

IMPORT_DOCS = 10_000  # its commit writes about 22 MB of WAL (the 64 MiB page cache holds the rest till then)
CODED_LINE = re.compile(r"^annotator: (not imported: )?.*\[A0\d\d\] ", re.MULTILINE)


def assert_clean_failure(returncode: int, err: str) -> None:
    """Exit 2 and coded lines only: no traceback, no library's own warning beside them."""
    assert returncode == 2, err[-2000:]
    assert CODED_LINE.search(err), err[-2000:]
    assert "Traceback" not in err, err[-4000:]
    assert [line for line in err.splitlines() if line.strip() and not CODED_LINE.match(line)] == []


def new_database(target: Path) -> Path:
    ws = open_workspace(target)
    ensure_project(ws)
    ws.close()
    return target


@pytest.fixture(scope="module")
def import_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_jsonl(tmp_path_factory.mktemp("trials") / "articles.jsonl", IMPORT_DOCS)


# -- SIGKILL during an import ---------------------------------------------------------------------
def import_process(db: Path, source: Path) -> tuple[subprocess.Popen, float]:  # type: ignore[type-arg]
    """The CLI importing `source`, and the moment it opened the database (its -wal file appears)."""
    wal = Path(f"{db}-wal")
    proc = cli("--db", str(db), "import", str(source))
    wait_for(lambda: wal.exists() or proc.poll() is not None, "the import to open the database")
    return proc, time.monotonic()


@pytest.fixture(scope="module")
def import_seconds(import_source: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long the whole import runs once the database is open, measured here, without a fault."""
    proc, opened = import_process(new_database(tmp_path_factory.mktemp("baseline") / "b.db"), import_source)
    _out, err = finish(proc)
    assert proc.returncode == 0, err
    return time.monotonic() - opened


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("seed", range(4))
def test_trial_sigkill_during_import(tmp_path: Path, import_source: Path, import_seconds: float, seed: int) -> None:
    db = new_database(tmp_path / "k.db")
    wal = Path(f"{db}-wal")
    rng = random.Random(seed)
    proc, opened = import_process(db, import_source)
    if seed % 2 == 0:  # a moment while it reads the file and inserts the rows (in memory until the commit)
        moment = opened + rng.uniform(0.0, 0.5) * import_seconds
        wait_for(lambda: time.monotonic() >= moment or proc.poll() is not None, "the moment")
    else:  # a moment while its commit writes the -wal file
        written = rng.uniform(0.5e6, 19e6)
        wait_for(lambda: (wal.exists() and wal.stat().st_size > written) or proc.poll() is not None,
                 f"the import to write {written:.0f} bytes")
    kill_alive(proc)
    assert integrity(db) == "ok"
    assert counts(db) in {(0, 0), (IMPORT_DOCS, IMPORT_DOCS)}  # all of the file or none of it
    if seed == 0:  # and the next import of the same file goes through
        ws = open_workspace(db)
        try:
            assert import_paths(ws, [import_source], project="default", annotator="a").errors == []
        finally:
            ws.close()
        assert counts(db) == (IMPORT_DOCS, IMPORT_DOCS)


# -- SIGKILL while someone tags in the window -------------------------------------------------------
ARTICLES = [
    "More than 12,000 residents have left the river port of Velmora since Monday, the regional emergency "
    "service said on Wednesday. \"The water is still rising by about 3 centimetres an hour,\" deputy governor "
    "Irena Dobric wrote on her channel.",
    "Grain exports fell by 34 per cent in October, the port authority of Ostrava Bay said, blaming the storms "
    "that closed the northern terminal for nine days.",
    "Around 400,000 households in the Dorvan region were without electricity on Sunday, the grid operator said.",
]
WINDOW_STEPS = 40


def window_states(lines: list[str]) -> tuple[dict[int, set[tuple[int, int, str]]], set[int], int | None]:
    """From the driver's output: the spans last shown per document, the documents shown as done, and the
    document of a step that had begun but not returned when the kill came (None if there was none)."""
    shown: dict[int, set[tuple[int, int, str]]] = {}
    done: set[int] = set()
    current: int | None = None
    in_flight = False
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "doing":
            in_flight = True
        elif kind == "shown":
            state = json.loads(rest.partition(" ")[2])
            current = state["doc"]
            shown[current] = {(s, e, label) for s, e, label in state["spans"]}
            done = set(state["done"])
            in_flight = False
    return shown, done, current if in_flight else None


def window_trial(tmp_path: Path, seed: int, *, locked_for: int = 0) -> list[str]:
    """Run the window driver, kill it after a seeded random step, and check the database against what it showed.

    `locked_for`: another process takes the write lock early in the run and commits once the window has said
    "busy" that many times.
    """
    from window_driver import ANNOTATOR

    db = new_database(tmp_path / "w.db")
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, text in enumerate(ARTICLES):
        (folder / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    ws = open_workspace(db)
    try:
        assert import_paths(ws, [folder], project="default", annotator=ANNOTATOR, fmt="txt").errors == []
    finally:
        ws.close()
    rng = random.Random(seed)
    kill_after = rng.randrange(1, WINDOW_STEPS - 1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANNOTATOR_DB": str(db), "QT_QPA_PLATFORM": "offscreen",
           "ANNOTATOR_SETTINGS": str(tmp_path / "driver.ini")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "window_driver.py"), str(seed), str(WINDOW_STEPS)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    holder: LockHolder | None = None
    try:
        lines = Lines(proc)
        busy = 0
        while True:
            line = lines.next()
            if line is None:
                proc.wait(timeout=HANG_GUARD_S)
                raise AssertionError("the window ended before the trial: " + proc.stderr.read()[-2000:])  # type: ignore[union-attr]
            kind, _, rest = line.partition(" ")
            step = int(rest.split(" ", 1)[0]) if kind in ("shown", "busy") else -1
            busy += kind == "busy"
            if locked_for and holder is None and kind == "shown" and step >= 2:
                holder = LockHolder(db)
            if holder is not None and holder.held and busy >= locked_for:
                holder.commit()
            lock_over = not locked_for or (holder is not None and not holder.held)
            if kind == "shown" and step >= kill_after and lock_over:
                break
        time.sleep(rng.uniform(0, 0.01))  # a moment inside the steps that follow
        kill_alive(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=HANG_GUARD_S)
        if holder is not None:
            holder.stop()
    output = lines.rest()
    assert not any(line.startswith("refused") and "[A04" in line for line in output), output  # no storage error
    shown, done, in_flight = window_states(output)
    assert integrity(db) == "ok"
    ws = open_workspace(db)
    try:
        from annotator.domain.documents import Status
        from annotator.services.annotation import Annotations

        annotations = Annotations(ws, ensure_project(ws).id, ANNOTATOR)
        for doc, spans in shown.items():
            stored = {(s.start, s.end, s.label) for s in annotations.spans(doc)}
            if doc == in_flight:  # killed inside a key press: saved or not, that one change and no other
                assert len(stored ^ spans) <= 1, (doc, stored, spans)
            else:
                assert stored == spans, (doc, stored, spans)  # everything the window showed, and only that
        for doc in done:
            assert annotations.status(doc) == Status.DONE
    finally:
        ws.close()
    return output


@pytest.mark.gui
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("seed", range(3))
def test_trial_sigkill_while_tagging_in_the_window(tmp_path: Path, seed: int) -> None:
    pytest.importorskip("PySide6")
    window_trial(tmp_path, seed)


@pytest.mark.gui
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_trial_sigkill_while_tagging_beside_another_writer(tmp_path: Path) -> None:
    """Another process holds the write lock for a while: the window says busy, shows nothing it did not save."""
    pytest.importorskip("PySide6")
    output = window_trial(tmp_path, seed=7, locked_for=3)
    assert sum(line.startswith("busy ") for line in output) >= 3  # the lock met the window's key presses


# -- the PostgreSQL server stops mid-import and mid-export ------------------------------------------
PG_DOCS = 2_000
WRITING = ("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
           "WHERE c.relname = 'document' AND l.mode = 'RowExclusiveLock' AND l.granted")


def stop_server_under(proc: subprocess.Popen, server: PrivateServer, mode: str,  # type: ignore[type-arg]
                      ready: Callable[[], object], what: str) -> str:
    """Once `ready` (the client is at `what`): freeze the client where it is, stop the server, let the client go on
    and meet the closed connection; its stderr when it has ended. The server is started again whatever happens."""
    try:
        wait_for(lambda: proc.poll() is not None or ready(), what)
        assert proc.poll() is None, "the client had already ended: the stop would not have landed"
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            server.stop(mode)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        _out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=HANG_GUARD_S)
        server.start()
    return err


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_trial_postgres_stopped_mid_import(private_pg: PrivateServer, tmp_path: Path, mode: str) -> None:
    name = f"trial_import_{mode}"
    url = private_pg.create_database(name)
    ws = open_workspace(url)  # the schema first: the trial is about the import's transaction
    ensure_project(ws)
    ws.close()
    source = big_jsonl(tmp_path / "articles.jsonl", PG_DOCS)
    proc = cli("--db", url, "import", str(source))
    err = stop_server_under(proc, private_pg, mode, lambda: private_pg.scalar(name, WRITING), "the import's transaction")
    assert_clean_failure(proc.returncode, err)
    assert private_pg.scalar(name, "SELECT count(*) FROM document") == 0  # nothing of the file
    assert private_pg.scalar(name, "SELECT count(*) FROM span") == 0


@pytest.mark.postgres
def test_trial_postgres_stopped_mid_export(private_pg: PrivateServer, tmp_path: Path) -> None:
    name = "trial_export"
    url = private_pg.create_database(name)
    _out, err = finish(cli("--db", url, "import", str(big_jsonl(tmp_path / "articles.jsonl", PG_DOCS))))
    out = tmp_path / "out" / "export.jsonl"
    out.parent.mkdir()
    proc = cli("--db", url, "export", "--format", "prodigy", "--out", str(out))
    err = stop_server_under(proc, private_pg, "fast", lambda: any(out.parent.iterdir()), "the export to start writing")
    assert_clean_failure(proc.returncode, err)
    assert list(out.parent.iterdir()) == []  # no half file, no temporary left behind
    assert private_pg.scalar(name, "SELECT count(*) FROM document") == PG_DOCS


# -- a full disk ------------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 3 MB tmpfs (root on Linux only)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True,
                            timeout=HANG_GUARD_S)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=HANG_GUARD_S)


def test_trial_disk_full_during_import(tmp_path: Path, small_disk: Path) -> None:
    db = new_database(small_disk / "full.db")
    source = big_jsonl(tmp_path / "articles.jsonl", 2_000)  # about 3 MB of text: more than the disk holds
    proc = cli("--db", str(db), "import", str(source))
    _out, err = finish(proc)
    assert_clean_failure(proc.returncode, err)
    assert "full" in err
    assert integrity(db) == "ok"
    assert counts(db) == (0, 0)
    for leftover in small_disk.glob("full.db-*"):  # the WAL may keep its size: that is SQLite's, not data
        assert leftover.name in ("full.db-wal", "full.db-shm")

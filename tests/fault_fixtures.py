"""One set of helpers for the fault tests (tests/test_faults.py, tests/test_fault_trials.py).

A fault test proves that its fault landed: the process was still running when it was killed
(`kill_alive`), the server was stopped while the import was inside its transaction. Every wait has a
finite limit, a safety net against a hang, never a speed assertion.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# A safety net against a hang, never a speed limit (lower it to see a hang sooner while working on a fix).
HANG_GUARD_S = float(os.environ.get("ANNOTATOR_TEST_HANG_GUARD_S", "120"))


def finish(proc: subprocess.Popen) -> tuple[str, str]:  # type: ignore[type-arg]
    """Its output once it has ended by itself; a hang fails the test instead of holding it."""
    try:
        return proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=HANG_GUARD_S)
        raise AssertionError(f"the process hung; stderr: {err[-2000:]}") from None


def kill_alive(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """SIGKILL a process that is still running (else the trial did not land), and reap it."""
    assert proc.poll() is None, "the process had already ended: the kill would not have landed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=HANG_GUARD_S)
    assert proc.returncode == -signal.SIGKILL


def freeze(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """SIGSTOP: hold a running process at this very moment (a kill or a server stop then lands here)."""
    ended = "the process had already ended: the fault would not have landed"
    try:
        os.kill(proc.pid, signal.SIGSTOP)
    except ProcessLookupError:
        raise AssertionError(ended) from None
    assert proc.poll() is None, ended


def wait_for(predicate: Callable[[], object], what: str, limit: float = HANG_GUARD_S) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


class Lines:
    """A process's stdout, line by line, each read with a finite wait (a reader thread fills a queue)."""

    def __init__(self, proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
        assert proc.stdout is not None
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next(self) -> str | None:
        """The next line, or None at the end of the output."""
        try:
            line = self._queue.get(timeout=HANG_GUARD_S)
        except queue.Empty:
            raise AssertionError(f"no line within {HANG_GUARD_S} s; last: {self.seen[-3:]}") from None
        if line is not None:
            self.seen.append(line)
        return line

    def rest(self) -> list[str]:
        """Every line still to come, up to the end of the output (call once the process has ended)."""
        while self.next() is not None:
            pass
        self._thread.join(timeout=HANG_GUARD_S)
        return self.seen


# A separate process: BEGIN IMMEDIATE takes SQLite's write lock and keeps it until told "commit" on stdin.
LOCK_HOLDER = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO annotator (name) VALUES ('other program')")
print("locked", flush=True)
ready, _, _ = select.select([sys.stdin], [], [], float(sys.argv[2]))  # never holds it forever
conn.execute("COMMIT")
print("committed", flush=True)
"""


class LockHolder:
    """Another program in the middle of writing a SQLite file: it holds the write lock until `commit`."""

    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db), str(HANG_GUARD_S)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines = Lines(self.proc)
        assert self.lines.next() == "locked"
        self.held = True

    def commit(self) -> None:
        assert self.proc.poll() is None, "the other program let go of the lock before the test was done"
        assert self.proc.stdin is not None
        self.proc.stdin.write("commit\n")
        self.proc.stdin.flush()
        assert self.lines.next() == "committed"
        self.held = False
        self.proc.wait(timeout=HANG_GUARD_S)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=HANG_GUARD_S)


def big_jsonl(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = f"Document {i}: more than {i} people left Velmora, the governor said. " * 20
            f.write(json.dumps({"text": text, "spans": [{"start": 0, "end": 8, "label": "CLAIM"}]}) + "\n")
    return path


def counts(db: Path) -> tuple[int, int]:
    """(documents, spans) in a SQLite file."""
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM document").fetchone()[0],
                conn.execute("SELECT count(*) FROM span").fetchone()[0])
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


# -- a private PostgreSQL server, for tests that stop it ------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PrivateServer:
    """initdb into a fresh folder and pg_ctl as the `postgres` user (PostgreSQL refuses root), on a free port."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.folder = folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._as_postgres(f"{bin_dir}/initdb -N -A trust -U postgres -D {folder}/data")  # -N: a throw-away server

    def _as_postgres(self, command: str) -> None:
        result = subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], capture_output=True, text=True,
                                timeout=HANG_GUARD_S)
        if result.returncode != 0:
            raise RuntimeError(f"{command}: {result.stdout}{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(f"{self.bin}/pg_ctl -s -D {self.folder}/data -o '{options}' -l {self.folder}/log -w start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(f"{self.bin}/pg_ctl -s -D {self.folder}/data -m {mode} -w stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def scalar(self, database: str, sql: str) -> object:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(database))
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivateServer]:
    """A PostgreSQL server of this module's own, which its tests may stop; skipped without root or binaries."""
    bin_dir = _pg_bin()
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or bin_dir is None:
        pytest.skip("a private PostgreSQL server needs root and the PostgreSQL binaries")
    pytest.importorskip("psycopg")
    folder = Path(tempfile.mkdtemp(prefix="annotator-pg-"))  # not under pytest's root-only tmp folders
    try:
        shutil.chown(folder, "postgres")
        server = PrivateServer(bin_dir, folder)
        server.start()
    except (RuntimeError, LookupError, OSError, subprocess.TimeoutExpired) as e:  # no postgres user, no su
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot start a private PostgreSQL server: {e}")
    try:
        yield server
    finally:
        with contextlib.suppress(RuntimeError):  # already stopped by the test
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)

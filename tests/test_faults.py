"""Faults a user meets: killed processes, a second writer, read-only files, a full disk, hostile files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runners import cli
from fault_fixtures import HANG_GUARD_S, big_jsonl, counts, finish, freeze, kill_alive, wait_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError, StorageError
from annotator.services.importing import import_paths
from annotator.services.workspace import ensure_project, open_workspace


# The SIGKILL during an import is tests/test_fault_trials.py's test_trial_sigkill_during_import.
def test_sigkill_during_export_leaves_no_half_file(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    ws = open_workspace(db)
    import_paths(ws, [big_jsonl(tmp_path / "in.jsonl", 3_000)], project="default", annotator="a")
    ws.close()
    out = tmp_path / "out.jsonl"
    proc = cli("--db", str(db), "export", "--format", "prodigy", "--out", str(out))
    wait_for(lambda: any(p.name.startswith(".out.jsonl.") for p in tmp_path.iterdir()) or proc.poll() is not None,
             "the export to start writing")
    freeze(proc)  # held while its temporary file is being written
    kill_alive(proc)
    assert not out.exists()  # no half file under the name asked for
    corpus = tmp_path / "corpus"
    proc = cli("--db", str(db), "export", "--format", "spacy", "--out", str(corpus))
    wait_for(lambda: any(tmp_path.glob(".corpus.export-*.part/corpus")) or proc.poll() is not None,
             "the spaCy export to start writing")
    freeze(proc)  # held while it writes its staging folder beside --out
    kill_alive(proc)
    assert not corpus.exists()  # nothing half published (tests/test_export_safety.py kills it at every step)


def test_second_writer_waits_then_gets_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "lock.db"
    ws = open_workspace(db)
    ensure_project(ws)
    ws.close()
    (tmp_path / "a.txt").write_text("A short article about Velmora.", encoding="utf-8")
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another process is in the middle of writing
    holder.execute("INSERT INTO annotator (name) VALUES ('other')")
    proc = cli("--db", str(db), "import", str(tmp_path / "a.txt"), env={"ANNOTATOR_BUSY_TIMEOUT_MS": "300"})
    _, err = finish(proc)
    assert proc.returncode == 2
    assert "[A041]" in err and "locked" in err and "Traceback" not in err
    holder.commit()  # the other writer finishes: nothing of theirs was lost, and we can now import
    holder.close()
    proc = cli("--db", str(db), "import", str(tmp_path / "a.txt"))
    finish(proc)
    assert proc.returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM annotator WHERE name = 'other'").fetchone()[0] == 1
    assert counts(db)[0] == 1


def _read_only_view(folder: Path, tmp_path: Path) -> tuple[Path, Callable[[], None]]:
    """The folder as a user without write access sees it, and a function that undoes it."""
    if os.geteuid() != 0:
        for item in folder.iterdir():
            item.chmod(0o444)
        folder.chmod(0o555)
        return folder, lambda: folder.chmod(0o755)
    # root ignores file modes: a read-only bind mount is what a read-only disk or share looks like.
    view = tmp_path / "ro-view"
    view.mkdir()
    try:
        for command in (["mount", "--bind", str(folder), str(view)], ["mount", "-o", "remount,bind,ro", str(view)]):
            subprocess.run(command, check=True, capture_output=True, timeout=HANG_GUARD_S)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(["umount", str(view)], capture_output=True, timeout=HANG_GUARD_S)
        pytest.skip("cannot make a read-only mount here")
    return view, lambda: subprocess.run(["umount", str(view)], check=True, timeout=HANG_GUARD_S)


@pytest.mark.skipif(sys.platform != "linux", reason="read-only mounts are set up the Linux way")
def test_read_only_database_folder(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    ws = open_workspace(folder / "r.db")
    ensure_project(ws)
    ws.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{folder / 'r.db'}{suffix}").unlink(missing_ok=True)
    (tmp_path / "a.txt").write_text("An article.", encoding="utf-8")
    before = (folder / "r.db").read_bytes()
    view, undo = _read_only_view(folder, tmp_path)
    try:
        proc = cli("--db", str(view / "r.db"), "import", str(tmp_path / "a.txt"))
        _, err = finish(proc)
        stats = cli("--db", str(view / "r.db"), "stats")
        _, stats_err = finish(stats)
    finally:
        undo()
    assert proc.returncode == 2, err
    assert "[A042]" in err and "read-only" in err and "Traceback" not in err
    assert stats.returncode in (0, 2) and "Traceback" not in stats_err
    assert (folder / "r.db").read_bytes() == before


def test_disk_full_during_import_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.storage import engine

    real = engine._sqlite_pragmas

    def small_disk(conn, record) -> None:  # type: ignore[no-untyped-def]
        real(conn, record)
        conn.execute("PRAGMA max_page_count = 200")  # SQLite answers SQLITE_FULL past ~800 KB

    monkeypatch.setattr(engine, "_sqlite_pragmas", small_disk)
    db = tmp_path / "full.db"
    ws = open_workspace(db)
    ensure_project(ws)
    summary = import_paths(ws, [big_jsonl(tmp_path / "big.jsonl", 2_000)], project="default", annotator="a")
    ws.close()
    assert len(summary.errors) == 1 and "full" in summary.errors[0]
    assert counts(db) == (0, 0)


HOSTILE = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.dictionaries(st.sampled_from(["text", "spans", "meta", "label", "entities", "answer"]),
                             st.one_of(st.none(), st.integers(-10**20, 10**20), st.text(max_size=20),
                                       st.lists(st.dictionaries(st.sampled_from(["start", "end", "label"]),
                                                                st.one_of(st.integers(-5, 10**12), st.text(max_size=5),
                                                                          st.none()), max_size=3), max_size=3)),
                             max_size=4), max_size=4).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=HOSTILE, suffix=st.sampled_from([".jsonl", ".json", ".txt", ".csv", ".conll", ".html"]))
def test_hostile_files_give_a_clear_error_or_import_whole(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(data)
    db = tmp_path / "fuzz.db"
    ws = open_workspace(db)
    try:
        before = counts(db) if db.exists() else (0, 0)
        try:
            summary = import_paths(ws, [path], project="default", annotator="a")
        except AnnotatorError as e:
            assert str(e).startswith("[A")
            assert counts(db) == before
            return
        for error in summary.errors:
            assert error.startswith("[A") and path.name in error
        if summary.errors:
            assert counts(db) == before
    except StorageError:
        raise
    finally:
        ws.close()

"""`annotator merge OTHER.db`: an offline annotator's file brought in, idempotent, all or nothing."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from cli_runners import cli, run
from fault_fixtures import counts, finish, integrity, kill_alive, wait_for

from annotator.domain.documents import Status
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.merging import merge_database
from annotator.services.workspace import Workspace, ensure_project, open_workspace

SHARED = ["Olena Marchuk said 400 homes lost power in Velmora.", "The port said exports fell by 34 per cent."]
ONLY_THERE = "Irena Dobric said 12,000 residents left Dorvan."


def _import(ws: Workspace, path: Path, records: list[dict[str, object]], annotator: str = "loader") -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert import_paths(ws, [path], project="default", annotator=annotator).errors == []


def _offline_file(folder: Path) -> Path:
    """ana's laptop: the shared articles, one more, her spans (one of a label this project lacks), statuses."""
    path = folder / "ana.db"
    ws = open_workspace(path)
    try:
        _import(ws, folder / "ana.jsonl", [
            {"text": SHARED[1], "spans": [{"start": 4, "end": 8, "label": "SOURCE"}]},
            {"text": ONLY_THERE, "spans": [{"start": 0, "end": 12, "label": "SOURCE"},
                                           {"start": 18, "end": 24, "label": "HEADCOUNT"}]},
            {"text": SHARED[0]},
        ], annotator="ana")
        project = ensure_project(ws).id
        work = Annotations(ws, project, "ana")
        with ws.unit() as repo:
            docs = {d.text: d.id for d in (repo.documents.get(i) for i in repo.documents.ids(project)) if d}
        work.add_span(docs[SHARED[0]], "LOCATION", 43, 50)
        work.set_status(docs[SHARED[0]], Status.DONE, seconds=12.5)
        work.set_status(docs[ONLY_THERE], Status.SKIPPED)
    finally:
        ws.close()
    return path


def _here(folder: Path, target: str | Path) -> Workspace:
    ws = open_workspace(target)
    _import(ws, folder / "here.jsonl", [{"text": SHARED[0], "spans": [{"start": 0, "end": 13, "label": "SOURCE"}]},
                                        {"text": SHARED[1]}], annotator="ben")
    return ws


def _layers(ws: Workspace) -> dict[str, list[tuple[str, int, int, str]]]:
    project = ensure_project(ws).id
    out: dict[str, list[tuple[str, int, int, str]]] = {}
    with ws.unit() as repo:
        for doc in repo.documents.ids(project):
            document = repo.documents.get(doc)
            assert document is not None
            for span in repo.spans.of_document(doc, None):
                out.setdefault(str(span.annotator), []).append((document.text[:12], span.start, span.end, span.label))
    return {who: sorted(spans) for who, spans in out.items()}


def _statuses(ws: Workspace, who: str) -> dict[str, str]:
    project = ensure_project(ws).id
    work = Annotations(ws, project, who)
    with ws.unit() as repo:
        docs = [repo.documents.get(d) for d in repo.documents.ids(project)]
    return {d.text[:12]: work.status(d.id).value for d in docs if d}


def _check_merged(ws: Workspace, other: Path, prefix: str = "") -> None:
    first = merge_database(ws, other, prefix=prefix)
    assert (first.documents_matched, first.documents_added, first.spans_added) == (2, 1, 4)
    assert first.labels_added == ["HEADCOUNT"] and first.annotators == [f"{prefix}ana"]
    ana = f"{prefix}ana"
    assert _layers(ws) == {
        "ben": [("Olena Marchu", 0, 13, "SOURCE")],
        ana: sorted([("Irena Dobric", 0, 12, "SOURCE"), ("Irena Dobric", 18, 24, "HEADCOUNT"),
                     ("Olena Marchu", 43, 50, "LOCATION"), ("The port sai", 4, 8, "SOURCE")]),
    }
    assert _statuses(ws, ana) == {"Olena Marchu": "done", "The port sai": "todo",
                                  "Irena Dobric": "skipped"}
    with ws.unit() as repo:
        labels = repo.labels.of_project(ensure_project(ws).id)
    assert labels.get("HEADCOUNT") is not None and labels.get("HEADCOUNT").kind.value == "entity"
    before = _layers(ws)
    second = merge_database(ws, other, prefix=prefix)
    assert not second.changed and second.lines()[0].startswith(f"nothing to merge from {other}")
    assert _layers(ws) == before


def test_merge_brings_people_spans_statuses_and_missing_documents(tmp_path: Path) -> None:
    other = _offline_file(tmp_path)
    before = other.read_bytes()
    ws = _here(tmp_path, tmp_path / "team.db")
    try:
        _check_merged(ws, other)
    finally:
        ws.close()
    assert other.read_bytes() == before  # the other file is read, never written


def test_merge_with_a_prefix_keeps_people_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = _offline_file(tmp_path)
    ws = _here(tmp_path, tmp_path / "team.db")
    ws.close()
    code, out, err = run(capsys, "--db", str(tmp_path / "team.db"), "merge", str(other), "--annotator-prefix",
                         "laptop-")
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"merged {other} (laptop-ana): 1 document(s) added, 2 matched")
    code, out, _ = run(capsys, "--db", str(tmp_path / "team.db"), "merge", str(other), "--annotator-prefix",
                       "laptop-")
    assert code == 0 and out.startswith("nothing to merge")


@pytest.mark.postgres
def test_merge_into_postgresql(tmp_path: Path, pg_url: str) -> None:
    other = _offline_file(tmp_path)
    ws = _here(tmp_path, pg_url)
    try:
        _check_merged(ws, other)
    finally:
        ws.close()


def test_a_file_that_cannot_be_merged_is_one_coded_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "team.db")
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("these are notes, not a database\n" * 100, encoding="utf-8")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    newer = _offline_file(tmp_path)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    for path, words in ((tmp_path / "missing.db", "there is no database file"), (not_sqlite, "not a SQLite"),
                        (foreign, "not annotator's"), (newer, "newer annotator")):
        code, out, err = run(capsys, "--db", target, "merge", str(path))
        assert code == 2 and out == "", err
        assert err.startswith("annotator: [A172] ") and words in err and str(path) in err, err
        assert "Traceback" not in err and "annotator-merge-" not in err and len(err.splitlines()) == 1
    assert counts(Path(target)) == (0, 0)


# -- SIGKILL during a merge -----------------------------------------------------------------------------
MERGE_DOCS = 6000


@pytest.fixture(scope="module")
def big_other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("merge")
    ws = open_workspace(folder / "big.db")
    try:
        _import(ws, folder / "big.jsonl", [
            {"text": f"Document {i}: more than {i} people left Velmora, the governor said. " * 10,
             "spans": [{"start": 0, "end": 8, "label": "CLAIM"}, {"start": 9, "end": 10, "label": "FIGURE"}]}
            for i in range(MERGE_DOCS)], annotator="ana")
    finally:
        ws.close()
    return folder / "big.db"


def _target(tmp_path: Path) -> Path:
    ws = _here(tmp_path, tmp_path / "team.db")
    ws.close()
    return tmp_path / "team.db"


def _merge_process(target: Path, other: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    return cli("--db", str(target), "merge", str(other))


@pytest.fixture(scope="module")
def merge_seconds(big_other: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """A whole merge without a fault: it goes through, and how long it runs (seconds)."""
    target = _target(tmp_path_factory.mktemp("baseline"))
    started = time.monotonic()
    proc = _merge_process(target, big_other)
    _out, err = finish(proc)
    assert proc.returncode == 0, err
    assert counts(target)[0] == MERGE_DOCS + 2
    return time.monotonic() - started


def _write_locked(db: Path) -> bool:
    """Whether another connection holds the database's write lock right now (BEGIN IMMEDIATE without waiting)."""
    conn = sqlite3.connect(db, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


@pytest.mark.parametrize("seed", range(4))
def test_trial_sigkill_during_merge(tmp_path: Path, big_other: Path, merge_seconds: float, seed: int) -> None:
    target = _target(tmp_path)
    before = counts(target)
    wal = Path(f"{target}-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    rng = random.Random(seed)
    proc = _merge_process(target, big_other)
    if seed % 2 == 0:  # inside its transaction: it holds the write lock (a probe cannot take it)
        wait_for(lambda: _write_locked(target) or proc.poll() is not None, "the merge to take the write lock")
        time.sleep(rng.uniform(0.0, 0.1))
    else:  # while its commit writes this database's -wal file
        written = wal_before + rng.uniform(0.2e6, 4e6)
        wait_for(lambda: (wal.exists() and wal.stat().st_size > written) or proc.poll() is not None,
                 f"the merge to write {written:.0f} bytes")
    kill_alive(proc)
    assert integrity(target) == "ok"
    merged = (before[0] + MERGE_DOCS, before[1] + 2 * MERGE_DOCS)
    # One transaction: as it was, or (killed in the last moments of its commit) all of the merge.
    assert counts(target) == before if seed % 2 == 0 else counts(target) in {before, merged}
    ws = open_workspace(target)
    try:
        again = merge_database(ws, big_other)  # and the next merge goes through, or finds it all there
        assert counts(target) == merged and again.documents_added in (0, MERGE_DOCS)
    finally:
        ws.close()

"""`annotator suggest` and `annotator evaluate` as a user runs them."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from cli_runners import cli, run, write

from annotator.domain.documents import Status
from annotator.services.annotation import Annotations
from annotator.services.suggesting import BATCH
from annotator.services.workspace import ensure_project, open_workspace

GOLD = [
    {"text": "Olena Marchuk said 400 homes lost power in Velmora.", "spans": [
        {"start": 0, "end": 13, "label": "SOURCE"}, {"start": 19, "end": 28, "label": "FIGURE"},
        {"start": 43, "end": 50, "label": "LOCATION"}]},
    {"text": "The port authority said exports fell by 34 per cent.", "spans": [
        {"start": 0, "end": 18, "label": "SOURCE"}, {"start": 40, "end": 51, "label": "FIGURE"},
        {"start": 24, "end": 31, "label": "FIGURE"}]},
]


def imported(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    path = write(tmp_path / "gold.jsonl", "".join(json.dumps(row) + "\n" for row in GOLD))
    assert run(capsys, "import", str(path), "--db", db, "--project", "news", "--annotator", "ana")[0] == 0


def test_suggest_fills_every_document_and_prints_the_count_per_label(capsys: pytest.CaptureFixture[str], db: str,
                                                                     tmp_path: Path) -> None:
    imported(capsys, db, tmp_path)
    code, out, err = run(capsys, "suggest", "--db", db, "--project", "news")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("rules: ") and "on 2 document(s)" in lines[0]
    counts = dict(line.split() for line in lines[1:])
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT l.name, count(*) FROM span s JOIN label l ON l.id = s.label_id JOIN "
                                   "annotator a ON a.id = s.annotator_id WHERE a.kind = 'model' AND a.name = 'rules' "
                                   "GROUP BY l.name").fetchall())
    assert {k: int(v) for k, v in counts.items()} == stored and stored["FIGURE"] == 2
    assert "on 1 document(s)" in run(capsys, "suggest", "--db", db, "--project", "news", "--documents", "1")[1]


def test_evaluate_prints_precision_recall_and_f_per_label(capsys: pytest.CaptureFixture[str], db: str,
                                                          tmp_path: Path) -> None:
    imported(capsys, db, tmp_path)
    run(capsys, "suggest", "--db", db, "--project", "news")
    code, out, err = run(capsys, "evaluate", "--db", db, "--project", "news", "--layer", "rules", "--against", "ana")
    assert code == 0, err
    assert "on the 2 document(s) annotated (none finished yet)" in out.splitlines()[0]
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    # FIGURE: "400 homes" and "34 per cent" are found, "exports" (written as a FIGURE here on purpose) is not.
    assert rows["FIGURE"][:5] == ["3", "2", "1.000", "0.667", "0.800"]
    assert rows["(all)"][0] == "6"


def test_evaluate_takes_the_finished_documents_when_there_are(capsys: pytest.CaptureFixture[str], db: str,
                                                              tmp_path: Path) -> None:
    imported(capsys, db, tmp_path)
    run(capsys, "suggest", "--db", db, "--project", "news")
    ws = open_workspace(db)
    try:
        ana = Annotations(ws, ensure_project(ws, "news").id, "ana")
        first = ana.first_document()
        assert first is not None
        ana.set_status(first, Status.DONE)
    finally:
        ws.close()
    out = run(capsys, "evaluate", "--db", db, "--project", "news", "--layer", "rules", "--against", "ana")[1]
    assert "on the 1 document(s) finished" in out and out.splitlines()[-1].split()[1] == "3"


@pytest.mark.parametrize(("args", "code"), [
    (["suggest", "--source", "no_such_pipeline"], "[A131]"),
    (["suggest", "--source", "trained"], "[A182]"),
    (["suggest", "--documents", "0"], "[A001]"),
    (["evaluate", "--layer", "occurrences", "--against", "ana"], "[A183]"),
    (["evaluate", "--layer", "rules", "--against", "nobody"], "[A183]"),
])
def test_bad_requests_are_one_coded_line_and_change_nothing(capsys: pytest.CaptureFixture[str], db: str,
                                                            tmp_path: Path, args: list[str], code: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no model another test trained in the user folder
    imported(capsys, db, tmp_path)
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT * FROM span ORDER BY id").fetchall()
    status, out, err = run(capsys, *args, "--db", db, "--project", "news")
    assert status == 2 and err.startswith(f"annotator: {code} ") and len(err.strip().splitlines()) == 1, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM span ORDER BY id").fetchall() == before


def test_ctrl_c_keeps_the_batches_written_and_says_so(capsys: pytest.CaptureFixture[str], db: str,
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    body = ("Olena Marchuk said {n} homes lost power in Velmora on Monday.\n\nThe port authority said exports fell "
            "by {p} per cent in the Dorvan region, according to the ministry.\n") * 3
    for n in range(400):
        write(folder / f"{n:03}.txt", body.format(n=400 + n, p=n % 90))
    assert run(capsys, "import", str(folder), "--db", db, "--project", "news")[0] == 0
    proc = cli("suggest", "--db", db, "--project", "news")
    query = ("SELECT s.document_id, count(*) FROM span s JOIN annotator a ON a.id = s.annotator_id "
             "WHERE a.kind = 'model' GROUP BY s.document_id")
    deadline = time.monotonic() + 120
    filled: list[tuple[int, int]] = []
    while not filled and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        with sqlite3.connect(db, timeout=10) as conn:
            filled = conn.execute(query).fetchall()
    assert proc.poll() is None, "the run ended before the test could interrupt it"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("annotator: [A181] interrupted: the suggestions of ") and "Traceback" not in err
    saved = int(line.split("the suggestions of ")[1].split()[0])
    with sqlite3.connect(db) as conn:
        filled = conn.execute(query).fetchall()
    # Whole batches only: every document written has its whole layer; none of the rest has a span of it.
    assert saved % BATCH == 0 and 0 < saved < 400 and len(filled) in (saved, saved + BATCH)
    assert {n for _, n in filled} == {filled[0][1]}

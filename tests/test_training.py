"""Training a span categorizer: a loadable model that predicts spans, cancel leaves nothing, the learning curve,
`annotator train` with its table and chart, and bad input as one coded line. Small data, fixed seeds, few steps."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from cli_runners import cli, run, run_cli, write
from data_fixtures import documents

from annotator.domain.records import DocumentRecord
from annotator.errors import TrainingCancelledError
from annotator.nlp.training import TRAINING_JSON, Progress, learning_curve, train_spancat


def test_training_writes_a_loadable_pipeline_that_predicts_spans(tmp_path: Path) -> None:
    import spacy

    docs = documents(12)
    steps: list[Progress] = []
    out = tmp_path / "models" / "news" / "one"
    model = train_spancat(docs[:10], docs[10:], lang="en", out=out, max_steps=40, seed=0, progress=steps.append,
                          meta={"project": "news"})
    assert [p.step for p in steps] == list(range(41))
    assert any(p.score is not None for p in steps) and all(p.loss >= 0 for p in steps)
    assert model.labels == ["FIGURE", "LOCATION", "SOURCE"]
    assert model.words > 0 and model.tokens_per_second > 0
    nlp = spacy.load(out)
    doc = nlp("Amina Haddad said 120 homes lost power in Velmora on Monday.")
    found = {(s.text, s.label_) for s in doc.spans["sc"]}
    assert ("Velmora", "LOCATION") in found, found
    saved = json.loads((out / TRAINING_JSON).read_text(encoding="utf-8"))
    assert saved["project"] == "news" and saved["labels"] == model.labels and saved["steps"] == 40
    assert saved["scores"]["LOCATION"]["f"] == model.scores["LOCATION"].f > 0.5
    assert [p.name for p in out.parent.iterdir()] == ["one"]  # no staging folder left beside it


def test_cancel_leaves_no_model_folder(tmp_path: Path) -> None:
    docs = documents(6)
    cancel = threading.Event()
    seen: list[int] = []

    def progress(p: Progress) -> None:
        seen.append(p.step)
        if p.step == 2:
            cancel.set()

    out = tmp_path / "models" / "cancelled"
    with pytest.raises(TrainingCancelledError):
        train_spancat(docs[:4], docs[4:], lang="en", out=out, max_steps=500, progress=progress, cancel=cancel)
    assert seen == [0, 1, 2]
    assert not out.exists() and not (out.parent.exists() and any(out.parent.iterdir()))


def test_the_learning_curve_has_four_points_per_label() -> None:
    from annotator.services.training import curve_table

    docs = documents(9)
    points = learning_curve(docs[:8], docs[8:], lang="en", max_steps=3, seed=1)
    assert [(p.fraction, p.documents) for p in points] == [(0.25, 2), (0.5, 4), (0.75, 6), (1.0, 8)]
    for label in ("FIGURE", "LOCATION", "SOURCE"):
        assert all(label in p.scores and 0.0 <= p.scores[label].f <= 1.0 for p in points)
    table = curve_table(points, ["SOURCE", "LOCATION", "FIGURE", "CLAIM"])
    assert table[0].split() == ["label", "share", "documents", "P", "R", "F"]
    assert len(table) == 1 + 4 * 4 and len({len(line) for line in table if not line.startswith("CLAIM")}) == 1
    assert [line.split()[:3] for line in table[13:]] == [["CLAIM", "25%", "2"], ["CLAIM", "50%", "4"],
                                                         ["CLAIM", "75%", "6"], ["CLAIM", "100%", "8"]]
    assert table[13].split()[3:] == ["-", "-", "-"]  # no CLAIM held back or predicted: nothing to score


@pytest.fixture
def db(database: str) -> str:
    """The command's tests read their documents from a SQLite file and from PostgreSQL."""
    return database


def _import(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, docs: list[DocumentRecord]) -> None:
    lines = [json.dumps({"text": d.text, "spans": [{"start": s.start, "end": s.end, "label": s.label}
                                                    for s in d.spans]}) for d in docs]
    path = write(tmp_path / "ana.jsonl", "\n".join(lines) + "\n")
    assert run(capsys, "--db", db, "import", str(path), "--format", "prodigy", "--annotator", "ana")[0] == 0


def _mark_done(db: str, count: int) -> None:
    from annotator.domain.documents import Status
    from annotator.services.workspace import open_workspace

    ws = open_workspace(db)
    try:
        with ws.unit() as repo:
            project = repo.projects.by_name("default")
            annotator_id = repo.owners.annotator_id("ana")
            for doc_id in repo.documents.ids(project.id)[:count]:
                repo.statuses.save(doc_id, annotator_id, Status.DONE)
    finally:
        ws.close()


def test_the_command_prints_the_curve_and_draws_the_chart(db: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, db, tmp_path, documents(7) + [DocumentRecord("Nothing tagged in Kastell here.")])
    _mark_done(db, 6)
    out, chart = tmp_path / "model", tmp_path / "charts" / "curve.png"
    code, stdout, stderr = run_cli("--db", db, "train", "--annotator", "ana", "--out", str(out), "--chart",
                                   str(chart), "--max-steps", "3")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("trained on 5 document(s) of ana, scored on 1 held back; 3 steps")
    start = lines.index("learning curve (precision, recall and F on the held-back documents):")
    rows = [line.split() for line in lines[start + 2 : start + 2 + 16]]
    assert [row[:3] for row in rows[:4]] == [["SOURCE", "25%", "1"], ["SOURCE", "50%", "2"], ["SOURCE", "75%", "4"],
                                             ["SOURCE", "100%", "5"]]
    assert {row[0] for row in rows} == {"SOURCE", "LOCATION", "FIGURE", "CLAIM"}
    assert lines[-1] == f"chart: {chart}"
    from PySide6.QtGui import QImage

    image = QImage(str(chart))
    assert not image.isNull() and (image.width(), image.height()) == (960, 600)
    assert json.loads((out / TRAINING_JSON).read_text(encoding="utf-8"))["documents"]["held_out"]
    assert "Traceback" not in stderr


@pytest.mark.parametrize(("args", "done", "expected"), [
    (["--max-steps", "2"], 1, "[A141] ana has 1 finished document(s) in project 'default'; training needs at least 2"),
    (["--curve"], 4, "[A141] ana has 4 finished document(s) in project 'default'; a learning curve needs at least 5"),
    (["--layer", "gold"], 4, "[A155] the project has no layer 'gold'"),
    (["--layer", "people"], 4, "[A145] --layer people mixes every person's spans; training takes one layer"),
    (["--chart", "curve.svg"], 4, "[A001] --chart curve.svg is not a .png file name"),
    (["--max-steps", "0"], 4, "[A001] --max-steps must be at least 1, not 0"),
])
def test_bad_input_is_one_coded_line(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                     done: int, expected: str) -> None:
    _import(capsys, db, tmp_path, documents(5))
    _mark_done(db, done)
    who = [] if "--layer" in args else ["--annotator", "ana"]
    code, stdout, stderr = run(capsys, "--db", db, *who, "train", *args)
    assert code == 2 and stdout == ""
    assert stderr.startswith(f"annotator: {expected}") and len(stderr.splitlines()) == 1, stderr


def test_no_spans_and_an_existing_folder_are_refused(db: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, db, tmp_path, [DocumentRecord(d.text) for d in documents(3)])
    _mark_done(db, 3)
    code, _, stderr = run(capsys, "--db", db, "--annotator", "ana", "train")
    assert code == 2 and "[A142] the 3 document(s) of ana in project 'default' hold no spans" in stderr
    code, _, stderr = run(capsys, "--db", db, "--annotator", "ana", "train", "--any-status", "--out", str(tmp_path))
    assert code == 2 and "[A142]" in stderr  # annotated-or-done: still the same three, still no spans
    _import(capsys, db, tmp_path, documents(3, seed=9))
    code, _, stderr = run(capsys, "--db", db, "--annotator", "ana", "train", "--any-status", "--out", str(tmp_path))
    assert code == 2 and f"[A144] {tmp_path} already exists" in stderr


def test_ctrl_c_cancels_with_a_coded_line_and_writes_nothing(db: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, db, tmp_path, documents(8))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "model"
    proc = cli("--db", db, "--annotator", "ana", "train", "--any-status", "--out", str(out), "--max-steps", "100000",
               env={"TMPDIR": str(scratch)})
    try:
        deadline = time.monotonic() + 120
        # The training corpus exists once the run has started: interrupt it then, as a user pressing Ctrl+C would.
        while not list(scratch.glob("annotator-train-*/corpus/config.cfg")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        time.sleep(1.0)  # into the training steps
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2, stderr
    assert stderr.strip().splitlines()[-1] == ("annotator: [A143] training was cancelled (Ctrl+C); no model was "
                                               "written")
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists() and list(tmp_path.glob(".model*")) == [] and list(scratch.iterdir()) == []

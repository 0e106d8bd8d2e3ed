"""The team dashboard: its figures (on SQLite and PostgreSQL), `annotator stats --chart`, and the dialog (Ctrl+D)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_runners import run, write
from team_data import ANA, document_ids, import_spans, import_team

# (who, document, day in November 2026 at noon UTC, seconds spent)
FINISHED = [("ana", 0, 27, 300.0), ("ana", 1, 29, 100.0), ("ana", 2, 29, 200.0), ("ben", 0, 29, 600.0)]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "dashboard.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _team(capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    """ana and ben's spans, four finished documents on three days, one span of gold."""
    from sqlalchemy import update

    from annotator.domain.documents import Status
    from annotator.domain.layers import Owner
    from annotator.services.annotation import Annotations
    from annotator.services.review import Review
    from annotator.services.workspace import get_project, open_workspace
    from annotator.storage.gold_store import GoldStore
    from annotator.storage.models import DocumentStatusRow

    import_team(capsys, database, tmp_path)
    ws = open_workspace(database)
    try:
        project = get_project(ws, "default")
        ids = document_ids(ws, project.id)
        for who, doc, _, seconds in FINISHED:
            Annotations(ws, project.id, who).set_status(ids[doc], Status.DONE, seconds=seconds)
        with ws.unit() as repo:
            for who, doc, day, _ in FINISHED:
                repo.s.execute(update(DocumentStatusRow).where(
                    DocumentStatusRow.document_id == ids[doc],
                    DocumentStatusRow.annotator_id == GoldStore(repo.s).owner_id(Owner.person(who))).values(
                    updated_at=datetime(2026, 11, day, 12, tzinfo=UTC)))
        Review(ws, project.id, "lead").accept(ids[0], "SOURCE", 0, 12)
    finally:
        ws.close()


def test_the_figures(capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    from annotator.services.agreement import project_agreement
    from annotator.services.dashboard import dashboard
    from annotator.services.workspace import open_workspace

    _team(capsys, database, tmp_path)
    ws = open_workspace(database)
    try:
        data = dashboard(ws, "default")
        report = project_agreement(ws, "default")
    finally:
        ws.close()
    assert data.people == ("ana", "ben") and data.labels == ("SOURCE", "LOCATION", "FIGURE", "CLAIM")
    noon = [datetime(2026, 11, d, 12, tzinfo=UTC).astimezone().date() for d in (27, 28, 29)]
    assert data.days == tuple(noon)  # from the first day anyone finished a document, empty days kept
    assert data.done_per_day == {"ana": [1, 0, 2], "ben": [0, 0, 1]}
    assert data.spans == {"ana": {"SOURCE": 2, "FIGURE": 1, "LOCATION": 2}, "ben": {"SOURCE": 2, "FIGURE": 1,
                                                                                    "LOCATION": 2},
                          "gold": {"SOURCE": 1}}
    assert data.median_minutes("ana") == pytest.approx(200 / 60) and data.median_minutes("ben") == 10
    source = data.agreement["SOURCE"]
    assert source.alpha == pytest.approx(report.agreement.alpha("SOURCE"))
    # overlap matches pooled over the one pair: ana's two SOURCEs of the shared documents against ben's two,
    # Irena Dobric matched, ana has none on the second text, ben's "The mayor" unmatched: 2*1 / (2*1 + 1 + 0)
    assert source.f1_overlap == pytest.approx(2 / 3)
    assert data.agreement["CLAIM"].alpha is None and data.agreement["CLAIM"].f1_overlap is None
    assert data.agreement_note == "2 annotators, 2 documents annotated by two or more"


def test_stats_chart_is_a_png_of_the_four_charts(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    import_spans(capsys, db, tmp_path, "ana", ANA)  # one annotator: the agreement chart says why it is empty
    out = tmp_path / "charts" / "team.png"
    code, text, err = run(capsys, "--db", db, "stats", "--chart", str(out))
    assert code == 0, err
    assert text.splitlines()[0].startswith("project default (en): 3 documents, 5 spans")
    assert text.splitlines()[-1] == f"chart: {out}"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 1000)
    # ana's bars are drawn in the first colour of the palette
    colours = {image.pixelColor(x, y).name() for x in range(0, 1400, 4) for y in range(0, 1000, 4)}
    assert "#0072b2" in colours
    code, text, err = run(capsys, "--db", db, "stats", "--json", "--chart", str(tmp_path / "again.png"))
    assert code == 0 and json.loads(text)["spans"] == 5 and (tmp_path / "again.png").stat().st_size > 0
    code, text, err = run(capsys, "--db", db, "stats", "--chart", str(tmp_path / "team.jpg"))
    assert code == 2 and not text and err.startswith("annotator: [A001] --chart ") and "is not a .png" in err
    code, text, err = run(capsys, "--db", db, "stats", "--chart", str(tmp_path / "none" / "x" / "t.png"))
    assert code == 0  # folders are made


@pytest.mark.gui
def test_ctrl_d_opens_the_dashboard(qtbot: Any, open_window: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import Qt

    from annotator.gui.dashboard import DashboardDialog
    from annotator.services.workspace import open_workspace

    database = str(tmp_path / "window.db")
    _team(capsys, database, tmp_path)
    ws = open_workspace(database)
    try:
        window = open_window(ws, annotator="lead")
        qtbot.keyClick(window.article, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(DashboardDialog)), timeout=60_000)
        (dialog,) = window.findChildren(DashboardDialog)
        assert dialog.data.done_per_day == {"ana": [1, 0, 2], "ben": [0, 0, 1]}
        assert "2 people, 4 finished documents" in dialog.note.text()
        dialog.grab().save(str(tmp_path / "dashboard.png"))
        # F5 reads the figures again, into the same dialog
        before = dialog.data
        qtbot.waitUntil(dialog.isActiveWindow, timeout=10_000)  # shortcuts need an active window
        with qtbot.waitSignal(window.runner.task_finished, timeout=60_000,
                              check_params_cb=lambda name: name == "dashboard"):
            qtbot.keyClick(dialog, Qt.Key.Key_F5)
        assert window.findChildren(DashboardDialog) == [dialog] and dialog.data is not before
        assert dialog.data == before
    finally:
        ws.close()


def test_a_project_nobody_has_worked_on_draws_four_empty_charts(capsys: pytest.CaptureFixture[str], db: str,
                                                               tmp_path: Path) -> None:
    from annotator.services.dashboard import dashboard
    from annotator.services.workspace import open_workspace

    text = write(tmp_path / "a.txt", "Nobody has read this article yet.\n")
    code, _, err = run(capsys, "--db", db, "import", str(text))
    assert code == 0, err
    ws = open_workspace(db)
    try:
        data = dashboard(ws, "default")
    finally:
        ws.close()
    assert (data.people, data.days, data.spans, data.agreement) == ((), (), {}, {})
    assert data.agreement_note == "agreement needs two annotators of the same documents"
    code, out, err = run(capsys, "--db", db, "stats", "--chart", str(tmp_path / "empty.png"))
    assert code == 0 and "Traceback" not in err and (tmp_path / "empty.png").stat().st_size > 0

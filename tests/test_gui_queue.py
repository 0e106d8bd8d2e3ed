"""The document list in team mode: an annotator's own queue first, everyone's progress for the lead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from cli_runners import run  # noqa: E402
from gui_fixtures import add_documents, service  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

TEXTS = [
    "The ferry to Kestrel Island ran twice on Monday, the harbour office said.\n",
    "Rainfall in Norvik reached 80 millimetres in one night, the weather service reported.\n",
    "The city council of Ambria approved a budget of 2.4 million for new bridges.\n",
    "Three schools in Talvar closed after the storm, a spokesperson for the district said.\n",
    "Bus fares in Orlen will rise by 5 per cent in March, the transport board announced.\n",
]


def shown_ids(window: Any) -> list[int]:
    model = window.document_list.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.item(row).id for row in range(model.rowCount())]


def queue_of(ws: Any, who: str) -> list[int]:
    from annotator.storage.assignments import ASSIGNMENT

    with ws.unit() as repo:
        return list(repo.s.scalars(ASSIGNMENT.select().with_only_columns(ASSIGNMENT.c.document_id)
                                   .where(ASSIGNMENT.c.annotator_id == repo.owners.annotator_id(who))
                                   .order_by(ASSIGNMENT.c.position)))


def test_annotator_sees_her_queue_and_the_lead_everyones_progress(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.domain.documents import Status

    docs = add_documents(gui_ws, tmp_path / "in", TEXTS)
    code, _, err = run(capsys, "--db", str(tmp_path / "t.db"), "assign", "--annotators", "ana,ben",
                       "--per-document", "1", "--seed", "1")
    assert code == 0, err
    ana, ben = queue_of(gui_ws, "ana"), queue_of(gui_ws, "ben")
    assert sorted(ana + ben) == sorted(docs) and len(ana) in (2, 3)
    service(gui_ws, "ben").set_status(ben[0], Status.DONE)

    window = open_window(gui_ws, annotator="ana")
    combo = window.document_list.status_combo
    assert combo.currentText() == "My queue"
    assert shown_ids(window) == ana
    assert window.session.document_id == ana[0]
    assert window.document_list.counts_label.text() == (f"{len(ana)} shown · {len(ana)} left in my queue · "
                                                        f"0 of {len(ana)} done")
    team = window.document_list.team_label
    assert team.isVisible()
    assert team.text() == f"Team: ana 0/{len(ana)} done · ben 1/{len(ben)} done"
    window.grab().save(str(tmp_path / "queue.png"))

    with qtbot.waitSignal(window.document_list.model.dataChanged, timeout=None):
        qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document_id == ana[1]  # Ctrl+Enter follows the queue, not the project's order
    assert window.document_list.model.data(window.document_list.model.index(0, 2)) == "done"
    qtbot.waitUntil(lambda: team.text() == f"Team: ana 1/{len(ana)} done · ben 1/{len(ben)} done", timeout=5000)

    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next entry: All
    assert combo.currentText() == "All"
    assert shown_ids(window) == docs
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # To do: the project's statuses, as before
    assert set(shown_ids(window)) == set(docs) - {ana[0]}


def test_without_a_queue_the_list_is_the_whole_project(gui_ws: Any, tmp_path: Path, open_window: Any) -> None:
    docs = add_documents(gui_ws, tmp_path / "in", TEXTS[:2])
    window = open_window(gui_ws)
    assert window.document_list.status_combo.itemText(0) == "All"
    assert shown_ids(window) == docs
    assert not window.document_list.team_label.isVisible()


def test_a_document_handed_out_from_the_open_pool_joins_the_queue_shown(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, capsys: pytest.CaptureFixture[str]) -> None:
    add_documents(gui_ws, tmp_path / "in", TEXTS[:2])
    code, _, err = run(capsys, "--db", str(tmp_path / "t.db"), "assign", "--annotators", "ana,ben",
                       "--per-document", "1")
    assert code == 0, err
    docs = add_documents(gui_ws, tmp_path / "later", TEXTS[2:3])  # imported after: nobody has it
    ana = queue_of(gui_ws, "ana")
    assert len(ana) == 1

    window = open_window(gui_ws, annotator="ana")
    assert shown_ids(window) == ana
    qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document_id == docs[2]
    assert queue_of(gui_ws, "ana") == [ana[0], docs[2]]
    qtbot.waitUntil(lambda: shown_ids(window) == [ana[0], docs[2]], timeout=5000)
    assert window.document_list.table.selectionModel().selectedRows()[0].row() == 1

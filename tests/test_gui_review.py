"""Review mode in the real window, by key presses: Ctrl+R, N, Enter, X, Shift+Enter, label keys, Delete, Ctrl+Z."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_fixtures import key
from team_data import document_ids, import_team

pytest.importorskip("pytestqt")
pytestmark = pytest.mark.gui

@pytest.fixture
def team_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    database = str(tmp_path / "team.db")
    import_team(capsys, database, tmp_path)
    return database


def _gold(ws: Any, document_id: int) -> list[tuple[int | None, int, int, str, str]]:
    from annotator.services.review import Review

    review = Review(ws, 1, "someone else")
    return [(g.id, g.start, g.end, g.label, g.origin) for g in review.document(document_id).gold]


def test_review_by_keys(qtbot: Any, open_window: Any, team_db: str, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from annotator.domain.layers import Owner, OwnerKind
    from annotator.gui.review_mode import GoldCommand
    from annotator.services.workspace import open_workspace

    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    ws = open_workspace(team_db)
    try:
        ids = document_ids(ws)
        window = open_window(ws, annotator="lead", document_id=ids[0])
        window.article.select_range(0, 0)
        key(qtbot, window, Qt.Key.Key_R, ctrl)
        mode = window.review_mode
        assert mode.active and window.session.editing == Owner.gold()
        assert window.actions_by_id["team.review"].isChecked()
        assert [(c.label, c.start, c.end, c.agreed) for c in mode.state.candidates] == [
            ("SOURCE", 0, 12, True), ("FIGURE", 18, 34, False), ("FIGURE", 18, 24, False), ("LOCATION", 40, 46, True)]
        people = {o.name for o in window.session.layers if o.kind is not OwnerKind.MODEL}  # suggestions may show too
        assert people == {"ana", "ben", "lead"}  # one's own is read-only now

        key(qtbot, window, Qt.Key.Key_N)
        assert window.article.selection() == (0, 12)
        key(qtbot, window, Qt.Key.Key_Return)  # accept SOURCE, go on to the FIGURE ana made
        assert [g[1:] for g in _gold(ws, ids[0])] == [(0, 12, "SOURCE", "review:lead")]
        assert window.article.selection() == (18, 34) and "disputed: made by ana, not by ben" in \
            window.statusBar().currentMessage()
        key(qtbot, window, Qt.Key.Key_X)  # reject it: the next open one is ben's shorter FIGURE
        assert window.article.selection() == (18, 24)
        key(qtbot, window, Qt.Key.Key_Return)
        key(qtbot, window, Qt.Key.Key_Return, shift)  # every agreed one left: LOCATION
        assert [g[1:4] for g in _gold(ws, ids[0])] == [(0, 12, "SOURCE"), (18, 24, "FIGURE"), (40, 46, "LOCATION")]
        assert mode.state.open == [] and [s.label for s in window.session.index] == ["SOURCE", "FIGURE", "LOCATION"]

        full = _gold(ws, ids[0])
        key(qtbot, window, Qt.Key.Key_Z, ctrl)  # the agreed ones out again
        key(qtbot, window, Qt.Key.Key_Z, ctrl)  # ben's FIGURE out
        assert [g[1:4] for g in _gold(ws, ids[0])] == [(0, 12, "SOURCE")]
        assert [s.label for s in window.session.index] == ["SOURCE"]
        key(qtbot, window, Qt.Key.Key_Z, ctrl)  # the rejection lifted: ana's FIGURE open again
        assert mode.state.find("FIGURE", 18, 34).is_open
        key(qtbot, window, Qt.Key.Key_Z, ctrl)
        assert _gold(ws, ids[0]) == [] and len(window.session.index) == 0
        for _ in range(4):
            key(qtbot, window, Qt.Key.Key_Z, ctrl | shift)
        assert _gold(ws, ids[0]) == full  # the same rows, ids and origins
        assert all(isinstance(window.session.undo_stack.command(i), GoldCommand)
                   for i in range(window.session.undo_stack.count()))

        # Label keys and Delete edit gold directly.
        window.article.select_range(18, 46)
        key(qtbot, window, Qt.Key.Key_C)
        assert (18, 46, "CLAIM") in [g[1:4] for g in _gold(ws, ids[0])]
        window.article.select_range(20, 20)  # the caret in "12,000": the innermost gold span there is the FIGURE
        key(qtbot, window, Qt.Key.Key_Delete)
        assert [g[1:4] for g in _gold(ws, ids[0])] == [(0, 12, "SOURCE"), (18, 46, "CLAIM"), (40, 46, "LOCATION")]
        window.article.grab().save(str(tmp_path / "review.png"))

        key(qtbot, window, Qt.Key.Key_R, ctrl)  # leave: the keys tag one's own spans again
        assert not mode.active and window.session.editing is None and mode.state is None
        assert not window.actions_by_id["review.accept"].isEnabled()
        window.article.select_range(13, 13)
        key(qtbot, window, Qt.Key.Key_1)
        assert [(s.label, s.start, s.end) for s in window.session.annotations.spans(ids[0])] == [("SOURCE", 13, 17)]
        assert len(_gold(ws, ids[0])) == 3
        key(qtbot, window, Qt.Key.Key_Z, ctrl)  # one's own history: the tag goes, gold stays
        assert window.session.annotations.spans(ids[0]) == [] and len(_gold(ws, ids[0])) == 3
    finally:
        ws.close()


def test_an_undo_that_meets_another_lead_s_change_is_refused_and_the_window_reads_gold_again(
        qtbot: Any, open_window: Any, team_db: str, errors: list[str]) -> None:
    from PySide6.QtCore import Qt

    from annotator.services.review import Review
    from annotator.services.workspace import open_workspace

    ws = open_workspace(team_db)
    try:
        ids = document_ids(ws)
        window = open_window(ws, annotator="lead", document_id=ids[0])
        key(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # SOURCE and LOCATION
        assert len(window.session.index) == 2
        other = Review(ws, 1, "second lead")
        source = next(g for g in other.document(ids[0]).gold if g.label == "SOURCE")
        other.remove_gold(ids[0], source)  # in another window
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(errors) == 1 and "[A091]" in errors[0] and "changed or removed elsewhere" in errors[0]
        # nothing of the step was undone, the window shows what gold holds, and the step that would lie is gone
        assert [(s.label, s.start) for s in window.session.index] == [("LOCATION", 40)]
        assert [g.label for g in other.document(ids[0]).gold] == ["LOCATION"]
        assert not window.session.undo_stack.canUndo()
        assert window.review_mode.state.find("SOURCE", 0, 12).is_open  # open again, in the marks too
    finally:
        ws.close()


def test_review_mode_is_the_lead_s(qtbot: Any, open_window: Any, team_db: str, errors: list[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import Qt

    from annotator.gui import review_mode
    from annotator.services.workspace import open_workspace

    # what may_write_gold says on PostgreSQL to a team member who is not in the lead role (tests/test_review.py)
    monkeypatch.setattr(review_mode, "may_write_gold", lambda _ws: False)
    ws = open_workspace(team_db)
    try:
        window = open_window(ws, annotator="ana")
        key(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert errors == ["[A192] ana may not write gold on this database (the lead reviews; ask them, or connect "
                          "as the lead's role)"]
        assert not window.review_mode.active and not window.actions_by_id["team.review"].isChecked()
        assert not window.actions_by_id["review.accept"].isEnabled()
    finally:
        ws.close()

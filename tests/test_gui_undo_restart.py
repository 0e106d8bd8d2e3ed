"""Undo across a restart (ADR 0015): the real window driven by key presses, closed, and a new window on the same
database file rebuilding the document's undo history from the change journal. The database is the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import (  # noqa: E402
    ALT,
    CTRL,
    FLOODS,
    GRAIN,
    SHIFT,
    decisions,
    find,
    ready,
    service,
    stored,
)
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

ARTICLE = FLOODS
SECOND = GRAIN


def undo_text(window: Any) -> str:
    return str(window.actions_by_id["edit.undo"].text())


def relabel(window: Any, text: str, label: str) -> None:
    """The span menu's "Relabel as": the way a user relabels a span."""
    start = ARTICLE.index(text)
    shown = window.session.spans_at(start)
    action = next(a for a in window.article.span_menu(shown).actions() if a.text() == f"Relabel as {label}")
    action.trigger()


def restart(qtbot: Any, window: Any, gui_ws: Any, open_window: Any, tmp_path: Path) -> tuple[Any, Any]:
    """Close the window and open a new one on the same file, with a workspace (engine, connections) of its own."""
    from annotator.services.workspace import open_workspace

    window.close()
    ws = open_workspace(tmp_path / "t.db")
    return ws, ready(qtbot, open_window(ws))


def test_tag_relabel_accept_then_a_new_window_undoes_each_step_in_order(
        qtbot: Any, gui_ws: Any, filled: list[int], open_window: Any, tmp_path: Path) -> None:
    window = ready(qtbot, open_window(gui_ws))
    article = window.article
    find(qtbot, window, "Floods")  # in no suggestion: the key tags it
    qtbot.keyClick(article, Qt.Key.Key_4)
    relabel(window, "Floods", "LOCATION")
    article.select_range(0, 0)
    qtbot.keyClick(article, Qt.Key.Key_N)  # the first suggestion: Velmora in the headline
    qtbot.keyClick(article, Qt.Key.Key_Return)
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Floods"), ("LOCATION", "Velmora")]
    assert decisions(gui_ws) == [("accepted", "LOCATION", "Velmora")]

    ws, reopened = restart(qtbot, window, gui_ws, open_window, tmp_path)
    try:
        assert reopened.session.document_id == filled[0]
        assert undo_text(reopened) == "&Undo accept LOCATION"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # the span and its decision, one step
        assert stored(ws, filled[0]) == [("LOCATION", "Floods")] and decisions(ws) == []
        assert undo_text(reopened) == "&Undo relabel as LOCATION"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
        assert stored(ws, filled[0]) == [("CLAIM", "Floods")]
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
        assert stored(ws, filled[0]) == []
        assert not reopened.actions_by_id["edit.undo"].isEnabled()  # nothing older: the history began there
        assert reopened.session.spans == []
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)
        assert stored(ws, filled[0]) == [("LOCATION", "Floods")]

        # And once more across a restart: the undos and the redos leave exactly the steps still done.
        ws2, third = restart(qtbot, reopened, ws, open_window, tmp_path)
        try:
            assert undo_text(third) == "&Undo relabel as LOCATION"
            qtbot.keyClick(third.article, Qt.Key.Key_Z, CTRL)
            qtbot.keyClick(third.article, Qt.Key.Key_Z, CTRL)
            assert stored(ws2, filled[0]) == [] and not third.actions_by_id["edit.undo"].isEnabled()
        finally:
            ws2.close()
    finally:
        ws.close()


def test_an_edge_moved_by_keys_is_undone_after_a_restart(
        qtbot: Any, gui_ws: Any, filled: list[int], no_suggestions: None, open_window: Any, tmp_path: Path) -> None:
    window = ready(qtbot, open_window(gui_ws))
    article = window.article
    find(qtbot, window, "Floods")
    qtbot.keyClick(article, Qt.Key.Key_4)
    qtbot.keyClick(article, Qt.Key.Key_Right, ALT | SHIFT)  # the end takes the next word
    assert stored(gui_ws, filled[0]) == [("CLAIM", "Floods in")]

    ws, reopened = restart(qtbot, window, gui_ws, open_window, tmp_path)
    try:
        assert undo_text(reopened) == "&Undo move CLAIM"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
        assert stored(ws, filled[0]) == [("CLAIM", "Floods")]
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
        assert stored(ws, filled[0]) == []
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)
        assert stored(ws, filled[0]) == [("CLAIM", "Floods in")]
    finally:
        ws.close()


def test_a_rebuilt_step_whose_span_changed_elsewhere_is_refused_and_the_rest_stays(
        qtbot: Any, gui_ws: Any, filled: list[int], open_window: Any, tmp_path: Path, errors: list[str]) -> None:
    window = ready(qtbot, open_window(gui_ws))
    find(qtbot, window, "Floods")
    qtbot.keyClick(window.article, Qt.Key.Key_4)
    window.suggestions.set_source("rules", False)  # Monday is inside a suggestion: off, the key tags the word
    find(qtbot, window, "Monday")
    qtbot.keyClick(window.article, Qt.Key.Key_3)
    assert stored(gui_ws, filled[0]) == [("CLAIM", "Floods"), ("FIGURE", "Monday")]
    window.close()

    from annotator.services.workspace import open_workspace

    ws = open_workspace(tmp_path / "t.db")
    try:
        reopened = ready(qtbot, open_window(ws))
        assert undo_text(reopened) == "&Undo tag FIGURE"
        # Another program (the same person's second window, a script) removes the FIGURE and tags the word as a
        # LOCATION after this window rebuilt its history.
        other = service(gui_ws)
        figure = next(s for s in other.spans(filled[0]) if s.label == "FIGURE")
        other.remove_span(figure.id)
        other.add_span(filled[0], "LOCATION", figure.start, figure.end)
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # its span is not there as the step knew it
        assert errors and "[A091]" in errors[-1]
        assert stored(ws, filled[0]) == [("CLAIM", "Floods"), ("LOCATION", "Monday")]  # nothing else changed
        assert sorted(s.label for s in reopened.session.spans) == ["CLAIM", "LOCATION"]  # the window shows it
        assert undo_text(reopened) == "&Undo tag CLAIM"  # the refused step is gone, the one before it stays
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
        assert stored(ws, filled[0]) == [("LOCATION", "Monday")]
    finally:
        ws.close()

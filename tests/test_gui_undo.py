"""Undo per document, and compound steps: the real window driven by key presses; the database is the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from fault_fixtures import LockHolder  # noqa: E402
from gui_fixtures import (  # noqa: E402
    ALT,
    ANNOTATOR,
    BLACKOUT,
    CTRL,
    GRAIN,
    SHIFT,
    add_documents,
    edit_cell,
    key,
    service,
    stored,
    tag,
)
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui


FIRST = ("More than 12,000 residents have left the river port of Velmora since Monday, the regional "
         "emergency service said on Wednesday.\n")
SECOND = GRAIN
THIRD = BLACKOUT


@pytest.fixture
def docs(gui_ws: Any, tmp_path: Path, no_suggestions: None) -> list[int]:
    """Suggestions off: a rule's ghost on "Velmora", arriving before or after a key press as the machine goes,
    would turn the tag into "accept LOCATION" (a race seen when spaCy was already imported by earlier tests)."""
    return add_documents(gui_ws, tmp_path / "in", [FIRST, SECOND, THIRD])


def undo_action(window: Any) -> Any:
    return window.actions_by_id["edit.undo"]


def test_each_document_keeps_its_own_undo(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.session.document_id == docs[1]
    assert not undo_action(window).isEnabled()  # the Edit menu shows this document's history: empty
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # nothing to undo here, and document 1 is not shown
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Velmora")]
    tag(qtbot, window, "Ostrava Bay", Qt.Key.Key_2)

    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert window.session.document_id == docs[0]
    assert undo_action(window).isEnabled() and undo_action(window).text() == "&Undo tag LOCATION"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == []
    assert stored(gui_ws, docs[1]) == [("LOCATION", "Ostrava Bay")]  # only the shown document's step
    assert window.session.spans == []
    assert not undo_action(window).isEnabled()

    key(qtbot, window, Qt.Key.Key_Right, ALT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[1]) == []
    assert stored(gui_ws, docs[0]) == []
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(gui_ws, docs[1]) == [("LOCATION", "Ostrava Bay")]
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)  # document 1 kept its redo too
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Velmora")]
    assert stored(gui_ws, docs[1]) == [("LOCATION", "Ostrava Bay")]


def test_done_next_keeps_the_histories(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    tag(qtbot, window, "12,000", Qt.Key.Key_3)
    tag(qtbot, window, "Monday", Qt.Key.Key_4)
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert window.session.document_id == docs[1]
    tag(qtbot, window, "34 per cent", Qt.Key.Key_3)
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert window.session.document_id == docs[2]
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert window.session.document_id == docs[0]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == [("FIGURE", "12,000")]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == []
    assert stored(gui_ws, docs[1]) == [("FIGURE", "34 per cent")]


def test_a_kept_step_whose_span_changed_meanwhile_is_refused(qtbot: Any, gui_ws: Any, docs: list[int],
                                                             open_window: Any, dialogs: list) -> None:
    window = open_window(gui_ws)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    tag(qtbot, window, "Monday", Qt.Key.Key_4)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    other = service(gui_ws, ANNOTATOR)  # another window of the same annotator, while document 2 is shown
    claim = next(s for s in other.spans(docs[0]) if s.label == "CLAIM")
    other.relabel(claim.id, "FIGURE")
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert len(dialogs) == 1 and "[A091]" in dialogs[0][1], dialogs
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Velmora"), ("FIGURE", "Monday")]
    assert window.session.undo_stack.count() == 1  # dropped; the step before it is still there
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == [("FIGURE", "Monday")]


def test_only_the_last_documents_keep_a_history_in_memory_the_journal_gives_it_back(
        qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.gui.session as session_module

    monkeypatch.setattr(session_module, "UNDO_DOCUMENTS", 2)
    window = open_window(gui_ws)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    tag(qtbot, window, "Ostrava Bay", Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert list(window.session.histories()) == [docs[1], docs[2]]  # document 1's, the oldest, was dropped
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[1]) == []
    key(qtbot, window, Qt.Key.Key_Left, ALT)  # its history is made again from the change journal (ADR 0015)
    assert undo_action(window).text() == "&Undo tag LOCATION"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == []
    assert not undo_action(window).isEnabled()


def test_renaming_a_label_clears_only_the_histories_that_name_it(qtbot: Any, gui_ws: Any, docs: list[int],
                                                                open_window: Any, dialogs: list) -> None:

    from annotator.gui.dialogs.settings_dialog import NAME, SettingsDialog

    window = open_window(gui_ws)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    tag(qtbot, window, "34 per cent", Qt.Key.Key_3)

    key(qtbot, window, Qt.Key.Key_Comma, CTRL)  # the label editor: LOCATION becomes PLACE
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    table = dialog.table
    edit_cell(qtbot, dialog, next(r for r in range(table.rowCount()) if table.item(r, NAME).text() == "LOCATION"),
              NAME, "PLACE")
    with qtbot.waitSignal(dialog.destroyed, timeout=None):
        dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.windowHandle().isActive() and window.article.hasFocus())
    assert stored(gui_ws, docs[0]) == [("PLACE", "Velmora")]

    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert not undo_action(window).isEnabled()  # its step named LOCATION, which is gone: cleared
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == [("PLACE", "Velmora")]
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # a FIGURE step: kept
    assert stored(gui_ws, docs[1]) == []
    assert dialogs == []


# -- compound steps ---------------------------------------------------------------------------------
def test_a_compound_step_undoes_and_redoes_as_one(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    tag(qtbot, window, "12,000", Qt.Key.Key_3)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    before = stored(gui_ws, docs[0])
    session = window.session
    figure, place = (next(s for s in session.spans if s.label == label) for label in ("FIGURE", "LOCATION"))
    wider = FIRST.index("More than 12,000 residents")
    # the FIGURE grows to its whole phrase, the place becomes a SOURCE, a CLAIM is added: one step
    session.change_spans("accept suggestion", remove=[figure.id], relabel={place.id: "SOURCE"},
                         add=[("FIGURE", wider, wider + len("More than 12,000 residents")),
                              ("CLAIM", 0, FIRST.index(" since"))])
    after = stored(gui_ws, docs[0])
    assert sorted(after) == sorted([("CLAIM", FIRST[: FIRST.index(" since")]),
                                    ("FIGURE", "More than 12,000 residents"), ("SOURCE", "Velmora")])
    assert sorted((s.label, FIRST[s.start : s.end]) for s in session.spans) == sorted(after)
    assert session.undo_stack.count() == 3
    assert undo_action(window).text() == "&Undo accept suggestion"
    assert session.undo_stack.command(2).childCount() == 4  # Qt's parent-with-children form

    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == before
    assert sorted((s.label, FIRST[s.start : s.end]) for s in session.spans) == sorted(before)
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(gui_ws, docs[0]) == after
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # the next Ctrl+Z is the single tag before it
    assert stored(gui_ws, docs[0]) == [("FIGURE", "12,000")]


def test_a_compound_step_changed_elsewhere_is_refused_whole(qtbot: Any, gui_ws: Any, docs: list[int],
                                                             open_window: Any, dialogs: list) -> None:
    window = open_window(gui_ws)
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    session = window.session
    place = session.spans[0]
    start = FIRST.index("Wednesday")
    session.change_spans("relabel and tag", relabel={place.id: "SOURCE"}, add=[("FIGURE", start, start + 9)])
    assert stored(gui_ws, docs[0]) == [("SOURCE", "Velmora"), ("FIGURE", "Wednesday")]
    service(gui_ws, ANNOTATOR).remove_span(place.id)  # another window takes the SOURCE away

    # undo writes back in reverse: the FIGURE is removed, then the relabel is refused, so the FIGURE returns
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert len(dialogs) == 1 and "[A091]" in dialogs[0][1], dialogs
    assert stored(gui_ws, docs[0]) == [("FIGURE", "Wednesday")]
    assert [(s.label, FIRST[s.start : s.end]) for s in session.spans] == [("FIGURE", "Wednesday")]
    assert session.undo_stack.count() == 1  # the refused step was dropped; the tag before it stays
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # ... and is refused too: its LOCATION is gone
    assert len(dialogs) == 2 and "[A091]" in dialogs[1][1]
    assert stored(gui_ws, docs[0]) == [("FIGURE", "Wednesday")]


def test_compound_steps_are_freed_once(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    """A child made by QUndoCommand(text, parent) stays owned by PySide6 and is freed twice: a segfault here."""
    import gc

    window = open_window(gui_ws)
    session = window.session
    start = FIRST.index("Monday")
    for _ in range(100):
        session.change_spans("two tags", add=[("FIGURE", start, start + 6), ("CLAIM", start, start + 6)])
        session.undo()
    assert session.undo_stack.count() == 1 and session.undo_stack.command(0).childCount() == 2
    session.redo()
    session.undo_stack.clear()
    gc.collect()
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    gc.collect()
    assert sorted(stored(gui_ws, docs[0])) == [("CLAIM", "Monday"), ("FIGURE", "Monday")]


def test_a_busy_database_leaves_a_compound_step_where_it_was(qtbot: Any, gui_ws: Any, docs: list[int],
                                                             open_window: Any, dialogs: list) -> None:
    window = open_window(gui_ws)
    session = window.session
    start = FIRST.index("Monday")
    tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    session.change_spans("two tags", add=[("FIGURE", start, start + 6), ("CLAIM", start, start + 6)])
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    both = [("LOCATION", "Velmora"), ("CLAIM", "Monday"), ("FIGURE", "Monday")]
    assert sorted(stored(gui_ws, docs[0])) == sorted(both)

    holder = LockHolder(gui_ws.db.path)  # another program in the middle of a write
    try:
        window.statusBar().clearMessage()
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
        assert "[A071]" in window.statusBar().currentMessage()
        assert sorted(stored(gui_ws, docs[0])) == sorted(both)
        assert (session.undo_stack.index(), session.undo_stack.count()) == (2, 2)  # the step is still there
        assert len(session.spans) == 3
        holder.commit()
    finally:
        holder.stop()
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # the same key, again
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Velmora")]
    assert [s.label for s in session.spans] == ["LOCATION"]
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert sorted(stored(gui_ws, docs[0])) == sorted(both)
    assert dialogs == []

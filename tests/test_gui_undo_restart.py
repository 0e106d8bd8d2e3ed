"""Undo across a restart (ADR 0015): the real window driven by key presses, closed, and a new window on the same
database rebuilding the document's undo history from the change journal. The database is the judge. A compound
step (the links taken at once, a relabel that drops links, several span changes) comes back as one step, on
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from db_fixtures import rows  # noqa: E402
from gui_fixtures import (  # noqa: E402
    ALT,
    CTRL,
    FLOODS,
    GRAIN,
    HARBOUR,
    HARBOUR_CLAIM,
    SHIFT,
    add_documents,
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
CLAIMED = HARBOUR
CLAIM = HARBOUR_CLAIM


def undo_text(window: Any) -> str:
    return str(window.actions_by_id["edit.undo"].text())


def relabel(window: Any, text: str, label: str, article: str = ARTICLE) -> None:
    """The span menu's "Relabel as": the way a user relabels a span."""
    start = article.index(text)
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


# -- compound steps, on both databases -----------------------------------------------------------------------------
def close(qtbot: Any, window: Any) -> None:
    """Close the window and let its document list read the time spent: its timer must not read a database that
    the test has handed back (PostgreSQL's are emptied and their connections ended)."""
    from PySide6.QtCore import QTimer

    window.close()
    qtbot.waitUntil(lambda: not any(t.isActive() for t in window.document_list.findChildren(QTimer)))


def reopen(qtbot: Any, window: Any, database: str, open_window: Any) -> tuple[Any, Any]:
    """Close the window and open a new one on the same database, with a workspace of its own."""
    from annotator.services.workspace import open_workspace

    close(qtbot, window)
    ws = open_workspace(database)
    return ws, ready(qtbot, open_window(ws))


def links(database: str) -> list[tuple[str, str]]:
    """(type, child's text) of every stored link, by type."""
    found = rows(database, "SELECT r.type, s.start, s.\"end\" FROM relation r JOIN span s ON s.id = r.child_id "
                           "ORDER BY r.type")
    return [(kind, CLAIMED[start:end]) for kind, start, end in found]


def tag_by_key(qtbot: Any, window: Any, phrase: str, key: Qt.Key) -> None:
    start = CLAIMED.index(phrase)
    window.article.select_range(start, start + len(phrase))
    qtbot.keyClick(window.article, key)


def test_links_taken_at_once_and_a_relabel_that_drops_a_link_each_come_back_as_one_step(
        qtbot: Any, database: str, no_suggestions: None, open_window: Any, tmp_path: Path, errors: list[str]) -> None:
    from annotator.services.workspace import open_workspace

    first = open_workspace(database)
    try:
        (doc,) = add_documents(first, tmp_path / "in", [CLAIMED])
        window = ready(qtbot, open_window(first, document_id=doc))
        tag_by_key(qtbot, window, "More than 12,000 residents", Qt.Key.Key_3)
        tag_by_key(qtbot, window, "Velmora", Qt.Key.Key_2)
        tag_by_key(qtbot, window, "Irena Dobric", Qt.Key.Key_1)
        tag_by_key(qtbot, window, CLAIM, Qt.Key.Key_4)  # its links are proposed
        qtbot.keyClick(window.article, Qt.Key.Key_Return)  # Enter takes the three
        taken = [("figure", "More than 12,000 residents"), ("said_by", "Irena Dobric"), ("where", "Velmora")]
        assert links(database) == taken
        relabel(window, "Irena Dobric", "LOCATION", CLAIMED)  # no one's source now: said_by goes with the relabel
        qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
        qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL | SHIFT)  # undone and redone: the step is done
        assert ("LOCATION", "Irena Dobric") in stored(first, doc) and len(links(database)) == 2
        tagged = stored(first, doc)
    finally:
        first.close()

    ws, reopened = reopen(qtbot, window, database, open_window)
    try:
        assert undo_text(reopened) == "&Undo relabel as LOCATION"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # the label and its link, one step
        assert ("SOURCE", "Irena Dobric") in stored(ws, doc) and links(database) == taken
        assert {r.type for r in reopened.session.links.relations} == {"figure", "said_by", "where"}
        assert undo_text(reopened) == "&Undo accept 3 links"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # the three links, one step
        assert links(database) == [] and reopened.session.links.relations == []
        assert stored(ws, doc) == [(label, text) if text != "Irena Dobric" else ("SOURCE", text)
                                   for label, text in tagged]  # every span stays
        assert undo_text(reopened) == "&Undo tag CLAIM"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)  # redo within this window
        assert links(database) == taken
        assert errors == []
    finally:
        close(qtbot, reopened)
        ws.close()


def test_several_span_changes_in_one_step_come_back_as_one_step_and_one_undone_does_not(
        qtbot: Any, database: str, no_suggestions: None, open_window: Any, tmp_path: Path, errors: list[str]) -> None:
    from annotator.services.workspace import open_workspace

    first = open_workspace(database)
    try:
        (doc,) = add_documents(first, tmp_path / "in", [CLAIMED])
        window = ready(qtbot, open_window(first, document_id=doc))
        tag_by_key(qtbot, window, "Velmora", Qt.Key.Key_2)
        tag_by_key(qtbot, window, "Irena Dobric", Qt.Key.Key_2)
        tag_by_key(qtbot, window, "Ostrel", Qt.Key.Key_2)
        before = stored(first, doc)
        session = window.session
        place, person, ferry = (next(s for s in session.spans if CLAIMED[s.start:s.end] == t)
                                for t in ("Velmora", "Irena Dobric", "Ostrel"))
        figure, harbour = CLAIMED.index("12,000"), CLAIMED.index("harbour")
        session.change_spans("set right", remove=[place.id], relabel={person.id: "SOURCE"},
                             add=[("FIGURE", figure, figure + 6), ("LOCATION", harbour, harbour + 7)])
        changed = stored(first, doc)
        assert changed != before and ("SOURCE", "Irena Dobric") in changed and ("FIGURE", "12,000") in changed
        session.change_spans("drop the ferry", remove=[ferry.id])
        qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)  # undone before the restart: it does not come back
        assert stored(first, doc) == changed
    finally:
        first.close()

    ws, reopened = reopen(qtbot, window, database, open_window)
    try:
        assert undo_text(reopened) == "&Undo 4 changes"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # one Ctrl+Z: the data is as before the step
        assert stored(ws, doc) == before
        assert sorted(CLAIMED[s.start:s.end] for s in reopened.session.spans) == ["Irena Dobric", "Ostrel", "Velmora"]
        assert undo_text(reopened) == "&Undo tag LOCATION"
        qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL | SHIFT)
        assert stored(ws, doc) == changed
        assert errors == []
    finally:
        close(qtbot, reopened)
        ws.close()

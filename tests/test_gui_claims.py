"""Claim frames in the window, by key presses: R and a digit link a claim, undo takes the link back, a claim
removed takes its links and one undo brings both back, links survive leaving and reopening, proposed links are
taken with Enter and dropped with Backspace, Ctrl+Shift+F edits a figure, and the claims table lists the frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_fixtures import HARBOUR, HARBOUR_CLAIM, add_documents, key, links, service, stored

pytestmark = pytest.mark.gui

ARTICLE = HARBOUR
SECOND = "A second article with nothing in it.\n"
CLAIM = HARBOUR_CLAIM


def _tag(qtbot: Any, window: Any, phrase: str, key: Any) -> None:
    start = ARTICLE.index(phrase)
    window.article.select_range(start, start + len(phrase))
    qtbot.keyClick(window.article, key)


def _caret_in(window: Any, phrase: str) -> None:
    start = ARTICLE.index(phrase) + 2
    window.article.select_range(start, start, centre=False)


@pytest.fixture
def linked_window(qtbot: Any, gui_ws: Any, no_suggestions: None, open_window: Any, tmp_path: Path,
                  errors: list[str]) -> Iterator[tuple[Any, list[int]]]:
    """The article with its entities tagged by keys, then the claim tagged (its proposed links dropped)."""
    from PySide6.QtCore import Qt

    docs = add_documents(gui_ws, tmp_path / "in", [ARTICLE, SECOND])
    window = open_window(gui_ws, document_id=docs[0])
    _tag(qtbot, window, "More than 12,000 residents", Qt.Key.Key_3)
    _tag(qtbot, window, "Velmora", Qt.Key.Key_2)
    _tag(qtbot, window, "Irena Dobric", Qt.Key.Key_1)
    _tag(qtbot, window, CLAIM, Qt.Key.Key_4)
    yield window, docs
    assert errors == []  # no key press of a test was refused


def test_a_claim_made_gets_its_links_proposed_enter_takes_them_as_one_step(qtbot, linked_window, gui_ws) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    pending = {(r.type, ARTICLE[r.child.start:r.child.end]) for r in window.session.links.ghosts}
    assert pending == {("figure", "More than 12,000 residents"), ("where", "Velmora"), ("said_by", "Irena Dobric")}
    assert links(gui_ws, doc) == set()  # proposals are not stored
    claim = window.session.links.ghosts[0].head
    listed = window.span_panel.model.index(window.span_panel.model.row_of(claim.id), 3).data()
    assert listed == "3 proposed (Enter takes, Backspace drops)"
    key(qtbot, window, Qt.Key.Key_Return)
    assert {t for _c, t, _x in links(gui_ws, doc)} == {"figure", "where", "said_by"}
    assert window.session.links.ghosts == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the three links were one step
    assert links(gui_ws, doc) == set()
    assert window.session.links.relations == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(links(gui_ws, doc)) == 3  # redo brings the three back


def test_backspace_drops_the_proposals_and_r_then_a_digitlinks(qtbot, linked_window, gui_ws) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Backspace)
    assert window.session.links.ghosts == []
    assert [s.label for s in window.session.spans if s.label == "CLAIM"] == ["CLAIM"]  # Backspace removed no span
    _caret_in(window, "have left")
    key(qtbot, window, Qt.Key.Key_R)
    mode = window.link_mode
    assert mode.active
    numbered = [ARTICLE[s.start:s.end] for s in mode.candidates]
    # Inside the claim (its sentence) nearest first; the ferry's sentence is another paragraph: not offered.
    assert numbered == ["More than 12,000 residents", "Velmora", "Irena Dobric"]
    key(qtbot, window, Qt.Key.Key_3)
    assert links(gui_ws, doc) == {(CLAIM, "said_by", "Irena Dobric")}
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Return)  # Tab chose the first: Enter links it
    assert (CLAIM, "figure", "More than 12,000 residents") in links(gui_ws, doc)
    row = window.span_panel.model.row_of(mode.head.id)
    shown = window.span_panel.model.index(row, 3).data()
    assert "said_by: Irena Dobric" in shown and "figure: More than 12,000 residents" in shown
    key(qtbot, window, Qt.Key.Key_R)  # R on the chosen, linked candidate unlinks it
    assert links(gui_ws, doc) == {(CLAIM, "said_by", "Irena Dobric")}
    key(qtbot, window, Qt.Key.Key_Escape)
    assert not mode.active
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the unlink
    assert (CLAIM, "figure", "More than 12,000 residents") in links(gui_ws, doc)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the link
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the first link
    assert links(gui_ws, doc) == set()


def test_deleting_a_claim_takes_its_links_and_one_undo_brings_both_back(qtbot, linked_window, gui_ws) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)  # take the three proposed links
    before = links(gui_ws, doc)
    assert len(before) == 3
    _caret_in(window, "have left")
    key(qtbot, window, Qt.Key.Key_Delete)
    assert links(gui_ws, doc) == set()
    assert "CLAIM" not in [label for label, _t in [(s.label, "") for s in service(gui_ws).spans(doc)]]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert links(gui_ws, doc) == before
    assert len(window.session.links.relations) == 3
    # Next document and back: the links are read again from the database.
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.session.document_id == second and window.session.links.relations == []
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.session.document_id == doc
    assert {(r.type, ARTICLE[r.child.start:r.child.end]) for r in window.session.links.relations} == {
        ("figure", "More than 12,000 residents"), ("where", "Velmora"), ("said_by", "Irena Dobric")}


def test_links_survive_closing_and_reopening_the_window(qtbot, linked_window, gui_ws, open_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)
    window.close()
    again = open_window(gui_ws, document_id=doc)
    assert len(again.session.links.relations) == 3
    _caret_in(again, "have left")
    again.article.viewport().repaint()  # the links of the claim at the caret are drawn without error
    assert again.link_mode.claim_at_caret() is not None


def test_ctrl_shift_f_edits_a_figure_and_the_claims_table_lists_the_frame(qtbot, linked_window, gui_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from annotator.gui.dialogs.claims_table import ClaimsDialog
    from annotator.gui.dialogs.figure_dialog import FigureDialog

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)
    figure = next(s for s in window.session.spans if s.label == "FIGURE")
    assert window.session.links.figure(figure.id)["value"] == 12000  # read when it was tagged

    def fill(dialog: FigureDialog) -> FigureDialog.DialogCode:
        dialog.edits["value"].setText("12500")
        dialog.edits["unit"].setText("people")
        return FigureDialog.DialogCode.Accepted

    monkeypatch.setattr(FigureDialog, "exec", fill)
    _caret_in(window, "12,000")
    window.article.select_range(figure.start + 1, figure.start + 1, centre=False)
    key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    from annotator.services.relations import Frames

    with gui_ws.unit() as repo:
        stored = repo.relations.attrs([figure.id])[figure.id]
    assert (stored["value"], stored["unit"], stored["qualifier"]) == (12500, "people", "more than")
    row = window.span_panel.model.row_of(figure.id)
    assert window.span_panel.model.index(row, 3).data() == "more than 12,500 people"
    assert Frames  # the service the dialog saved through

    key(qtbot, window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.findChild(ClaimsDialog)
    assert dialog is not None and dialog.isVisible()
    model = dialog.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)  # read on the worker
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    row_texts = {h: model.index(0, c).data() for c, h in enumerate(headers)}
    assert row_texts["Claim"] == CLAIM
    assert row_texts["said_by"] == "Irena Dobric" and row_texts["where"] == "Velmora"
    assert row_texts["figure"] == "More than 12,000 residents [more than 12,500 people]"
    qtbot.keyClicks(dialog.filter, "nothing like this")
    assert dialog.proxy.rowCount() == 0
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "dobric")
    assert dialog.proxy.rowCount() == 1
    window.article.select_range(0, 0)
    _double_click(qtbot, dialog.table, dialog.proxy.index(0, 0))
    assert window.article.selection() == (0, len(CLAIM))


def _double_click(qtbot: Any, table: Any, index: Any) -> None:
    from PySide6.QtCore import Qt

    centre = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_the_claims_table_is_read_on_the_worker_while_the_window_takes_keys(  # type: ignore[no-untyped-def]
        qtbot, linked_window, gui_ws, monkeypatch) -> None:
    """A big project's claims take a while to read: the window is not frozen meanwhile, and the table fills
    when they come; a double-click on a row opens that claim in the article."""
    import threading

    from PySide6.QtCore import Qt

    from annotator.gui.dialogs import claims_table

    window, (doc, second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)
    gate, read_on = threading.Event(), []
    real = claims_table.claims

    def slow_claims(*args: Any, **kwargs: Any) -> Any:
        read_on.append(threading.current_thread())
        assert gate.wait(30), "the test never let the read go on"
        yield from real(*args, **kwargs)

    monkeypatch.setattr(claims_table, "claims", slow_claims)
    key(qtbot, window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.findChild(claims_table.ClaimsDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: bool(read_on))
    assert read_on[0] is not threading.main_thread()
    assert dialog.model.rowCount() == 0 and dialog.summary.text() == "reading the claims…"
    # While the claims are being read, the window tags the ferry's place at a key press
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _tag(qtbot, window, "Ostrel", Qt.Key.Key_2)
    assert ("LOCATION", "Ostrel") in stored(gui_ws, doc)
    gate.set()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    assert dialog.summary.text().startswith("1 claims")
    # The claim opens from the other document too
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.session.document_id == second
    _double_click(qtbot, dialog.table, dialog.proxy.index(0, 0))
    assert window.session.document_id == doc
    assert window.article.selection() == (0, len(CLAIM))


def test_a_claim_that_comes_another_way_gets_its_links_proposed_too(qtbot, gui_ws, open_window, tmp_path,  # type: ignore[no-untyped-def]
                                                                    errors) -> None:
    """A compound change that brings a claim (as taking a suggestion does) proposes its links too."""
    from PySide6.QtCore import Qt

    (doc,) = add_documents(gui_ws, tmp_path / "in", [ARTICLE])
    window = open_window(gui_ws, document_id=doc)
    source = ARTICLE.index("Irena Dobric")
    window.session.change_spans("take two", add=[("SOURCE", source, source + len("Irena Dobric")),
                                                 ("CLAIM", 0, len(CLAIM))])
    assert [(r.type, ARTICLE[r.child.start:r.child.end]) for r in window.session.links.ghosts] == [
        ("said_by", "Irena Dobric")]
    _caret_in(window, "have left")
    assert window.link_mode.claim_at_caret() is not None
    key(qtbot, window, Qt.Key.Key_Backspace)
    assert window.session.links.ghosts == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the compound step, not a link
    assert [s.label for s in window.session.spans] == []
    assert errors == []


def _relabel_by_keys(qtbot: Any, window: Any, phrase: str, label: str) -> None:
    """The caret in `phrase`, Shift+F10 opens the span menu there; Down to "Relabel as `label`", Enter."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    chosen: list[str] = []

    def choose(tries: int = 100) -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):  # not open yet
            if tries:
                QTimer.singleShot(20, lambda: choose(tries - 1))
            return
        wanted = f"Relabel as {label}"
        for _ in range(len(menu.actions())):
            if menu.activeAction() is not None and menu.activeAction().text() == wanted:
                break
            qtbot.keyClick(menu, Qt.Key.Key_Down)
        chosen.append(menu.activeAction().text())
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    _caret_in(window, phrase)
    QTimer.singleShot(0, choose)
    key(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)  # blocks while the menu is open
    assert chosen == [f"Relabel as {label}"]
    # The offscreen platform does not give the window back its activation when a popup closes, as a desktop does
    if QApplication.activeWindow() is not window:
        window.activateWindow()
    qtbot.waitUntil(window.article.hasFocus)  # the keyboard is back on the article once the menu has closed


def test_relabelling_a_linked_span_removes_the_links_that_no_longer_fit_in_one_step(  # type: ignore[no-untyped-def]
        qtbot, linked_window, gui_ws) -> None:
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)  # take the three proposed links
    assert len(links(gui_ws, doc)) == 3
    _relabel_by_keys(qtbot, window, "Irena Dobric", "LOCATION")
    assert ("LOCATION", "Irena Dobric") in stored(gui_ws, doc)
    # said_by goes from a CLAIM to a SOURCE: Irena Dobric, now a place, is no longer the claim's source
    assert links(gui_ws, doc) == {(CLAIM, "figure", "More than 12,000 residents"), (CLAIM, "where", "Velmora")}
    assert {r.type for r in window.session.links.relations} == {"figure", "where"}
    assert window.statusBar().currentMessage().startswith("1 link removed")
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step: label and link come back
    assert ("SOURCE", "Irena Dobric") in stored(gui_ws, doc)
    assert len(links(gui_ws, doc)) == 3
    assert {r.type for r in window.session.links.relations} == {"figure", "where", "said_by"}
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert ("LOCATION", "Irena Dobric") in stored(gui_ws, doc) and len(links(gui_ws, doc)) == 2
    # The claim itself relabelled: every link it heads goes (no relation type starts from a SOURCE)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _relabel_by_keys(qtbot, window, "have left", "SOURCE")
    assert links(gui_ws, doc) == set() and window.session.links.relations == []
    assert window.statusBar().currentMessage().startswith("3 links removed")
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(links(gui_ws, doc)) == 3 and ("CLAIM", CLAIM) in stored(gui_ws, doc)


def test_a_refused_relabel_keeps_the_links_too(qtbot, linked_window, gui_ws, errors) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)
    steps = window.session.undo_stack.count()
    _relabel_by_keys(qtbot, window, "have left", "FIGURE")  # the claim holds a FIGURE: two FIGUREs may not overlap
    assert [e[:6] for e in errors] == ["[A020]"]
    errors.clear()
    assert ("CLAIM", CLAIM) in stored(gui_ws, doc)
    assert len(links(gui_ws, doc)) == 3  # the links taken away before the relabel were written back
    assert len(window.session.links.relations) == 3
    assert window.session.undo_stack.count() == steps


def test_relabelling_a_span_without_links_says_nothing_oflinks(qtbot, linked_window, gui_ws) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window, (doc, _second) = linked_window
    key(qtbot, window, Qt.Key.Key_Return)
    # A span with no links (the ferry's Ostrel, tagged now) relabels with nothing said about links
    _tag(qtbot, window, "Ostrel", Qt.Key.Key_2)
    _relabel_by_keys(qtbot, window, "Ostrel", "SOURCE")
    assert ("SOURCE", "Ostrel") in stored(gui_ws, doc)
    assert len(links(gui_ws, doc)) == 3
    assert "removed" not in window.statusBar().currentMessage()

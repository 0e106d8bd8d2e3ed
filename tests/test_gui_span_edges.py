"""The edge keys in the window, pressed as a user presses them: a suggestion accepted and its end moved two words,
undone, the window opened again; a suggestion accepted by an edge key; the refusals in the status bar; the
statements one press sends. The database is the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from db_fixtures import Counter
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
    links,
    ready,
    shot,
    shown,
    stored,
    where,
)
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

ARTICLE = FLOODS
SECOND = GRAIN
GROW_END = (Qt.Key.Key_Right, ALT | SHIFT)
GROW_START = (Qt.Key.Key_Left, ALT | SHIFT)
SHRINK_END = (Qt.Key.Key_Left, CTRL | ALT | SHIFT)
SHRINK_START = (Qt.Key.Key_Right, CTRL | ALT | SHIFT)
PORT = "The port authority"
CLAIM = "exports fell by 34 per cent"


def press(qtbot: Any, window: Any, key: tuple[Qt.Key, Qt.KeyboardModifier]) -> None:
    qtbot.keyClick(window.article, *key)


def where_in(text: str, phrase: str) -> tuple[int, int]:
    return text.index(phrase), text.index(phrase) + len(phrase)


def message(window: Any) -> str:
    return str(window.statusBar().currentMessage())


def under_space(window: Any, space: int) -> Any:
    """The colour drawn behind the space at Python index `space` (ASCII text: Python index == Qt position), with
    the caret elsewhere so that the selection's own colour is not what is seen."""
    from PySide6.QtGui import QTextCursor

    article = window.article
    article.select_range(0, 0)
    cursor = QTextCursor(article.document())
    cursor.setPosition(space)
    left = article.cursorRect(cursor)
    cursor.setPosition(space + 1)
    right = article.cursorRect(cursor)
    return shot(window).pixelColor((left.center().x() + right.center().x()) // 2, left.center().y())


def test_a_suggestion_accepted_then_its_end_moved_two_words_is_undone_step_by_step(
        qtbot: Any, gui_ws: Any, filled: list[int], open_window: Any, errors: list[str]) -> None:
    window = ready(qtbot, open_window(gui_ws))
    article = window.article
    article.select_range(where(PORT)[0] + 5, where(PORT)[0] + 5)  # the caret in "port"
    qtbot.keyClick(article, Qt.Key.Key_Return)  # accepted; the next suggestion is selected
    assert stored(gui_ws, filled[0]) == [("SOURCE", PORT)]
    assert article.selection() == where(CLAIM)
    qtbot.keyClick(article, Qt.Key.Key_Tab, SHIFT)  # back to her span
    assert article.selection() == where(PORT)

    press(qtbot, window, GROW_END)
    assert stored(gui_ws, filled[0]) == [("SOURCE", "The port authority said")]
    press(qtbot, window, GROW_END)
    longer = "The port authority said exports"
    assert stored(gui_ws, filled[0]) == [("SOURCE", longer)]
    assert article.selection() == where(longer)  # the moved span stays selected: the next press moves it again
    assert f"“{longer}”" in message(window)
    panel = window.span_panel.model
    assert [panel.data(panel.index(r, 1)) for r in range(panel.rowCount())] == [longer]
    drawn = under_space(window, where(PORT)[0] + len("The"))  # her SOURCE's background
    assert drawn != window.article.paper()
    assert under_space(window, where(longer)[1] - len(" exports")) == drawn  # drawn to its new end

    qtbot.keyClick(article, Qt.Key.Key_Right, ALT)  # another document and back: the worker reads her layers again
    ready(qtbot, window)
    qtbot.keyClick(article, Qt.Key.Key_Left, ALT)
    ready(qtbot, window)
    assert ("SOURCE", PORT, "rules") not in shown(window)  # accepted, then moved: not offered again

    article.select_range(*where(longer))
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, filled[0]) == [("SOURCE", "The port authority said")]
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, filled[0]) == [("SOURCE", PORT)]
    assert [(s.label, ARTICLE[s.start:s.end]) for s in window.session.spans] == [("SOURCE", PORT)]
    assert under_space(window, where(longer)[1] - len(" exports")) == window.article.paper()
    assert errors == []
    window.close()

    reopened = ready(qtbot, open_window(gui_ws))
    assert stored(gui_ws, filled[0]) == [("SOURCE", PORT)]
    assert [(s.label, ARTICLE[s.start:s.end]) for s in reopened.session.spans] == [("SOURCE", PORT)]
    assert ("SOURCE", PORT, "rules") not in shown(reopened)  # it is hers: not offered again
    # The history comes back with a new window (ADR 0015): the two moves were undone, so the accept is its top.
    qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, filled[0]) == []


def test_an_edge_key_on_a_suggestion_accepts_it_moved_in_one_step(
        qtbot: Any, gui_ws: Any, filled: list[int], open_window: Any, errors: list[str]) -> None:
    window = ready(qtbot, open_window(gui_ws))
    article = window.article
    article.select_range(*where(PORT))
    qtbot.keyClick(article, Qt.Key.Key_N)  # the next suggestion: the claim, selected whole
    assert article.selection() == where(CLAIM)
    press(qtbot, window, GROW_START)  # accepted with the word before it
    said = "said exports fell by 34 per cent"
    assert stored(gui_ws, filled[0]) == [("CLAIM", said)]
    assert decisions(gui_ws) == [("accepted", "CLAIM", said), ("rejected", "CLAIM", CLAIM)]
    assert ("CLAIM", CLAIM, "rules") not in shown(window)  # the ghost it was made of is gone
    assert "accepted from rules" in message(window)
    press(qtbot, window, SHRINK_END)  # the next press moves her span
    assert stored(gui_ws, filled[0]) == [("CLAIM", "said exports fell by 34 per")]
    press(qtbot, window, SHRINK_START)
    assert stored(gui_ws, filled[0]) == [("CLAIM", "exports fell by 34 per")]

    for _ in range(3):
        qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, filled[0]) == [] and decisions(gui_ws) == []
    assert ("CLAIM", CLAIM, "rules") in shown(window)  # offered again
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(gui_ws, filled[0]) == [("CLAIM", said)]
    assert errors == []
    window.close()
    reopened = ready(qtbot, open_window(gui_ws))
    assert ("CLAIM", CLAIM, "rules") not in shown(reopened)  # recorded as rejected as proposed


def test_a_move_that_breaks_a_rule_is_refused_in_the_status_bar(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, errors: list[str]) -> None:
    text = "Crews left Velmora for Ostrava on Monday.\n"
    (doc,) = add_documents(gui_ws, tmp_path / "in", [text])
    window = open_window(gui_ws)
    article = window.article
    for place in ("Velmora", "Ostrava"):
        article.select_range(text.index(place) + 1, text.index(place) + 1)
        qtbot.keyClick(article, Qt.Key.Key_2)  # LOCATION
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora"), ("LOCATION", "Ostrava")]
    steps = window.session.undo_stack.count()

    article.select_range(text.index("Velmora") + 2, text.index("Velmora") + 2)
    press(qtbot, window, GROW_END)  # "Velmora for"
    press(qtbot, window, GROW_END)  # would take Ostrava, a LOCATION already
    assert "[A020]" in message(window) and "overlaps LOCATION" in message(window)
    press(qtbot, window, SHRINK_END)  # "Velmora"
    press(qtbot, window, SHRINK_END)  # would leave nothing
    assert "[A215]" in message(window) and "empty span" in message(window)
    article.select_range(1, 1)
    press(qtbot, window, GROW_END)  # no span here
    assert "put the caret in a span" in message(window)
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora"), ("LOCATION", "Ostrava")]
    assert window.session.undo_stack.count() == steps + 2  # the two moves made; the refusals are no steps

    article.select_range(*where_in(text, "Velmora"))
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)  # "Velmora for" again: its row in the span panel moves
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora for"), ("LOCATION", "Ostrava")]
    assert article.hasFocus() and article.selection() == where_in(text, "Velmora")  # not sent to Ostrava
    press(qtbot, window, SHRINK_END)  # the keys still act on the span at the caret
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora"), ("LOCATION", "Ostrava")]
    assert errors == []  # said in the status bar, no dialog


def test_a_linked_span_moved_keeps_its_links_and_the_claim_lists_it_as_it_now_is(
        qtbot: Any, gui_ws: Any, tmp_path: Path, no_suggestions: None, open_window: Any, errors: list[str]) -> None:
    (doc,) = add_documents(gui_ws, tmp_path / "in", [HARBOUR])
    window = open_window(gui_ws)
    article = window.article
    for phrase, key in (("More than 12,000 residents", Qt.Key.Key_3), ("Velmora", Qt.Key.Key_2),
                        ("Irena Dobric", Qt.Key.Key_1), (HARBOUR_CLAIM, Qt.Key.Key_4)):
        article.select_range(*where_in(HARBOUR, phrase))
        qtbot.keyClick(article, key)
    qtbot.keyClick(article, Qt.Key.Key_Return)  # the claim's proposed links taken
    assert (HARBOUR_CLAIM, "said_by", "Irena Dobric") in links(gui_ws, doc)
    claim = next(s for s in window.session.spans if s.label == "CLAIM")

    def listed() -> str:
        model = window.span_panel.model
        return str(model.index(model.row_of(claim.id), 3).data())

    article.select_range(where_in(HARBOUR, "Irena")[0] + 1, where_in(HARBOUR, "Irena")[0] + 1)
    press(qtbot, window, GROW_START)
    assert (HARBOUR_CLAIM, "said_by", "master Irena Dobric") in links(gui_ws, doc)  # the same row: its link holds
    assert "said_by: master Irena Dobric" in listed()
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    assert (HARBOUR_CLAIM, "said_by", "Irena Dobric") in links(gui_ws, doc) and "said_by: Irena Dobric" in listed()
    assert errors == []


def test_a_figures_reading_follows_its_text_unless_it_was_edited_by_hand(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, errors: list[str]) -> None:
    from annotator.services.relations import figure_attrs

    text = "More than 12,000 residents left, and at least 40 boats.\n"
    (doc,) = add_documents(gui_ws, tmp_path / "in", [text])
    window = open_window(gui_ws)
    article = window.article

    def reading(phrase: str) -> Any:
        span = next(s for s in window.session.spans if text[s.start:s.end] == phrase)
        with window.window_ws.unit() as repo:
            return repo.relations.attrs([span.id]).get(span.id)

    article.select_range(*where_in(text, "12,000 residents"))
    qtbot.keyClick(article, Qt.Key.Key_3)  # FIGURE, its reading stored with it
    assert reading("12,000 residents") == figure_attrs("12,000 residents", "en")
    press(qtbot, window, GROW_START)
    press(qtbot, window, GROW_START)
    more = figure_attrs("More than 12,000 residents", "en")
    assert more != figure_attrs("12,000 residents", "en") and more["qualifier"]
    assert reading("More than 12,000 residents") == more  # written with the move, in its one UPDATE
    assert window.session.links.figure(window.session.spans[0].id) == more
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    assert reading("than 12,000 residents") == figure_attrs("than 12,000 residents", "en")

    article.select_range(*where_in(text, "40 boats"))
    qtbot.keyClick(article, Qt.Key.Key_3)
    boats = next(s for s in window.session.spans if text[s.start:s.end] == "40 boats")
    assert window.session.links.set_figure(boats.id, {"value": 41.0, "unit": "boat"})  # as Ctrl+Shift+F saves it
    edited = reading("40 boats")
    press(qtbot, window, GROW_START)  # "least 40 boats": a reading edited by hand is kept as it is
    assert reading("least 40 boats") == edited and edited["value"] == 41.0
    assert errors == []


def test_one_edge_key_is_one_transaction_of_two_statements(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                            no_suggestions: None, open_window: Any) -> None:
    text = "Crews left Velmora for Ostrava on Monday.\n"
    (doc,) = add_documents(gui_ws, tmp_path / "in", [text])
    window = ready(qtbot, open_window(gui_ws))  # the worker's reads are not the key press's
    article = window.article
    article.select_range(text.index("Velmora") + 1, text.index("Velmora") + 1)
    qtbot.keyClick(article, Qt.Key.Key_2)
    counter = Counter(gui_ws.db.engine)
    for key, after in ((GROW_END, "Velmora for"), (GROW_START, "left Velmora for"),
                       ((Qt.Key.Key_Z, CTRL), "Velmora for"), ((Qt.Key.Key_Z, CTRL | SHIFT), "left Velmora for")):
        with counter.counting():
            press(qtbot, window, key)
        assert len(counter.sent) == 2 and counter.transactions == ["BEGIN", "COMMIT"], (after, counter.sent)
        assert not [s for s in counter.run_by_sqlite if s.startswith("PRAGMA")]
        # Read through the window's workspace: one with the engine's longer wait would make the next press set it back.
        assert stored(window.window_ws, doc) == [("LOCATION", after)]


def test_the_shortcut_sheet_lists_the_edge_keys(qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any) -> None:
    from annotator.gui.dialogs.shortcuts import ShortcutSheet

    add_documents(gui_ws, tmp_path / "in", ["Crews left Velmora.\n"])
    window = open_window(gui_ws)
    qtbot.keyClick(window.article, Qt.Key.Key_F1)
    sheet = next(d for d in window.findChildren(ShortcutSheet) if d.isVisible())
    rows = {sheet.table.item(r, 1).text(): sheet.table.item(r, 0).text() for r in range(sheet.table.rowCount())}
    assert rows["Grow span at the end"] == "Alt+Shift+Right" and rows["Grow span at the start"] == "Alt+Shift+Left"
    assert rows["Shrink span at the end"] == "Ctrl+Alt+Shift+Left"
    assert rows["Shrink span at the start"] == "Ctrl+Alt+Shift+Right"
    sheet.close()


def test_in_review_mode_the_edge_keys_change_nothing_and_say_why(
        qtbot: Any, open_window: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from team_data import document_ids, import_team

    from annotator.services.review import Review
    from annotator.services.workspace import open_workspace

    database = str(tmp_path / "team.db")
    import_team(capsys, database, tmp_path)
    ws = open_workspace(database)
    try:
        first = document_ids(ws)[0]
        window = open_window(ws, annotator="lead", document_id=first)
        mine = stored(ws, first, "lead")
        qtbot.keyClick(window.article, Qt.Key.Key_R, CTRL)
        assert window.review_mode.active
        qtbot.keyClick(window.article, Qt.Key.Key_N)  # a candidate selected
        press(qtbot, window, GROW_END)
        assert "leave review mode" in message(window)
        assert not Review(ws, 1, "someone else").document(first).gold and stored(ws, first, "lead") == mine
    finally:
        ws.close()

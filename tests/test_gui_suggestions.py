"""Suggestions in the window, driven by key presses as a user works: ghosts drawn and listed, Enter, X, a label key,
Shift+Enter, N, undo and redo, another document and back, the window closed and opened again. The database is the
judge."""

from __future__ import annotations

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
    colour_near,
    decisions,
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
HEADLINE = (ARTICLE.index("Velmora"), ARTICLE.index("Velmora") + len("Velmora"))
RESIDENTS = "More than 12,000 residents"
CLAUSE = "More than 12,000 residents have left Velmora since Monday"


def origins(ws: Any) -> list[tuple[str, str]]:
    from sqlalchemy import text

    with ws.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT s.origin, s.start, s.\"end\" FROM span s JOIN annotator a ON "
                                 "a.id = s.annotator_id WHERE a.kind = 'annotator' ORDER BY s.start")).all()
    return [(origin, ARTICLE[start:end]) for origin, start, end in rows]


def test_enter_x_and_a_label_key_decide_undo_takes_them_back_and_a_rejection_stays(
        qtbot: Any, gui_ws: Any, filled: list[int], open_window: Any) -> None:
    window = ready(qtbot, open_window(gui_ws))
    article = window.article
    rules = [("LOCATION", "Velmora", "rules"), ("CLAIM", CLAUSE, "rules"), ("FIGURE", RESIDENTS, "rules"),
             ("SOURCE", "the regional emergency service", "rules"), ("SOURCE", "The port authority", "rules"),
             ("CLAIM", "exports fell by 34 per cent", "rules"), ("FIGURE", "34 per cent", "rules")]
    assert shown(window) == rules
    rows = window.span_panel.layer_model  # listed in the span panel, as the model's
    assert rows.rowCount() == len(rules) and rows.data(rows.index(0, 0)) == "model: rules"
    colours = {label.name: label.colour for label in window.session.labels}
    assert colour_near(shot(window), window, *HEADLINE, colours["LOCATION"])  # drawn: a dashed box round it

    article.select_range(0, 0)
    qtbot.keyClick(article, Qt.Key.Key_N)  # the first suggestion is selected
    assert article.selection() == HEADLINE
    qtbot.keyClick(article, Qt.Key.Key_Return)  # accepted; the next one is selected
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Velmora")]
    assert origins(gui_ws) == [("model:rules", "Velmora")]
    assert article.selection() == where(CLAUSE)
    qtbot.keyClick(article, Qt.Key.Key_X)  # rejected
    assert article.selection() == where(RESIDENTS)
    qtbot.keyClick(article, Qt.Key.Key_1)  # a label key on a suggestion: accepted as SOURCE
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Velmora"), ("SOURCE", RESIDENTS)]
    assert decisions(gui_ws) == [("accepted", "LOCATION", "Velmora"), ("rejected", "CLAIM", CLAUSE),
                                 ("rejected", "FIGURE", RESIDENTS), ("accepted", "SOURCE", RESIDENTS)]
    assert shown(window) == rules[3:]
    assert rows.rowCount() == len(rules) - 3

    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)  # the label key taken back: the FIGURE is offered again
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Velmora")]
    assert shown(window) == rules[2:]
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)  # the rejection taken back
    assert shown(window) == rules[1:] and decisions(gui_ws) == [("accepted", "LOCATION", "Velmora")]
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL | SHIFT)  # and made again
    assert shown(window) == rules[2:]
    assert decisions(gui_ws) == [("accepted", "LOCATION", "Velmora"), ("rejected", "CLAIM", CLAUSE)]

    qtbot.keyClick(article, Qt.Key.Key_Right, ALT)
    ready(qtbot, window)
    assert window.session.document.text == SECOND
    qtbot.keyClick(article, Qt.Key.Key_Left, ALT)
    ready(qtbot, window)
    # Back: her span stays, the rejected clause does not return, and tagging Velmora once proposes the other one
    # (the occurrences source, run by the worker as the document opened).
    assert shown(window) == rules[2:3] + [("LOCATION", "Velmora", "occurrences")] + rules[3:]
    occurrence = next(s for s in window.suggestions.shown() if s.source == "occurrences")
    assert occurrence.start == ARTICLE.index("Velmora", HEADLINE[1])
    window.close()

    reopened = ready(qtbot, open_window(gui_ws))
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Velmora")]
    assert ("CLAIM", CLAUSE, "rules") not in shown(reopened)
    assert ("LOCATION", "Velmora", "occurrences") in shown(reopened)
    everything = len(shown(reopened))
    qtbot.keyClick(reopened.article, Qt.Key.Key_Return, SHIFT)  # every suggestion that overlaps none of hers
    assert len(stored(gui_ws, filled[0])) == 1 + everything and shown(reopened) == []
    qtbot.keyClick(reopened.article, Qt.Key.Key_Z, CTRL)  # one step
    assert stored(gui_ws, filled[0]) == [("LOCATION", "Velmora")] and len(shown(reopened)) == everything


def test_a_source_switched_off_is_neither_shown_nor_run_and_stays_off(qtbot: Any, gui_ws: Any, filled: list[int],
                                                                       open_window: Any) -> None:
    window = ready(qtbot, open_window(gui_ws))
    menu = window._menus["Suggest"]
    menu.aboutToShow.emit()
    item = window.findChild(type(window.actions_by_id["edit.find"]), "suggest.source.rules")
    assert item is not None and item.isChecked() and shown(window)
    item.trigger()  # off
    ready(qtbot, window)
    assert shown(window) == [] and window.span_panel.layer_model.rowCount() == 0
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    assert stored(gui_ws, filled[0]) == []  # nothing to accept
    window.close()

    reopened = ready(qtbot, open_window(gui_ws))
    assert shown(reopened) == []
    reopened._menus["Suggest"].aboutToShow.emit()
    item = reopened.findChild(type(reopened.actions_by_id["edit.find"]), "suggest.source.rules")
    assert not item.isChecked()
    item.trigger()
    ready(qtbot, reopened)
    assert shown(reopened)[0] == ("LOCATION", "Velmora", "rules")


def test_the_shortcut_sheet_lists_the_suggestion_keys(qtbot: Any, gui_ws: Any, filled: list[int],
                                                     open_window: Any) -> None:
    from annotator.gui.dialogs.shortcuts import ShortcutSheet

    window = open_window(gui_ws)
    qtbot.keyClick(window.article, Qt.Key.Key_F1)
    sheet = next(d for d in window.findChildren(ShortcutSheet) if d.isVisible())
    rows = {sheet.table.item(r, 1).text(): sheet.table.item(r, 0).text() for r in range(sheet.table.rowCount())}
    assert rows["Accept suggestion"] == "Return, Enter" and rows["Reject suggestion"] == "Backspace, X"
    assert rows["Next suggestion"] == "N" and rows["Previous suggestion"] == "Shift+N"
    assert rows["Accept every suggestion"] == "Shift+Return, Shift+Enter"
    sheet.close()

"""The window draws a statement label as a band whatever it is called, and the settings dialog chooses the kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import PROJECT, add_documents, open_settings, service, stored, tag  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

ARTICLE = ("Evacuation continues in Velmora\n\n"
           "More than 12,000 residents have left the river port of Velmora since Monday, the regional "
           "emergency service said on Wednesday.\n")
CLAUSE = "More than 12,000 residents have left the river port of Velmora since Monday"
FIGURE = "More than 12,000 residents"


@pytest.fixture
def doc(gui_ws: Any, tmp_path: Path) -> int:
    return add_documents(gui_ws, tmp_path / "in", [ARTICLE])[0]


def drawn(window: Any, phrase: str) -> Any:
    """The character format the article paints over the middle of `phrase` (the text is ASCII with plain
    line breaks, so a Python index is a Qt position)."""
    at = ARTICLE.index(phrase) + len(phrase) // 2
    window.article.viewport().repaint()  # the highlighter formats the visible blocks before a paint
    block = window.article.document().findBlock(at)
    within = at - block.position()
    from PySide6.QtGui import QTextCharFormat

    ranges = block.layout().formats()  # the format of a range lives as long as the range: copied out
    covering = [QTextCharFormat(r.format) for r in ranges if r.start <= within < r.start + r.length]
    assert len(covering) == 1, f"{len(covering)} formats over {phrase!r}"
    return covering[0]


def assert_band(window: Any, label: str) -> None:
    """The clause outside the FIGURE is a light band of `label` with an underline in its colour."""
    from PySide6.QtGui import QTextCharFormat

    from annotator.gui.widgets.highlighter import BAND_ALPHA, blend

    colour = window.session.labels.get(label).colour
    band = drawn(window, "river port")
    assert band.background().color() == blend(colour, BAND_ALPHA)
    assert band.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert band.underlineColor().name() == colour
    inside = drawn(window, FIGURE)  # the entity inside is drawn on top, the band's underline under it
    assert inside.background().color() != band.background().color()
    assert inside.underlineColor().name() == colour


def assert_entity(window: Any, label: str) -> None:
    from PySide6.QtGui import QTextCharFormat

    from annotator.gui.widgets.highlighter import ENTITY_ALPHA, blend

    solid = drawn(window, "river port")
    assert solid.background().color() == blend(window.session.labels.get(label).colour, ENTITY_ALPHA)
    assert solid.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline


def row_of(dialog: Any, name: str) -> int:
    from annotator.gui.dialogs.settings_dialog import NAME

    (row,) = [r for r in range(dialog.table.rowCount()) if dialog.table.item(r, NAME).text() == name]
    return row


def kind_of(ws: Any, name: str) -> str:
    from annotator.services.labels import list_labels

    return list_labels(ws, PROJECT).get(name).kind.value


def test_a_renamed_claim_is_still_drawn_as_a_band(qtbot: Any, gui_ws: Any, doc: int, open_window: Any) -> None:
    from annotator.gui.widgets.highlighter import BAND_ALPHA, blend
    from annotator.services.labels import update_label

    update_label(gui_ws, PROJECT, "CLAIM", new_name="ASSERTION")
    window = open_window(gui_ws)
    tag(qtbot, window, CLAUSE, Qt.Key.Key_4)
    tag(qtbot, window, FIGURE, Qt.Key.Key_3)
    assert stored(gui_ws, doc) == [("ASSERTION", CLAUSE), ("FIGURE", FIGURE)]
    assert_band(window, "ASSERTION")
    colour = window.session.labels.get("ASSERTION").colour
    assert blend(colour, BAND_ALPHA * 2).name() in window.label_bar.button("ASSERTION").styleSheet()


def test_a_label_added_as_a_statement_is_drawn_as_a_band(qtbot: Any, gui_ws: Any, doc: int,
                                                         open_window: Any) -> None:
    from annotator.services.labels import add_label

    add_label(gui_ws, PROJECT, "THESIS", key="7", kind="statement")
    window = open_window(gui_ws)
    tag(qtbot, window, CLAUSE, Qt.Key.Key_7)
    tag(qtbot, window, FIGURE, Qt.Key.Key_3)
    assert stored(gui_ws, doc) == [("THESIS", CLAUSE), ("FIGURE", FIGURE)]
    assert_band(window, "THESIS")


def test_the_kind_is_chosen_in_the_settings_dialog(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                   errors: list[str]) -> None:
    from PySide6.QtWidgets import QAbstractItemView, QComboBox

    from annotator.gui.dialogs.settings_dialog import KIND

    span, _ = service(gui_ws).add_span(doc, "LOCATION", ARTICLE.index(CLAUSE), ARTICLE.index(CLAUSE) + len(CLAUSE))
    service(gui_ws).add_span(doc, "FIGURE", ARTICLE.index(FIGURE), ARTICLE.index(FIGURE) + len(FIGURE))
    window = open_window(gui_ws)
    assert_entity(window, "LOCATION")
    dialog = open_settings(qtbot, window)
    table = dialog.table
    row = row_of(dialog, "LOCATION")
    assert table.item(row, KIND).text() == "entity"
    assert table.item(row_of(dialog, "CLAIM"), KIND).text() == "statement"
    table.setCurrentCell(row, KIND)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    chooser = next(e for e in table.findChildren(QComboBox) if e.isVisible())
    assert chooser.currentText() == "entity"
    qtbot.keyClick(chooser, Qt.Key.Key_Down)  # the choice is saved at once
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    assert errors == []
    assert kind_of(gui_ws, "LOCATION") == "statement"
    assert table.item(row, KIND).text() == "statement"
    assert_band(window, "LOCATION")  # the open article is drawn again, with the dialog still open

    # a new label, chosen as a statement before it is added
    qtbot.keyClicks(dialog.new_name_edit, "THESIS")
    qtbot.keyClicks(dialog.new_key_edit, "7")
    dialog.new_kind_combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.new_kind_combo, Qt.Key.Key_Down)
    assert dialog.new_kind_combo.currentText() == "statement"
    qtbot.keyClick(dialog.new_key_edit, Qt.Key.Key_Return)
    assert errors == []
    assert kind_of(gui_ws, "THESIS") == "statement"
    assert table.item(row_of(dialog, "THESIS"), KIND).text() == "statement"
    assert dialog.new_kind_combo.currentText() == "entity"  # ready for the next label
    with qtbot.waitSignal(dialog.destroyed, timeout=None):
        dialog.close()
    service(gui_ws).remove_span(span.id)
    window.session.open_document(doc)  # what the database holds now: no LOCATION over the clause
    window.activateWindow()
    qtbot.waitUntil(lambda: window.windowHandle().isActive() and window.article.hasFocus())
    tag(qtbot, window, CLAUSE, Qt.Key.Key_7)
    assert ("THESIS", CLAUSE) in stored(gui_ws, doc)
    assert_band(window, "THESIS")

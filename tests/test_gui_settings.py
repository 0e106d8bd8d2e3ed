"""The settings dialog, driven as a user drives it, on the real window; the settings file and the database judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import EVACUATION, PROJECT, add_documents, edit_cell, find, open_settings, stored  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui


ARTICLE = EVACUATION


@pytest.fixture
def doc(gui_ws: Any, tmp_path: Path) -> int:
    return add_documents(gui_ws, tmp_path / "in", [ARTICLE])[0]


@pytest.fixture(autouse=True)
def _light_again() -> Any:
    """The theme belongs to the whole application: leave it as the next test expects it."""
    yield
    from annotator.gui.settings import Theme, apply_theme

    apply_theme(Theme.SYSTEM)


def close_settings(qtbot: Any, window: Any, dialog: Any) -> None:
    with qtbot.waitSignal(dialog.destroyed, timeout=None):  # it deletes itself on close
        dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.windowHandle().isActive() and window.article.hasFocus())


def row_of(dialog: Any, name: str) -> int:
    from annotator.gui.dialogs.settings_dialog import NAME

    rows = [r for r in range(dialog.table.rowCount()) if dialog.table.item(r, NAME).text() == name]
    assert rows, f"no row for {name}"
    return rows[0]


def labels(ws: Any) -> Any:
    from annotator.services.labels import list_labels

    return list_labels(ws, PROJECT)


# Sizes are halves, exact in binary floating point: plain ==, not pytest.approx (which looks into a numpy
# that the background tokenizer may be importing at that very moment).
def test_font_and_size_apply_at_once_and_persist(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                 settings_path: Path) -> None:
    from PySide6.QtGui import QFont

    window = open_window(gui_ws)
    dialog = open_settings(qtbot, window)
    assert dialog.size_spin.value() == window.article.font().pointSizeF()
    dialog.size_spin.setFocus()
    dialog.size_spin.selectAll()
    qtbot.keyClicks(dialog.size_spin, "18")
    assert window.article.font().pointSizeF() == 18.0  # before the dialog is closed
    other = next(dialog.font_combo.itemText(i) for i in range(dialog.font_combo.count())
                 if dialog.font_combo.itemText(i) != window.article.font().family())
    dialog.font_combo.setCurrentFont(QFont(other))
    assert window.article.font().family() == other
    close_settings(qtbot, window, dialog)
    window.close()

    again = open_window(gui_ws)  # a new window on the same settings file
    assert again.article.font().pointSizeF() == 18.0
    assert again.article.font().family() == other
    dialog = open_settings(qtbot, again)
    assert dialog.size_spin.value() == 18.0
    assert dialog.font_combo.currentFont().family() == other


def test_dark_theme_darkens_the_window_and_keeps_highlights_readable(qtbot: Any, gui_ws: Any, doc: int,
                                                                     open_window: Any) -> None:
    from PySide6.QtGui import QPalette, QTextCursor

    from annotator.gui.settings import Theme
    from annotator.gui.widgets.highlighter import DARK_INK, DARK_PAPER

    window = open_window(gui_ws)
    assert window.palette().color(QPalette.ColorRole.Window).lightness() > 180  # offscreen: no system scheme
    find(qtbot, window, "12,000 residents")
    qtbot.keyClick(window.article, Qt.Key.Key_3)
    dialog = open_settings(qtbot, window)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData(Theme.DARK.value))
    # Qt hands the application's new palette to the widgets through the event loop
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 80)
    assert window.palette().color(QPalette.ColorRole.WindowText).lightness() > 180
    assert DARK_PAPER.name() in window.article.styleSheet()
    # the FIGURE highlight: a muted colour under light text, not a pastel patch under light text
    block = window.article.document().findBlock(window.article.textCursor().position())
    window.article.moveCursor(QTextCursor.MoveOperation.Start)
    ranges = [r for r in block.layout().formats() if r.format.background().style() != Qt.BrushStyle.NoBrush]
    assert ranges
    assert ranges[0].format.foreground().color() == DARK_INK
    assert ranges[0].format.background().color().lightness() < 120
    close_settings(qtbot, window, dialog)
    window.close()

    again = open_window(gui_ws)  # remembered
    qtbot.waitUntil(lambda: again.palette().color(QPalette.ColorRole.Window).lightness() < 80)
    dialog = open_settings(qtbot, again)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData(Theme.LIGHT.value))
    qtbot.waitUntil(lambda: again.palette().color(QPalette.ColorRole.Window).lightness() > 180)


def test_snapping_off_tags_exactly_the_selection(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                 settings_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from annotator.gui.settings import GuiSettings

    window = open_window(gui_ws)
    dialog = open_settings(qtbot, window)
    assert dialog.snap_check.isChecked()
    qtbot.keyClick(dialog.snap_check, Qt.Key.Key_Space)
    assert GuiSettings(QSettings(str(settings_path), QSettings.Format.IniFormat)).snap_to_tokens is False
    close_settings(qtbot, window, dialog)
    find(qtbot, window, "still ris")
    qtbot.keyClick(window.article, Qt.Key.Key_4)
    assert stored(gui_ws, doc) == [("CLAIM", "still ris")]

    dialog = open_settings(qtbot, window)
    assert not dialog.snap_check.isChecked()
    qtbot.keyClick(dialog.snap_check, Qt.Key.Key_Space)
    close_settings(qtbot, window, dialog)
    find(qtbot, window, "Wednes")
    qtbot.keyClick(window.article, Qt.Key.Key_3)
    assert stored(gui_ws, doc) == [("FIGURE", "Wednesday"), ("CLAIM", "still ris")]


def test_a_key_already_taken_is_refused_with_a_message(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                       errors: list[str]) -> None:
    from annotator.gui.dialogs.settings_dialog import KEY

    window = open_window(gui_ws)
    before = labels(gui_ws)
    dialog = open_settings(qtbot, window)
    row = row_of(dialog, "FIGURE")
    edit_cell(qtbot, dialog, row, KEY, "1")  # SOURCE's key
    assert len(errors) == 1
    assert errors[0].startswith("[A050]") and "already used by SOURCE" in errors[0]
    assert labels(gui_ws) == before  # nothing changed in the database
    assert dialog.table.item(row, KEY).text() == "3"  # the old value is back
    assert dialog.isVisible()
    close_settings(qtbot, window, dialog)
    find(qtbot, window, "Monday")
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    assert stored(gui_ws, doc) == [("SOURCE", "Monday")]  # 1 still means SOURCE


def test_rename_recolour_and_guideline_reach_the_database_and_the_label_bar(
        qtbot: Any, gui_ws: Any, doc: int, open_window: Any, monkeypatch: pytest.MonkeyPatch,
        errors: list[str]) -> None:
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog

    from annotator.gui.dialogs.settings_dialog import COLOUR, NAME

    window = open_window(gui_ws)
    find(qtbot, window, "Velmora since")
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    asked: list[str] = []

    def choose(initial: QColor, _parent: Any, title: str, *_args: Any) -> QColor:
        asked.append(f"{title} {initial.name()}")
        return QColor("#2a9d8f")

    monkeypatch.setattr(QColorDialog, "getColor", choose)
    dialog = open_settings(qtbot, window)
    row = row_of(dialog, "LOCATION")
    edit_cell(qtbot, dialog, row, NAME, "PLACE")
    dialog.table.setCurrentCell(row, COLOUR)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter on the colour cell asks for a colour
    assert asked == ["Colour of PLACE #8cb369"]
    dialog.guideline_edit.selectAll()
    qtbot.keyClicks(dialog.guideline_edit, "Towns, rivers")
    # saved after a pause in the typing: annotators see it on the button while the dialog is still open
    qtbot.waitUntil(lambda: "Towns, rivers" in window.label_bar.button("PLACE").toolTip())
    qtbot.keyClicks(dialog.guideline_edit, " and regions.")
    close_settings(qtbot, window, dialog)  # closing keeps what was typed last, without the pause
    assert errors == []

    place = labels(gui_ws).get("PLACE")
    assert place is not None and "LOCATION" not in labels(gui_ws)
    assert (place.colour, place.key, place.alt_key, place.description) == (
        "#2a9d8f", "2", "L", "Towns, rivers and regions.")
    assert stored(gui_ws, doc) == [("PLACE", "Velmora since")]  # the spans went with the name
    button = window.label_bar.button("PLACE")
    assert "PLACE" in button.text() and button.text().endswith(" 1")
    assert "#2a9d8f" in button.styleSheet()
    assert "Towns, rivers and regions." in button.toolTip()
    assert [s.label for s in window.session.spans] == ["PLACE"]
    find(qtbot, window, "Wednesday")
    qtbot.keyClick(window.article, Qt.Key.Key_2)  # the key now tags as PLACE
    assert stored(gui_ws, doc) == [("PLACE", "Velmora since"), ("PLACE", "Wednesday")]
    assert "Tag as PLACE" in [a.text() for a in window.menuBar().actions()[2].menu().actions()]


def test_a_new_label_with_key_5_tags_at_once(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                             errors: list[str]) -> None:
    window = open_window(gui_ws)
    dialog = open_settings(qtbot, window)
    qtbot.keyClicks(dialog.new_name_edit, "DATE")
    qtbot.keyClicks(dialog.new_key_edit, "5")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert errors == []
    date = labels(gui_ws).get("DATE")
    assert date is not None and date.key == "5"
    assert dialog.table.item(row_of(dialog, "DATE"), 0).text() == "DATE"
    assert "DATE" in window.label_bar.button("DATE").text()
    close_settings(qtbot, window, dialog)
    find(qtbot, window, "Monday")
    qtbot.keyClick(window.article, Qt.Key.Key_5)
    assert stored(gui_ws, doc) == [("DATE", "Monday")]

    dialog = open_settings(qtbot, window)
    qtbot.keyClicks(dialog.new_name_edit, "TIME")
    qtbot.keyClicks(dialog.new_key_edit, "5")  # taken by DATE now
    qtbot.keyClick(dialog.new_key_edit, Qt.Key.Key_Return)
    assert len(errors) == 1 and "already used by DATE" in errors[0]
    assert "TIME" not in labels(gui_ws)
    assert dialog.isVisible()


def test_deleting_a_label_with_spans_asks_with_the_count(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = open_window(gui_ws)
    for phrase in ("12,000 residents", "3 centimetres"):
        find(qtbot, window, phrase)
        qtbot.keyClick(window.article, Qt.Key.Key_3)
    find(qtbot, window, "Velmora since")
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    questions: list[str] = []
    answer = QMessageBox.StandardButton.No

    def ask(_parent: Any, _title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        questions.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", ask)
    warnings: list[str] = []  # the service refuses a label in use: the dialog must ask, not show that refusal
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_args: warnings.append(text))
    dialog = open_settings(qtbot, window)
    dialog.table.setCurrentCell(row_of(dialog, "FIGURE"), 0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and "FIGURE" in questions[0] and "2 spans" in questions[0]
    assert "FIGURE" in labels(gui_ws)  # "No" keeps it

    answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "FIGURE" not in labels(gui_ws)
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora since")]
    assert [s.label for s in window.session.spans] == ["LOCATION"]
    assert "FIGURE" not in [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    with pytest.raises(KeyError):
        window.label_bar.button("FIGURE")

    questions.clear()
    dialog.new_name_edit.setText("UNUSED")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.table.setCurrentCell(row_of(dialog, "UNUSED"), 0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert questions == []  # no spans: nothing to ask
    assert "UNUSED" not in labels(gui_ws)
    assert warnings == []


def test_the_system_theme_follows_the_colour_scheme(qtbot: Any, gui_ws: Any, doc: int, open_window: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QGuiApplication, QPalette

    from annotator.gui import settings

    window = open_window(gui_ws)  # the default theme: follow the system
    hints = QGuiApplication.styleHints()
    monkeypatch.setattr(settings, "system_is_dark", lambda: True)  # offscreen Qt has no scheme to switch
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 80)
    monkeypatch.setattr(settings, "system_is_dark", lambda: False)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() > 180)

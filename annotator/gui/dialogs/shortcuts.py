"""The shortcut sheet: every action of the table with its keys and what it does."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.actions import ActionSpec, shortcut_text

EXTRA = (
    ("Shift+arrows, Ctrl+Shift+arrows", "Grow the selection by character / word (it snaps to tokens when tagged)"),
    ("Double-click", "Select a word"),
    ("Right-click on a span", "Relabel or remove it"),
    ("Shift+F10 or the Menu key", "The same for the span at the caret; arrows and Enter choose"),
)


class ShortcutSheet(QDialog):
    def __init__(self, specs: Iterable[ActionSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcut_sheet")
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(shortcut_text(s), s.text.replace("&", ""), s.tip) for s in specs if s.shortcuts]
        rows += [(keys, "", tip) for keys, tip in EXTRA]
        table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels(["Keys", "Action", "What it does"])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(820, 560)

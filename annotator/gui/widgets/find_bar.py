"""Find in the article: the first match is selected as you type; Enter or F3 the next; Escape closes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    search_changed = Signal(str)  # the text changed: select the first match
    next_requested = Signal(str)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(QLabel("Find:", self))
        self.edit = QLineEdit(self)
        self.edit.setObjectName("find_edit")
        self.edit.setPlaceholderText("words in the article (Enter: next, Esc: back to the article)")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit, 1)
        self._result = QLabel("", self)
        layout.addWidget(self._result)
        next_button = QPushButton("Next", self)
        next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        next_button.clicked.connect(lambda: self.next_requested.emit(self.edit.text()))
        layout.addWidget(next_button)
        close_button = QPushButton("Close", self)
        close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close_button.clicked.connect(self.close_bar)
        layout.addWidget(close_button)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def show_result(self, found: bool) -> None:
        text = self.edit.text()
        self._result.setText("" if found or not text else "not found")
        self.edit.setStyleSheet("" if found or not text else "QLineEdit { background: #fbe3e3; }")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.next_requested.emit(self.edit.text())
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

    def _on_edit_text_changed(self, text: str) -> None:
        self.search_changed.emit(text)

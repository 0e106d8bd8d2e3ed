"""One button per label: its colour, keys and how many spans it has in this document; a click tags."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from annotator.domain.labels import Label, LabelSet
from annotator.gui.widgets.highlighter import BAND_ALPHA, BAND_LABELS, ENTITY_ALPHA, blend


class LabelBar(QWidget):
    label_requested = Signal(str)

    def __init__(self, labels: LabelSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("label_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        self._buttons: dict[str, QToolButton] = {}
        self._labels = labels
        for label in labels:
            button = QToolButton(self)
            button.setObjectName(f"label_{label.name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the article keeps the focus and its selection
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setToolTip(label.description or label.name)
            button.setStyleSheet(self._style(label))
            button.clicked.connect(lambda _c=False, n=label.name: self.label_requested.emit(n))
            layout.addWidget(button)
            self._buttons[label.name] = button
        layout.addStretch(1)
        self.set_counts({})

    @staticmethod
    def _style(label: Label) -> str:
        alpha = BAND_ALPHA * 2 if label.name in BAND_LABELS else ENTITY_ALPHA
        fill = blend(label.colour, alpha).name()
        return (f"QToolButton {{ background: {fill}; border: 1px solid {label.colour}; border-radius: 4px;"
                f" padding: 4px 10px; color: #1d1f23; }}"
                f" QToolButton:hover {{ background: {blend(label.colour, min(1.0, alpha + 0.2)).name()}; }}")

    def set_counts(self, counts: dict[str, int]) -> None:
        for label in self._labels:
            keys = " ".join(label.shortcut_keys())
            self._buttons[label.name].setText(f"{keys}   {label.name}   {counts.get(label.name, 0)}")

    def button(self, name: str) -> QToolButton:
        return self._buttons[name]

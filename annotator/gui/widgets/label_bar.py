"""One button per label: its colour, keys and how many spans it has in this document; a click tags."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from annotator.domain.labels import Label, LabelSet
from annotator.gui.widgets.highlighter import (
    BAND_ALPHA,
    DARK_PAPER,
    ENTITY_ALPHA,
    PAPER,
    blend,
    ink_on,
)


class LabelBar(QWidget):
    label_requested = Signal(str)

    def __init__(self, labels: LabelSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("label_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        layout.addStretch(1)
        self._layout = layout
        self._buttons: dict[str, QToolButton] = {}
        self._labels = LabelSet(())
        self._counts: dict[str, int] = {}
        self._paper = PAPER
        self.set_labels(labels)

    def set_labels(self, labels: LabelSet) -> None:
        """One button per label of `labels`, in order; called again when the label set changes."""
        for button in self._buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons = {}
        self._labels = labels
        for i, label in enumerate(labels):
            button = QToolButton(self)
            button.setObjectName(f"label_{label.name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the article keeps the focus and its selection
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setToolTip(self._tip(label))
            button.setStyleSheet(self._style(label))
            button.clicked.connect(lambda _c=False, n=label.name: self.label_requested.emit(n))
            self._layout.insertWidget(i, button)
            self._buttons[label.name] = button
        self.set_counts(self._counts)

    def set_dark(self, dark: bool) -> None:
        self._paper = DARK_PAPER if dark else PAPER
        for label in self._labels:
            self._buttons[label.name].setStyleSheet(self._style(label))

    @staticmethod
    def _tip(label: Label) -> str:
        # Rich text, so that Qt wraps a long guideline instead of making one screen-wide line.
        keys = " or ".join(label.shortcut_keys()) or "no key"
        guideline = f"<p>{escape(label.description)}</p>" if label.description else ""
        return f"<b>{escape(label.name)}</b> ({escape(keys)}){guideline}"

    def _style(self, label: Label) -> str:
        alpha = BAND_ALPHA * 2 if label.is_statement else ENTITY_ALPHA
        fill = blend(label.colour, alpha, self._paper)
        hover = blend(label.colour, min(1.0, alpha + 0.2), self._paper)
        return (f"QToolButton {{ background: {fill.name()}; border: 1px solid {label.colour}; border-radius: 4px;"
                f" padding: 4px 10px; color: {ink_on(fill).name()}; }}"
                f" QToolButton:hover {{ background: {hover.name()}; color: {ink_on(hover).name()}; }}")

    def set_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        for label in self._labels:
            keys = " ".join(label.shortcut_keys())
            self._buttons[label.name].setText(f"{keys}   {label.name}   {counts.get(label.name, 0)}")

    def button(self, name: str) -> QToolButton:
        return self._buttons[name]

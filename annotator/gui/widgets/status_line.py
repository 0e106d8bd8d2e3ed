"""The status bar's permanent parts: who, where in the project, how much is done, what is under the caret."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from annotator.domain.spans import Span


class StatusLine:
    def __init__(self, bar: QStatusBar, annotator: str, parent: QWidget) -> None:
        self._bar = bar
        self.caret_label = QLabel("", parent)
        self.caret_label.setObjectName("caret_labels")
        self.position_label = QLabel("", parent)
        self.position_label.setObjectName("position")
        self.who_label = QLabel(f"annotator: {annotator}", parent)
        self.who_label.setObjectName("who")
        for label in (self.caret_label, self.position_label, self.who_label):
            label.setStyleSheet("QLabel { padding: 0 12px; }")
        bar.addPermanentWidget(self.caret_label)
        bar.addPermanentWidget(self.position_label)
        bar.addPermanentWidget(self.who_label)

    def show_position(self, number: int, total: int, done: int) -> None:
        self.position_label.setText(f"document {number:,} of {total:,} · {done:,} done")

    def show_caret_spans(self, spans: list[Span], others: Sequence[str] = ()) -> None:
        """`others`: the read-only spans there, each as "whose: LABEL"."""
        parts = [" ⊂ ".join(s.label for s in spans)] if spans else []
        parts += list(others)
        self.caret_label.setText("under the caret: " + " · ".join(parts) if parts else "")

    def notice(self, text: str, milliseconds: int = 4000) -> None:
        self._bar.showMessage(text, milliseconds)

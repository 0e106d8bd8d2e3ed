"""A FIGURE's reading, edited: value (or a low-high range), unit, qualifier, and a factor and reference for a
comparison. The fields come filled with what is stored; OK saves at once (the window's Links, figure column)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from annotator.domain.figures import Qualifier
from annotator.services.relations import number_or_none

NUMBERS = ("value", "low", "high", "factor")
TEXTS = ("unit", "reference")


def _shown(number: Any) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


class FigureDialog(QDialog):
    def __init__(self, text: str, attrs: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure_dialog")
        self.setWindowTitle("Figure")
        form = QFormLayout(self)
        quoted = QLabel(f"“{text}”", self)
        quoted.setWordWrap(True)
        form.addRow(quoted)
        self.edits: dict[str, QLineEdit] = {}
        for field in ("value", "low", "high", "unit", "factor", "reference"):
            edit = QLineEdit(_shown(attrs.get(field)) if field in NUMBERS else str(attrs.get(field) or ""), self)
            edit.setObjectName(f"figure_{field}")
            self.edits[field] = edit
        self.qualifier = QComboBox(self)
        self.qualifier.setObjectName("figure_qualifier")
        self.qualifier.addItem("(none)", None)
        for qualifier in Qualifier:
            self.qualifier.addItem(str(qualifier), str(qualifier))
        self.qualifier.setCurrentIndex(max(0, self.qualifier.findData(attrs.get("qualifier"))))
        form.addRow("&Value", self.edits["value"])
        form.addRow("or from (&low)", self.edits["low"])
        form.addRow("to (&high)", self.edits["high"])
        form.addRow("&Unit", self.edits["unit"])
        form.addRow("&Qualifier", self.qualifier)
        form.addRow("&Factor (2 = twice)", self.edits["factor"])
        form.addRow("&Reference", self.edits["reference"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def fields(self) -> dict[str, Any]:
        """What the fields say; FigureError names a number that is not one."""
        out: dict[str, Any] = {name: number_or_none(self.edits[name].text()) for name in NUMBERS}
        out.update({name: self.edits[name].text().strip() for name in TEXTS})
        out["qualifier"] = self.qualifier.currentData()
        return out

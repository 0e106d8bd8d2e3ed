"""Export options: format, where to write, whose spans (the layer), how to treat spans off token boundaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from annotator.services.export_layers import PEOPLE, LayerOption
from annotator.services.exporting import EXPORT_FORMATS

FOLDER_FORMATS = frozenset({"spacy", "brat"})
SUFFIX = {"prodigy": ".jsonl", "doccano": ".jsonl", "labelstudio": ".json", "conll": ".conll"}
DESCRIPTIONS = {
    "spacy": "spaCy DocBin: train.spacy, dev.spacy and config.cfg in a folder",
    "prodigy": "Prodigy JSONL",
    "doccano": "doccano JSONL",
    "labelstudio": "Label Studio JSON",
    "brat": "brat standoff (.txt + .ann) in a folder",
    "conll": "CoNLL IOB2",
}


@dataclass(frozen=True)
class ExportOptions:
    fmt: str
    out: Path
    align: str
    only_mine: bool  # the current annotator's layer, or (with only_done) the documents they marked done
    only_done: bool
    replace: bool = False
    layer: str | None = None  # what export(layer=...) takes; None: the default


class ExportDialog(QDialog):
    """`layers`: the project's layers as services.export_layers.layer_options gives them, `default` the index
    of the one chosen at first."""

    def __init__(self, start_folder: Path, parent: QWidget | None = None, *,
                 layers: Sequence[LayerOption] = (LayerOption(PEOPLE, "every person's spans"),),
                 default: int = 0) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export")
        self._folder = start_folder
        self.format_combo = QComboBox(self)
        for fmt in EXPORT_FORMATS:
            self.format_combo.addItem(DESCRIPTIONS.get(fmt, fmt), fmt)
        self.out_edit = QLineEdit(self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._on_browse_clicked)
        where = QHBoxLayout()
        where.addWidget(self.out_edit, 1)
        where.addWidget(browse)
        self.align_combo = QComboBox(self)
        self.align_combo.addItem("strict: stop and list spans off token boundaries", "strict")
        self.align_combo.addItem("expand: snap such spans outward to whole tokens", "expand")
        self.layer_combo = QComboBox(self)
        for option in layers:
            self.layer_combo.addItem(option.text, option.layer)
        self.layer_combo.setCurrentIndex(default)
        self.only_done = QCheckBox("only documents I marked done", self)
        self.replace = QCheckBox("replace a previous export of this format there", self)
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("Write to", where)
        form.addRow("Alignment", self.align_combo)
        form.addRow("Spans of", self.layer_combo)
        form.addRow("", self.only_done)
        form.addRow("", self.replace)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._on_format_combo_current_index_changed)
        self._on_format_combo_current_index_changed(0)
        self.resize(640, 0)

    def options(self) -> ExportOptions:
        fmt = self.format_combo.currentData()
        done = self.only_done.isChecked()
        return ExportOptions(fmt, Path(self.out_edit.text()).expanduser(), self.align_combo.currentData(), done,
                             done, self.replace.isChecked(), self.layer_combo.currentData())

    def _default_out(self, fmt: str) -> Path:
        name = f"export-{fmt}" + ("" if fmt in FOLDER_FORMATS else SUFFIX.get(fmt, ".txt"))
        return self._folder / name

    def _on_format_combo_current_index_changed(self, _index: int) -> None:
        fmt = self.format_combo.currentData()
        self.align_combo.setEnabled(fmt == "spacy")
        self.out_edit.setText(str(self._default_out(fmt)))

    def _on_browse_clicked(self) -> None:
        fmt = self.format_combo.currentData()
        if fmt in FOLDER_FORMATS:
            chosen = QFileDialog.getExistingDirectory(self, "Export into folder", str(self._folder))
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to file", str(self._default_out(fmt)))
        if chosen:
            self.out_edit.setText(chosen)

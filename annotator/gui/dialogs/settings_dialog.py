"""Settings: the article's font and size, the theme, snapping to words, and the project's labels.

Every change applies at once. Appearance goes to the settings file and is announced (appearance_changed);
a label change goes to the database through annotator.services.labels and is announced (labels_changed),
and the window redraws from what is now stored. A change the services refuse (a key already taken, a bad
name) is shown through the one error sink and the old value comes back; the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.labels import Label, LabelKind, LabelSet
from annotator.errors import AnnotatorError, LabelInUseError
from annotator.gui import messages
from annotator.gui.settings import MAX_FONT_SIZE, MIN_FONT_SIZE, GuiSettings, Theme
from annotator.services.labels import add_label, delete_label, list_labels, update_label
from annotator.services.workspace import Workspace

NAME, COLOUR, KIND, KEY, ALT_KEY, GUIDELINE = range(6)
HEADERS = ("Name", "Colour", "Kind", "Key", "2nd key", "Guideline")
# editable column -> update_label argument
FIELDS = {NAME: "new_name", KIND: "kind", KEY: "key", ALT_KEY: "alt_key"}
KIND_TIP = ("entity: a name, place or number, drawn as a solid background and exported in spaCy's doc.ents.\n"
            "statement: a clause that holds entities, drawn as a band with an underline and kept out of doc.ents.")
STORED_NAME = Qt.ItemDataRole.UserRole  # on a row's name item: the name the database holds
THEMES = ((Theme.SYSTEM, "Follow the system"), (Theme.LIGHT, "Light"), (Theme.DARK, "Dark"))
GUIDELINE_SAVE_MS = 600  # typing in the guideline is saved after this pause (and on leaving the label)
PREVIEW_CHARACTERS = 70


def _swatch(colour: str) -> QIcon:
    """A colour square that stays true on the selected row (a plain QColor decoration gets tinted there)."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor(colour).darker(140))
    painter.drawRect(0, 0, 13, 13)
    painter.end()
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon


class _KeyDelegate(QStyledItemDelegate):
    """A key is one character: the editor takes no more."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setMaxLength(1)
        return editor


class _KindDelegate(QStyledItemDelegate):
    """The kind is chosen from a list; a choice is saved at once, as an Enter would."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QComboBox(parent)
        editor.addItems([kind.value for kind in LabelKind])
        editor.setToolTip(KIND_TIP)
        editor.activated.connect(lambda _i: self._commit(editor))
        return editor

    def _commit(self, editor: QComboBox) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data()))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())


class SettingsDialog(QDialog):
    appearance_changed = Signal()  # the settings hold a new font, theme or snapping
    labels_changed = Signal()  # the database holds a changed label set

    def __init__(self, settings: GuiSettings, ws: Workspace, project: str, font: QFont,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        self._settings = settings
        self._ws = ws
        self._project = project
        self._labels = LabelSet(())
        self._guideline_for: str | None = None  # the label whose guideline the editor shows

        layout = QVBoxLayout(self)
        layout.addWidget(self._reading_group(font))
        layout.addWidget(self._labels_group(), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Enter belongs to the table and the text boxes here, never to a button that closes the dialog.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.resize(820, 600)
        self._reload()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ---------------------------------------------------------------------------------
    def _reading_group(self, font: QFont) -> QGroupBox:
        group = QGroupBox("Reading and tagging", self)
        form = QFormLayout(group)
        self.font_combo = QFontComboBox(group)
        self.font_combo.setObjectName("font_combo")
        self.font_combo.setCurrentFont(font)
        self.size_spin = QDoubleSpinBox(group)
        self.size_spin.setObjectName("size_spin")
        self.size_spin.setRange(MIN_FONT_SIZE, MAX_FONT_SIZE)
        self.size_spin.setSingleStep(0.5)
        self.size_spin.setDecimals(1)
        self.size_spin.setSuffix(" pt")
        self.size_spin.setValue(self._settings.font_size)
        font_row = QHBoxLayout()
        font_row.addWidget(self.font_combo, 1)
        font_row.addWidget(self.size_spin)
        font_label = QLabel("Article &font:", group)
        font_label.setBuddy(self.font_combo)  # a row holding a layout gets no buddy of its own
        form.addRow(font_label, font_row)
        self.theme_combo = QComboBox(group)
        self.theme_combo.setObjectName("theme_combo")
        for theme, text in THEMES:
            self.theme_combo.addItem(text, theme.value)
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(self._settings.theme.value))
        form.addRow("&Theme:", self.theme_combo)
        self.snap_check = QCheckBox("&Snap selections to whole words", group)
        self.snap_check.setObjectName("snap_check")
        self.snap_check.setToolTip("Off: a selection is tagged exactly as selected, only trimmed of spaces "
                                   "(a caret still takes the word around it).")
        self.snap_check.setChecked(self._settings.snap_to_tokens)
        form.addRow("", self.snap_check)
        self.font_combo.currentFontChanged.connect(self._on_font_combo_current_font_changed)
        self.size_spin.valueChanged.connect(self._on_size_spin_value_changed)
        self.theme_combo.currentIndexChanged.connect(self._on_theme_combo_current_index_changed)
        self.snap_check.toggled.connect(self._on_snap_check_toggled)
        return group

    def _labels_group(self) -> QGroupBox:
        group = QGroupBox("Labels of this project", self)
        box = QVBoxLayout(group)
        self.table = QTableWidget(0, len(HEADERS), group)
        self.table.setObjectName("label_table")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setWordWrap(False)
        key_delegate = _KeyDelegate(self.table)
        self.table.setItemDelegateForColumn(KEY, key_delegate)
        self.table.setItemDelegateForColumn(ALT_KEY, key_delegate)
        self.table.setItemDelegateForColumn(KIND, _KindDelegate(self.table))
        kind_header = self.table.horizontalHeaderItem(KIND)
        assert kind_header is not None  # setHorizontalHeaderLabels made it
        kind_header.setToolTip(KIND_TIP)
        header = self.table.horizontalHeader()
        for column, width in ((NAME, 130), (COLOUR, 90), (KIND, 86), (KEY, 50), (ALT_KEY, 64)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(GUIDELINE, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.table, 1)
        hint = QLabel("Double-click or F2 to rename, rekey or change the kind; Enter on a colour to change it. "
                      "Each change is saved at once.", group)
        hint.setEnabled(False)
        box.addWidget(hint)

        self.guideline_title = QLabel("", group)
        box.addWidget(self.guideline_title)
        self.guideline_edit = QPlainTextEdit(group)
        self.guideline_edit.setObjectName("guideline_edit")
        self.guideline_edit.setTabChangesFocus(True)
        self.guideline_edit.setPlaceholderText("What to tag with this label, and what not.")
        self.guideline_edit.setFixedHeight(self.guideline_edit.fontMetrics().lineSpacing() * 5 + 12)
        box.addWidget(self.guideline_edit)
        self._guideline_timer = QTimer(self)
        self._guideline_timer.setSingleShot(True)
        self._guideline_timer.setInterval(GUIDELINE_SAVE_MS)
        self._guideline_timer.timeout.connect(self._save_guideline)

        row = QHBoxLayout()
        self.colour_button = QPushButton("&Colour…", group)
        self.delete_button = QPushButton("&Delete label…", group)
        self.new_name_edit = QLineEdit(group)
        self.new_name_edit.setObjectName("new_name_edit")
        self.new_name_edit.setPlaceholderText("New label name")
        self.new_key_edit = QLineEdit(group)
        self.new_key_edit.setObjectName("new_key_edit")
        self.new_key_edit.setPlaceholderText("key")
        self.new_key_edit.setMaxLength(1)
        self.new_key_edit.setFixedWidth(self.new_key_edit.fontMetrics().horizontalAdvance("key") + 24)
        self.new_kind_combo = QComboBox(group)
        self.new_kind_combo.setObjectName("new_kind_combo")
        self.new_kind_combo.addItems([kind.value for kind in LabelKind])
        self.new_kind_combo.setToolTip(KIND_TIP)
        self.add_button = QPushButton("&Add label", group)
        for button in (self.colour_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        for widget in (self.new_name_edit, self.new_key_edit, self.new_kind_combo, self.add_button):
            row.addWidget(widget)
        box.addLayout(row)

        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.cellActivated.connect(self._on_table_cell_activated)
        self.table.currentCellChanged.connect(self._on_table_current_cell_changed)
        self.guideline_edit.textChanged.connect(self._on_guideline_edit_text_changed)
        self.colour_button.clicked.connect(lambda: self._choose_colour(self.table.currentRow()))
        self.delete_button.clicked.connect(self._delete_current)
        self.add_button.clicked.connect(self._add)
        self.new_name_edit.returnPressed.connect(self._add)
        self.new_key_edit.returnPressed.connect(self._add)
        return group

    # -- appearance -------------------------------------------------------------------------------
    def _on_font_combo_current_font_changed(self, font: QFont) -> None:
        self._settings.font_family = font.family()
        self.appearance_changed.emit()

    def _on_size_spin_value_changed(self, size: float) -> None:
        self._settings.font_size = size
        self.appearance_changed.emit()

    def _on_theme_combo_current_index_changed(self, index: int) -> None:
        self._settings.theme = Theme(self.theme_combo.itemData(index))
        self.appearance_changed.emit()

    def _on_snap_check_toggled(self, on: bool) -> None:
        self._settings.snap_to_tokens = on
        self.appearance_changed.emit()

    # -- the label table --------------------------------------------------------------------------
    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Fill the table without its edits being taken for the user's."""
        blocked = self.table.blockSignals(True)
        try:
            yield
        finally:
            self.table.blockSignals(blocked)

    def _reload(self, current: str | None = None) -> None:
        """Show the label set the database holds; `current` (a name) becomes the current row."""
        current = current or self._guideline_for
        try:
            self._labels = list_labels(self._ws, self._project)
        except AnnotatorError as e:
            messages.show_error(self, e)
            return
        with self._quiet():
            self.table.setRowCount(len(self._labels))
            for row, label in enumerate(self._labels):
                self._show_row(row, label)
        names = self._labels.names()
        row = names.index(current) if current in names else (0 if names else -1)
        self.table.setCurrentCell(row, NAME)
        self._show_guideline(self._labels.labels[row] if row >= 0 else None)

    def _show_row(self, row: int, label: Label) -> None:
        fixed = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        with self._quiet():
            name = self._item(row, NAME)
            name.setText(label.name)
            name.setData(STORED_NAME, label.name)
            colour = self._item(row, COLOUR, fixed)
            colour.setText(label.colour)
            colour.setIcon(_swatch(label.colour))
            colour.setToolTip("Enter or double-click to choose another colour")
            kind = self._item(row, KIND)
            kind.setText(label.kind.value)
            kind.setToolTip(KIND_TIP)
            for column, value in ((KEY, label.key), (ALT_KEY, label.alt_key)):
                item = self._item(row, column)
                item.setText(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            preview = " ".join(label.description.split())
            if len(preview) > PREVIEW_CHARACTERS:
                preview = preview[: PREVIEW_CHARACTERS - 1] + "…"
            guideline = self._item(row, GUIDELINE, fixed)
            guideline.setText(preview)
            guideline.setToolTip(f"<p>{escape(label.description)}</p>" if label.description else "")

    def _item(self, row: int, column: int, flags: Qt.ItemFlag | None = None) -> QTableWidgetItem:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            if flags is not None:
                item.setFlags(flags)
            self.table.setItem(row, column, item)
        return item

    def _stored_name(self, row: int) -> str | None:
        item = self.table.item(row, NAME)
        return None if item is None else str(item.data(STORED_NAME))

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        field = FIELDS.get(item.column())
        name = self._stored_name(item.row())
        label = self._labels.get(name) if name else None
        if field is None or label is None:
            return
        value = item.text().strip()
        if value == {NAME: label.name, KIND: label.kind, KEY: label.key, ALT_KEY: label.alt_key}[item.column()]:
            self._show_row(item.row(), label)  # only spaces were added: show it as stored
            return
        self._update(label.name, item.row(), **{field: value})

    def _update(self, name: str, row: int, **changes: str) -> None:
        """One change through the services; refused, the row shows the stored values again and says why."""
        try:
            updated = update_label(self._ws, self._project, name, **changes)
        except AnnotatorError as e:
            old = self._labels.get(name)
            if old is not None:
                self._show_row(row, old)
            messages.show_error(self, e)
            return
        if self._guideline_for == name:
            self._guideline_for = updated.name
            self._show_guideline_title(updated)
        self._labels = list_labels(self._ws, self._project)
        self._show_row(row, updated)  # as stored: "s" comes back as "S"
        self.labels_changed.emit()

    def _on_table_cell_activated(self, row: int, column: int) -> None:
        if column == COLOUR:
            self._choose_colour(row)

    def _choose_colour(self, row: int) -> None:
        name = self._stored_name(row)
        label = self._labels.get(name) if name else None
        if label is None:
            return
        colour = QColorDialog.getColor(QColor(label.colour), self, f"Colour of {label.name}")
        if colour.isValid() and colour.name() != label.colour:
            self._update(label.name, row, colour=colour.name())

    def _add(self) -> None:
        name, key = self.new_name_edit.text().strip(), self.new_key_edit.text().strip()
        try:
            label = add_label(self._ws, self._project, name, key=key, kind=self.new_kind_combo.currentText())
        except AnnotatorError as e:
            messages.show_error(self, e)
            return
        self.new_name_edit.clear()
        self.new_key_edit.clear()
        self.new_kind_combo.setCurrentIndex(0)
        self._save_guideline()
        self._reload(label.name)
        self.labels_changed.emit()

    def _delete_current(self) -> None:
        name = self._stored_name(self.table.currentRow())
        if name is None:
            return
        self._save_guideline()
        try:
            try:
                delete_label(self._ws, self._project, name)
            except LabelInUseError as used:
                # The service refuses a label in use and counts its spans: ask with that count.
                spans = f"{used.spans:,} span{'s' if used.spans != 1 else ''}"
                answer = QMessageBox.question(
                    self, "Delete label",
                    f"Delete the label {name} and the {spans} tagged with it, by every annotator of this "
                    "project?\nThis cannot be undone.",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
                if answer != QMessageBox.StandardButton.Yes:
                    return
                delete_label(self._ws, self._project, name, with_spans=True)
        except AnnotatorError as e:
            messages.show_error(self, e)
            return
        self._guideline_for = None
        self._reload()
        self.labels_changed.emit()

    # -- the guideline of the current label -------------------------------------------------------
    def _on_table_current_cell_changed(self, row: int, _column: int, previous: int, _previous_column: int) -> None:
        if row == previous:
            return
        self._save_guideline()
        name = self._stored_name(row) if row >= 0 else None
        self._show_guideline(self._labels.get(name) if name else None)

    def _show_guideline(self, label: Label | None) -> None:
        self._guideline_timer.stop()
        self._guideline_for = label.name if label else None
        blocked = self.guideline_edit.blockSignals(True)
        self.guideline_edit.setPlainText(label.description if label else "")
        self.guideline_edit.blockSignals(blocked)
        self.guideline_edit.setEnabled(label is not None)
        self._show_guideline_title(label)

    def _show_guideline_title(self, label: Label | None) -> None:
        self.guideline_title.setText(f"Guideline for {label.name} (annotators see it on the label's button):"
                                     if label else "Guideline:")

    def _on_guideline_edit_text_changed(self) -> None:
        self._guideline_timer.start()

    def _save_guideline(self) -> None:
        self._guideline_timer.stop()
        name = self._guideline_for
        label = self._labels.get(name) if name else None
        text = self.guideline_edit.toPlainText().strip()
        if label is None or text == label.description:
            return
        row = self._labels.names().index(label.name)
        self._update(label.name, row, description=text)

    def done(self, result: int) -> None:
        self._save_guideline()  # what was typed last is kept, even without the pause
        super().done(result)

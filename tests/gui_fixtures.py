"""Fixtures for the window tests: a temporary database, isolated QSettings, the real main window.

Registered for every test module by tests/conftest.py (`pytest_plugins`); a module imports only the plain
helpers it uses (add_documents, stored, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

PROJECT = "default"
ANNOTATOR = "tester"
# Articles written for the tests, in the style of the news the tool is for (headline, reported speech, figures)
EVACUATION = ("Evacuation continues in Velmora\n\n"
              "More than 12,000 residents have left the river port of Velmora since Monday, the regional "
              "emergency service said on Wednesday.\n\n"
              '"The water is still rising by about 3 centimetres an hour," deputy governor Irena Dobric wrote.\n')
GRAIN = "Grain exports fell by 34 per cent in October, the port authority of Ostrava Bay said.\n"
BLACKOUT = "Around 400,000 households in the Dorvan region were without electricity on Sunday.\n"

try:  # the keys of the window tests; a run without Qt skips those modules (pytest.importorskip) before they import
    from PySide6.QtCore import Qt
except ImportError:  # pragma: no cover
    pass
else:
    CTRL = Qt.KeyboardModifier.ControlModifier
    SHIFT = Qt.KeyboardModifier.ShiftModifier
    ALT = Qt.KeyboardModifier.AltModifier


def write_texts(folder: Path, texts: Sequence[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, text in enumerate(texts, start=1):
        path = folder / f"{n:03d}.txt"
        path.write_bytes(text.encode("utf-8"))  # bytes: CRLF stays CRLF
        paths.append(path)
    return paths


def write_jsonl(path: Path, texts: Sequence[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return path


def add_documents(ws: Any, folder: Path, texts: Sequence[str], project: str = PROJECT) -> list[int]:
    """Import `texts` as .txt files (in order) and return their document ids."""
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project

    summary = import_paths(ws, write_texts(folder, texts), project=project, annotator=ANNOTATOR, fmt="txt")
    assert not summary.errors, summary.lines()
    annotations = Annotations(ws, ensure_project(ws, project).id, ANNOTATOR)
    return [item.id for item in annotations.list_documents(limit=10**6)]


def service(ws: Any, annotator: str = ANNOTATOR, project: str = PROJECT) -> Any:
    """The annotation service, to check what the database holds (never the widgets)."""
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project

    return Annotations(ws, ensure_project(ws, project).id, annotator)


def stored(ws: Any, document_id: int, annotator: str = ANNOTATOR) -> list[tuple[str, str]]:
    """(label, text) of every span in the database, in reading order."""
    annotations = service(ws, annotator)
    text = annotations.document(document_id).text
    return [(s.label, text[s.start : s.end]) for s in annotations.spans(document_id)]


def find(qtbot: Any, window: Any, text: str) -> None:
    """Ctrl+F, type, Escape: the match is selected and the article has the keyboard again."""
    from PySide6.QtCore import Qt

    qtbot.keyClick(window.article, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, text)
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert window.article.hasFocus()
    assert window.article.textCursor().selectedText() == text


def key(qtbot: Any, window: Any, k: Any, modifiers: Any = None, *, times: int = 1) -> None:
    """Press `k` (with `modifiers`) on the article, `times` times, as the annotator does."""
    from PySide6.QtCore import Qt

    for _ in range(times):
        qtbot.keyClick(window.article, k, Qt.KeyboardModifier.NoModifier if modifiers is None else modifiers)


def tag(qtbot: Any, window: Any, phrase: str, k: Any) -> None:
    """Find `phrase` (Ctrl+F) and press the label key `k` on it."""
    find(qtbot, window, phrase)
    key(qtbot, window, k)


def edit_cell(qtbot: Any, dialog: Any, row: int, column: int, text: str) -> None:
    """F2 on the cell, type over what is there, Enter: as a user edits a table."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit

    table = dialog.table
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits and closes its editor through a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def open_settings(qtbot: Any, window: Any) -> Any:
    """Ctrl+, on the article: the settings dialog it opens."""
    from PySide6.QtCore import Qt

    from annotator.gui.dialogs.settings_dialog import SettingsDialog

    qtbot.keyClick(window.article, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    return next(d for d in window.findChildren(SettingsDialog) if d.isVisible())


@pytest.fixture
def gui_ws(tmp_path: Path) -> Iterator[Any]:
    from annotator.services.workspace import open_workspace

    ws = open_workspace(tmp_path / "t.db")
    yield ws
    ws.close()


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def ready(qtbot: Any, window: Any) -> Any:
    """The window once its worker has brought the open document's suggestions (its first run waits for the first
    paint while spaCy is not yet imported). The timeout is a safety net against a hang, never a speed limit."""
    qtbot.waitUntil(lambda: not window.suggestions.waiting_for_paint and not window.runner.busy, timeout=120_000)
    return window


@pytest.fixture
def no_suggestions(settings_path: Path) -> None:
    """Every suggestion source switched off in the window's settings: for tests of something else, in which the
    worker's ghosts would arrive between two key presses at a moment that depends on the machine."""
    from PySide6.QtCore import QSettings

    from annotator.gui.suggestion_desk import OFF_KEY

    QSettings(str(settings_path), QSettings.Format.IniFormat).setValue(OFF_KEY, '["occurrences", "rules", "trained"]')


@pytest.fixture
def open_window(qtbot: Any, settings_path: Path) -> Iterator[Callable[..., Any]]:
    """Build the real MainWindow (as the app does), shown and active, with settings in a temp .ini file."""
    from PySide6.QtCore import QSettings

    from annotator.app import open_main_window

    made: list[Any] = []

    def make(ws: Any, *, annotator: str = ANNOTATOR, project: str = PROJECT, document_id: int | None = None) -> Any:
        store = QSettings(str(settings_path), QSettings.Format.IniFormat)
        window = open_main_window(ws, project=project, annotator=annotator, store=store, document_id=document_id)
        qtbot.addWidget(window)
        window.winId()  # makes the native window, so that its activation can be awaited
        handle = window.windowHandle()
        with qtbot.waitSignal(handle.activeChanged, timeout=None):  # shortcuts need an active window
            window.show()
            window.activateWindow()
        assert handle.isActive()
        made.append(window)
        return window

    yield make
    for window in made:
        if window.isVisible():
            window.close()


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every QMessageBox shown, as (kind, text); none of them blocks."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def recorder(kind: str) -> Callable[..., Any]:
        def record(_parent: Any, _title: str, text: str, *_args: Any, **_kwargs: Any) -> Any:
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return record

    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, recorder(kind))
    monkeypatch.setattr(QMessageBox, "about", recorder("about"))
    return shown


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What went to the one error sink, as text; nothing blocks."""
    from annotator.gui import messages

    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _parent, error: shown.append(str(error)))
    return shown


# -- what several window tests share ------------------------------------------------------------------------------
TIMEOUT_MS = 120_000  # a safety net against a hang, never a speed limit

# The suggestion tests' article: the rules suggest a place, a claim with its figure, and two sources in it.
FLOODS = ("Floods in Velmora\n\n"
          "More than 12,000 residents have left Velmora since Monday, the regional emergency service said.\n\n"
          "The port authority said exports fell by 34 per cent.\n")
# The claim tests' article: a claim with its figure, place and source, and a sentence with no claim.
HARBOUR = ("More than 12,000 residents have left Velmora since Monday, harbour master Irena Dobric said on "
           "Wednesday.\nThe ferry to Ostrel runs twice a day.\n")
HARBOUR_CLAIM = "More than 12,000 residents have left Velmora since Monday"


def where(phrase: str, text: str = FLOODS) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def filled(gui_ws: Any, tmp_path: Path) -> list[int]:
    """FLOODS and GRAIN, the rules layer filled as `annotator suggest` fills it."""
    from annotator.services.suggesting import fill_layer

    docs = add_documents(gui_ws, tmp_path / "articles", [FLOODS, GRAIN])
    fill_layer(gui_ws, PROJECT, "rules")
    return docs


def shown(window: Any) -> list[tuple[str, str, str]]:
    """(label, text, source) of every suggestion the window shows on its open document."""
    text = window.session.document.text
    return [(s.label, text[s.start:s.end], s.source) for s in window.suggestions.shown()]


def decisions(ws: Any, text: str = FLOODS) -> list[tuple[str, str, str]]:
    """(decision, label, text) of every decision row."""
    from sqlalchemy import text as sql

    with ws.db.engine.connect() as conn:
        rows = conn.execute(sql('SELECT d.decision, l.name, d.start, d."end" FROM suggestion_decision d '
                                "JOIN label l ON l.id = d.label_id ORDER BY d.start, l.name")).all()
    return [(decision, label, text[start:end]) for decision, label, start, end in rows]


def links(ws: Any, document_id: int) -> set[tuple[str, str, str]]:
    """(claim text, type, child text) of every stored link of the tester's layer."""
    from annotator.services.relations import Frames

    notes = service(ws)
    text = notes.document(document_id).text
    frames = Frames(ws, notes.project_id, ANNOTATOR)
    return {(text[r.head.start:r.head.end], r.type, text[r.child.start:r.child.end])
            for rs in frames.relations(document_id).values() for r in rs}


def shot(window: Any) -> Any:
    """The article as drawn now."""
    window.article.viewport().repaint()
    return window.article.viewport().grab().toImage()


def colour_near(image: Any, window: Any, start: int, end: int, colour: str) -> bool:
    """Whether a pixel close to `colour` is drawn over the line box of [start, end) (ASCII text: Python index ==
    Qt position)."""
    from PySide6.QtGui import QColor, QTextCursor

    article = window.article
    cursor = QTextCursor(article.document())
    cursor.setPosition(start)
    left = article.cursorRect(cursor)
    cursor.setPosition(end)
    right = article.cursorRect(cursor)
    want = QColor(colour)
    for y in range(left.top() - 2, left.bottom() + 4):
        for x in range(left.left(), right.right()):
            got = image.pixelColor(x, y)
            if abs(got.red() - want.red()) + abs(got.green() - want.green()) + abs(got.blue() - want.blue()) < 60:
                return True
    return False


def trained_project(ws: Any, tmp_path: Path, n: int, done: int) -> list[int]:
    """`n` generated articles (data_fixtures.documents) with the window user's spans; the first `done` of them marked
    done."""
    from data_fixtures import documents

    from annotator.domain.documents import Status
    from annotator.services.importing import import_paths

    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps({"text": d.text, "spans": [{"start": s.start, "end": s.end, "label": s.label}
                                                                   for s in d.spans]}) + "\n" for d in documents(n)),
                    encoding="utf-8")
    assert not import_paths(ws, [path], project=PROJECT, annotator=ANNOTATOR, fmt="prodigy").errors
    with ws.unit() as repo:
        ids = repo.documents.ids(repo.projects.by_name(PROJECT).id)
        who = repo.owners.annotator_id(ANNOTATOR)
        for doc_id in ids[:done]:
            repo.statuses.save(doc_id, who, Status.DONE)
    return ids


def open_training_dialog(qtbot: Any, window: Any) -> Any:
    """Alt+A opens the Annotate menu, T its Train a model… item; the dialog follows the worker's layer count."""
    from annotator.gui.dialogs.training_dialog import TrainingDialog

    menu = window._menus["Annotate"]
    qtbot.keyClick(window, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    qtbot.keyClick(menu, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(TrainingDialog)), timeout=TIMEOUT_MS)
    return window.findChild(TrainingDialog)


def set_spin(qtbot: Any, spin: Any, value: int) -> None:
    """Type `value` into a spin box as a user does, and leave it with Tab."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    assert spin.value() == value

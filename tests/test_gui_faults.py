"""The window under faults: no display, a database another process is writing, start-up errors.

Issue "Nothing lost": a locked database must not freeze the window nor show a span that is not saved, and a
start-up error must reach stderr as its coded line instead of waiting in a dialog nobody can see.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from fault_fixtures import HANG_GUARD_S, LockHolder  # noqa: E402
from gui_fixtures import CTRL, GRAIN, SHIFT, add_documents, edit_cell, stored  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]


# -- no display -----------------------------------------------------------------------------------
def _window_process(db: Path, tmp_path: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`python -m annotator --db DB` as a user starts it; None in `env` removes the variable."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "ANNOTATOR_SETTINGS": str(tmp_path / "settings.ini")}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        environ.pop(name, None)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    try:
        return subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), "--annotator", "ana"], cwd=ROOT,
                              env=environ, capture_output=True, text=True, timeout=HANG_GUARD_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:  # run() killed it: the window waited on something nobody sees
        raise AssertionError(f"the window process hung; stderr so far: {e.stderr!r}") from e


def _corrupt(tmp_path: Path) -> Path:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"this is not a database, it only has its name" * 20)
    return db


def _too_new(tmp_path: Path) -> Path:
    from annotator.services.workspace import open_workspace

    db = tmp_path / "newer.db"
    open_workspace(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffff9999'")
    conn.close()  # the last connection checkpoints the WAL into the file
    return db


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux names a display")
@pytest.mark.parametrize("make_db, code", [(_corrupt, "[A043]"), (_too_new, "[A044]")], ids=["corrupt", "too-new"])
@pytest.mark.parametrize("platform", [None, "offscreen"], ids=["no-display", "offscreen"])
def test_start_up_error_without_a_display_is_a_coded_line_and_exit_2(tmp_path: Path, make_db: Any, code: str,
                                                                      platform: str | None) -> None:
    db = make_db(tmp_path)
    before = db.read_bytes()
    result = _window_process(db, tmp_path, QT_QPA_PLATFORM=platform)
    assert result.returncode == 2, result.stderr
    assert f"annotator: {code}" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before  # the user's file is as it was


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux names a display")
@pytest.mark.parametrize("display", [None, ":87"], ids=["unset", "no-server"])
def test_no_usable_display_is_a_coded_line_not_an_invisible_window(tmp_path: Path, display: str | None) -> None:
    db = tmp_path / "fine.db"
    result = _window_process(db, tmp_path, DISPLAY=display)
    assert result.returncode == 2, result.stderr
    assert "annotator: [A070]" in result.stderr and "display" in result.stderr
    assert "Traceback" not in result.stderr


# -- another process holds the write lock -----------------------------------------------------------
ARTICLE = ("More than 12,000 residents have left the river port of Velmora since Monday, the regional "
           "emergency service said on Wednesday.\n")
SECOND = GRAIN


@pytest.fixture
def lock_holder(gui_ws: Any):  # type: ignore[no-untyped-def]
    made: list[LockHolder] = []

    def start() -> LockHolder:
        made.append(LockHolder(gui_ws.db.path))
        return made[-1]

    yield start
    for holder in made:
        holder.stop()


def find(qtbot: Any, window: Any, text: str) -> None:
    qtbot.keyClick(window.article, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_bar.edit, text)
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert window.article.textCursor().selectedText() == text


class Ticks:
    """A QTimer that counts while the test runs: it only advances while the event loop runs."""

    def __init__(self, qtbot: Any) -> None:
        from PySide6.QtCore import QTimer

        self.count = 0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.qtbot = qtbot

    def _tick(self) -> None:
        self.count += 1

    def advance(self) -> None:
        seen = self.count
        self.qtbot.waitUntil(lambda: self.count > seen, timeout=int(HANG_GUARD_S * 1000))


def busy_told(window: Any) -> bool:
    message = window.statusBar().currentMessage()
    return "[A071]" in message and "database busy" in message and "not saved, press again" in message


def test_locked_database_says_busy_at_once_and_shows_no_unsaved_span(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                      open_window: Any, dialogs: list,
                                                                      lock_holder: Any) -> None:
    doc, second = add_documents(gui_ws, tmp_path / "in", [ARTICLE, SECOND])
    window = open_window(gui_ws)
    ticks = Ticks(qtbot)
    find(qtbot, window, "Wednesday")
    qtbot.keyClick(window.article, Qt.Key.Key_3)
    find(qtbot, window, "Monday")
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)  # leaves a redo to try under the lock
    assert stored(gui_ws, doc) == [("FIGURE", "Wednesday")]
    shown = list(window.session.spans)

    holder = lock_holder()
    attempts = [
        ("tag", lambda: (find(qtbot, window, "Velmora"), qtbot.keyClick(window.article, Qt.Key.Key_2))),
        ("undo", lambda: qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)),
        ("redo", lambda: qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL | SHIFT)),
        ("relabel", lambda: next(a for a in window.article.span_menu(shown).actions()
                                 if a.text() == "Relabel as CLAIM").trigger()),  # the span's context menu
        ("done", lambda: qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)),
    ]
    for what, attempt in attempts:
        window.statusBar().clearMessage()
        attempt()
        assert busy_told(window), (what, window.statusBar().currentMessage())
        assert dialogs == [], what  # said in the status bar: nothing modal to dismiss
        assert window.session.spans == shown, what  # nothing drawn that is not saved
        assert stored(gui_ws, doc) == [("FIGURE", "Wednesday")], what
        assert window.session.document_id == doc, what
        ticks.advance()  # the event loop runs while the other program still holds the lock
    assert window.session.undo_stack.index() == 1 and window.session.undo_stack.count() == 2  # no step lost

    holder.commit()
    find(qtbot, window, "Velmora")
    qtbot.keyClick(window.article, Qt.Key.Key_2)  # the same key press, again
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora"), ("FIGURE", "Wednesday")]
    assert [s.label for s in window.session.spans] == ["LOCATION", "FIGURE"]
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, doc) == []
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(gui_ws, doc) == [("LOCATION", "Velmora"), ("FIGURE", "Wednesday")]
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    assert window.session.document_id == second
    assert dialogs == []


def test_label_edit_under_the_lock_says_busy_and_changes_nothing(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                 open_window: Any, dialogs: list,
                                                                 lock_holder: Any) -> None:

    from annotator.gui.dialogs.settings_dialog import NAME, SettingsDialog
    from annotator.services.labels import list_labels

    add_documents(gui_ws, tmp_path / "in", [ARTICLE])
    window = open_window(gui_ws)
    qtbot.keyClick(window.article, Qt.Key.Key_Comma, CTRL)
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    table = dialog.table
    row = next(r for r in range(table.rowCount()) if table.item(r, NAME).text() == "FIGURE")

    holder = lock_holder()
    edit_cell(qtbot, dialog, row, NAME, "NUMBER")
    assert len(dialogs) == 1 and dialogs[0][1].startswith("[A071] database busy"), dialogs
    assert "FIGURE" in list_labels(gui_ws, "default").names()
    assert table.item(row, NAME).text() == "FIGURE"  # the row shows what is stored
    holder.commit()
    edit_cell(qtbot, dialog, row, NAME, "NUMBER")
    assert "NUMBER" in list_labels(gui_ws, "default").names()
    assert len(dialogs) == 1


def test_the_window_short_wait_stays_with_the_window(gui_ws: Any) -> None:
    """Imports and exports on the same engine keep the long wait for another writer."""
    from sqlalchemy import text

    from annotator.storage import engine

    def busy_timeout(ws: Any) -> int:
        with ws.unit() as repo:
            return int(repo.s.execute(text("PRAGMA busy_timeout")).scalar())

    window_ws = gui_ws.waiting_at_most(250)
    assert window_ws.db is gui_ws.db  # one engine: the file is opened once
    assert busy_timeout(window_ws) == 250
    assert busy_timeout(gui_ws) == engine.BUSY_TIMEOUT_MS  # the same pooled connection, put back


def test_under_the_lock_the_annotator_can_still_move_on_and_the_time_is_kept(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                             open_window: Any, dialogs: list,
                                                                             lock_holder: Any) -> None:
    """Reading the next article needs no write: Alt+Right works under another program's lock; the time spent on
    the document left is added once the lock is gone."""
    doc, second = add_documents(gui_ws, tmp_path / "in", [ARTICLE, SECOND])
    window = open_window(gui_ws)
    holder = lock_holder()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(window.article, Qt.Key.Key_Right, alt)
    assert window.session.document_id == second and dialogs == []
    assert "database busy" in window.statusBar().currentMessage()
    qtbot.keyClick(window.article, Qt.Key.Key_Left, alt)
    assert window.session.document_id == doc
    holder.commit()
    qtbot.keyClick(window.article, Qt.Key.Key_Right, alt)  # now the time of both visits to `doc` is written
    qtbot.keyClick(window.article, Qt.Key.Key_Left, alt)  # and of both visits to `second`
    with gui_ws.unit() as repo:
        annotator_id = repo.owners.annotator_id("tester", create=False)
        seconds = [repo.statuses.get(d, annotator_id)[1] for d in (doc, second)]
    assert seconds[0] > 0 and seconds[1] > 0, seconds

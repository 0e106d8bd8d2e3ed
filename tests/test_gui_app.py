"""Starting the app: first run, remembered settings, samples, the excepthook, the self-test, a SIGKILL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from fault_fixtures import HANG_GUARD_S, Lines, kill_alive  # noqa: E402
from gui_fixtures import ANNOTATOR, add_documents, service, stored  # noqa: E402

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]


def _close_windows_soon() -> None:
    """Let run_gui's event loop start, then close its window as a user would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow

    def close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.close()

    QTimer.singleShot(0, close)


@pytest.fixture
def app_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app-settings.ini"
    monkeypatch.setenv("ANNOTATOR_SETTINGS", str(path))
    return path


def test_first_run_asks_the_name_once_and_imports_the_samples(qapp: Any, tmp_path: Path, app_settings: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QInputDialog

    from annotator import APP_NAME, ORG_NAME
    from annotator.app import run_gui
    from annotator.resources import sample_articles
    from annotator.services.workspace import open_workspace

    asked: list[str] = []

    def get_text(*args: Any, **_kwargs: Any) -> tuple[str, bool]:
        asked.append(args[2])
        return "Ada", True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    db = tmp_path / "first.db"
    _close_windows_soon()
    assert run_gui(db=str(db), annotator=None, project=None) == 0
    assert len(asked) == 1
    assert qapp.applicationName() == APP_NAME and qapp.organizationName() == ORG_NAME
    store = QSettings(str(app_settings), QSettings.Format.IniFormat)
    assert store.value("annotator") == "Ada"
    assert store.value("project") == "default"
    ws = open_workspace(db)
    try:
        assert service(ws, "Ada").count_documents() == len(sample_articles())
        first = service(ws, "Ada").first_document()
        assert int(store.value("last_document/default")) == first
    finally:
        ws.close()

    _close_windows_soon()  # second run: no question, no second import
    assert run_gui(db=str(db), annotator=None, project=None) == 0
    assert len(asked) == 1
    ws = open_workspace(db)
    try:
        assert service(ws, "Ada").count_documents() == len(sample_articles())
    finally:
        ws.close()


def test_annotator_option_skips_the_question(qapp: Any, tmp_path: Path, app_settings: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from annotator.app import run_gui

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: pytest.fail("asked for a name"))
    _close_windows_soon()
    assert run_gui(db=str(tmp_path / "named.db"), annotator="Bea", project="news") == 0


def test_the_collector_waits_for_the_first_paint_and_runs_again_after_it(qapp: Any, tmp_path: Path,
                                                                          app_settings: Path) -> None:
    import gc

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.app import run_gui
    from annotator.gui.main_window import MainWindow

    seen: list[tuple[str, bool]] = []

    def look(when: str) -> None:
        seen.append((when, gc.isenabled()))
        if when == "settled":
            for window in QApplication.topLevelWidgets():
                if isinstance(window, MainWindow) and window.isVisible():
                    window.close()

    assert gc.isenabled()
    # Timers of 0 ms run in the order they were set: this one before run_gui's pass after the first paint, the one
    # it sets after that pass.
    QTimer.singleShot(0, lambda: (look("shown"), QTimer.singleShot(0, lambda: look("settled"))))
    assert run_gui(db=str(tmp_path / "gc.db"), annotator="Bea", project=None) == 0
    assert seen == [("shown", False), ("settled", True)]
    assert gc.isenabled()  # as it was before

    gc.disable()  # a caller that had switched it off finds it off
    try:
        _close_windows_soon()
        assert run_gui(db=str(tmp_path / "gc.db"), annotator="Bea", project=None) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_samples_leaves_an_empty_window(qapp: Any, tmp_path: Path, app_settings: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.resources
    from annotator.app import run_gui

    monkeypatch.setattr(annotator.resources, "sample_articles", lambda: [])
    _close_windows_soon()
    assert run_gui(db=str(tmp_path / "empty.db"), annotator="Bea", project=None) == 0


def test_a_bad_database_is_a_plain_message(qapp: Any, tmp_path: Path, app_settings: Path, dialogs: list,
                                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import annotator.app
    from annotator.app import run_gui

    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    assert run_gui(db=str(bad), annotator="Bea", project=None) == 2
    assert dialogs == []  # offscreen: nobody could see a dialog, so the line goes to stderr only
    assert capsys.readouterr().err.startswith("annotator: [A043]")
    monkeypatch.setattr(annotator.app, "_headless", lambda _app: False)  # as on a desktop
    assert run_gui(db=str(bad), annotator="Bea", project=None) == 2
    assert len(dialogs) == 1 and dialogs[0][1].startswith("[A043]")
    assert capsys.readouterr().err.startswith("annotator: [A043]")


def test_excepthook_logs_unexpected_errors_and_shows_no_traceback(qapp: Any, dialogs: list,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.app
    from annotator.app import excepthook, log_file
    from annotator.errors import SpanRuleError

    monkeypatch.setattr(annotator.app, "_headless", lambda _app: False)  # as on a desktop
    try:
        raise ValueError("secret internals")
    except ValueError as e:
        excepthook(type(e), e, e.__traceback__)
    assert dialogs[-1][0] == "critical"
    assert "Traceback" not in dialogs[-1][1] and "secret internals" not in dialogs[-1][1]
    assert str(log_file()) in dialogs[-1][1]
    logged = log_file().read_text(encoding="utf-8")
    assert "Traceback" in logged and "ValueError: secret internals" in logged

    error = SpanRuleError("span [3:1] is empty", hint="select some words")
    excepthook(type(error), error, None)
    assert dialogs[-1] == ("warning", str(error))


def test_excepthook_without_a_screen_writes_to_stderr_and_opens_no_dialog(
        qapp: Any, dialogs: list, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.app import excepthook
    from annotator.errors import DatabaseCorruptError

    error = DatabaseCorruptError("x.db is not a database or is damaged")
    excepthook(type(error), error, None)  # offscreen: a dialog there would wait for a click that never comes
    try:
        raise ValueError("secret internals")
    except ValueError as e:
        excepthook(type(e), e, e.__traceback__)
    assert dialogs == []
    err = capsys.readouterr().err
    assert f"annotator: {error}" in err and "annotator: unexpected ValueError" in err
    assert "secret internals" not in err and "Traceback" not in err


def test_self_test_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "annotator", "--self-test"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout


CHILD = textwrap.dedent("""
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from annotator.app import application, open_main_window, settings
    from annotator.services.workspace import open_workspace

    app = application()
    ws = open_workspace()  # from $ANNOTATOR_DB
    window = open_main_window(ws, project="default", annotator=sys.argv[1], store=settings())
    window.show()
    window.activateWindow()
    while not window.isActiveWindow():  # shortcuts need an active window
        app.processEvents()
    QTest.keyClick(window.article, Qt.Key.Key_S)  # the caret is on the first word
    print("tagged", flush=True)
    app.exec()
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_window_loses_nothing_it_showed(gui_ws: Any, tmp_path: Path) -> None:
    (doc,) = add_documents(gui_ws, tmp_path / "in", ["Marchuk said the strikes hit two substations."])
    env = {**os.environ, "ANNOTATOR_DB": str(tmp_path / "t.db"), "QT_QPA_PLATFORM": "offscreen",
           "ANNOTATOR_SETTINGS": str(tmp_path / "child.ini"), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, ANNOTATOR], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = Lines(child).next()
        assert line == "tagged", f"{line!r}: " + (child.stderr.read() if child.poll() is not None else "")  # type: ignore[union-attr]
        kill_alive(child)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=HANG_GUARD_S)
    assert stored(gui_ws, doc) == [("SOURCE", "Marchuk")]

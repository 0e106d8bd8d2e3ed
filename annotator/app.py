"""Composition root of the window: settings, database, services, QApplication, the excepthook.

`run_gui` is what `annotator` with no subcommand runs; `self_test` is `annotator --self-test`.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from annotator import APP_NAME, ORG_NAME

if TYPE_CHECKING:  # Qt and the services stay off the CLI's start-up path: each function imports its own
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication, QWidget

    from annotator.errors import AnnotatorError, NoDisplayError
    from annotator.gui.main_window import MainWindow
    from annotator.services.workspace import Workspace

ENV_SETTINGS = "ANNOTATOR_SETTINGS"  # an .ini file instead of the platform's settings store (tests, demos)


def _ensure_display() -> None:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


SWITCH_INTERVAL_S = 0.0005


def application() -> QApplication:
    """The QApplication, created once, named so that QSettings and the user folders agree."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # the window's process never makes a bare QCoreApplication
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("annotator")  # matches packaging/annotator.desktop (window class, Wayland app id)
    app.setWindowIcon(_icon())
    # The worker (suggestion sources: spaCy on a long article, seconds of CPU) and the window share the GIL; by
    # default a waiting thread gets it after 5 ms, several times per key press or paint. A 1 MB article's first
    # open while its rules ran: 2.2 s -> 0.56 s, key press p95 24 -> 12 ms (bench/gui_bench.py).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return app


def _icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from annotator.resources import resource

    icon = QIcon()
    for path in sorted(resource("icons").glob("annotator-*.png")):  # PNGs: no SVG plugin needed
        icon.addFile(str(path))
    return icon


def settings(path: str | os.PathLike[str] | None = None) -> QSettings:
    from PySide6.QtCore import QSettings

    path = path or os.environ.get(ENV_SETTINGS)
    if path:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings()


# -- errors ---------------------------------------------------------------------------------------
def log_file() -> Path:
    from annotator.services.workspace import log_dir

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "annotator.log"


def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """AnnotatorError: its one line in a dialog. Anything else: the traceback to the log, a plain dialog."""
    from annotator.errors import AnnotatorError
    from annotator.gui import messages

    visible = _dialogs_can_be_seen()
    parent = _active_window() if visible else None
    if isinstance(error, AnnotatorError):
        if visible:
            messages.show_error(parent, error)
        else:
            print(f"annotator: {error}", file=sys.stderr, flush=True)
        return
    from annotator.storage.urls import mask_secrets

    try:
        where = log_file()
        with where.open("a", encoding="utf-8") as f:
            f.write(mask_secrets("".join(traceback.format_exception(kind, error, tb))))
            f.write("\n")
    except OSError:
        where = Path("(the log could not be written)")
    print(f"annotator: unexpected {kind.__name__}; details in {where}", file=sys.stderr, flush=True)
    if visible:  # a dialog nobody can see would wait forever
        messages.show_unexpected(parent, str(where))


def _dialogs_can_be_seen() -> bool:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    return isinstance(app, QGuiApplication) and not _headless(app)


def _active_window() -> QWidget | None:
    from PySide6.QtWidgets import QApplication

    return QApplication.activeWindow()


def install_excepthook() -> None:
    sys.excepthook = excepthook


# -- building the window ----------------------------------------------------------------------------
def ask_annotator_name(store: QSettings, default: str) -> str:
    """Asked once, on the first run; remembered in the settings."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    name, ok = QInputDialog.getText(None, APP_NAME, "Your name as an annotator (your spans are kept under it):",
                                    QLineEdit.EchoMode.Normal, default)
    name = name.strip() if ok else ""
    name = name or default
    store.setValue("annotator", name)
    return name


def import_samples_if_empty(ws: Workspace, project: str, annotator: str) -> int:
    """A new project starts with the sample articles, so that the window is never empty on first run."""
    from annotator.resources import sample_articles
    from annotator.services.workspace import count_documents, ensure_project

    if count_documents(ws, ensure_project(ws, project).id) > 0:
        return 0
    from annotator.services.importing import import_paths  # every format's reader: only on the first run

    samples = sample_articles()
    if not samples:
        return 0
    summary = import_paths(ws, samples, project=project, annotator=annotator, fmt="txt")
    return summary.total("documents_added")


def open_main_window(ws: Workspace, *, project: str, annotator: str, store: QSettings,
                     document_id: int | None = None) -> MainWindow:
    """The real window on an open workspace, shown on its last (or first) document."""
    from annotator.gui.main_window import MainWindow

    window = MainWindow(ws, project=project, annotator=annotator, settings=store)
    window.start(document_id)
    return window


def settle_memory() -> None:
    """Everything alive after start-up (Qt wrappers, spaCy, SQLAlchemy) lives as long as the app: keeping it
    out of the collector's full passes removed a 100 ms pause when opening a long document (bench/gui_bench.py)."""
    gc.collect()
    gc.freeze()


def _settle_memory_once_painted(window: QWidget, collecting: bool) -> None:
    """The collector's pass (~50-100 ms) waits until the window has been painted: it is not what the user waits
    for at start-up. Then the automatic collector runs again, if it ran before `run_gui`."""
    from PySide6.QtCore import QTimer

    def settle() -> None:
        window.repaint()
        settle_memory()
        if collecting:
            gc.enable()

    QTimer.singleShot(0, settle)


ENV_EXIT_WHEN_SHOWN = "ANNOTATOR_EXIT_WHEN_SHOWN"


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss may carry the
    parent's peak across fork and exec, so it is only the fallback."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report_shown_and_quit(app: QApplication, window: QWidget) -> None:
    from PySide6.QtCore import QTimer

    def done() -> None:
        window.repaint()  # the first paint has happened once this returns
        print(f"shown peak_rss_mb={peak_rss_mb():.1f}", flush=True)
        app.quit()

    QTimer.singleShot(0, done)


def run_gui(db: str | None = None, annotator: str | None = None, project: str | None = None) -> int:
    # What start-up makes (modules, classes, Qt wrappers) lives as long as the app, so the automatic collector's
    # passes over it before the first paint find nothing to free: ~35 ms of the start. It is off until the window
    # has been painted; settle_memory() then collects once.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_gui(db, annotator, project, collecting)
    finally:
        if collecting:
            gc.enable()


def _run_gui(db: str | None, annotator: str | None, project: str | None, collecting: bool) -> int:
    from annotator.errors import AnnotatorError
    from annotator.services.workspace import DEFAULT_PROJECT, default_annotator, open_workspace

    missing = missing_display()
    app: QApplication | None = None
    if missing is None:
        requested = _prefer_a_fallback_platform()
        app = application()
        if _headless(app) and not requested:
            missing = _plugin_failed(app)
    try:
        ws = open_workspace(db)
    except AnnotatorError as e:
        return start_up_failed(e, app if missing is None else None)
    if missing is not None:
        ws.close()
        return start_up_failed(missing, None)
    assert app is not None
    install_excepthook()
    store = settings()
    try:
        from annotator.services.team import connected_role

        name = (annotator or connected_role(ws) or str(store.value("annotator", "") or "")
                or ask_annotator_name(store, default_annotator()))
        if annotator:
            store.setValue("annotator", annotator)
        project_name = project or str(store.value("project", "") or "") or DEFAULT_PROJECT
        store.setValue("project", project_name)
        import_samples_if_empty(ws, project_name, name)
        window = open_main_window(ws, project=project_name, annotator=name, store=store)
        window.show()
        if os.environ.get(ENV_EXIT_WHEN_SHOWN):  # bench/: start-up time and memory, measured from outside
            _report_shown_and_quit(app, window)
        _settle_memory_once_painted(window, collecting)
        return int(app.exec())
    except AnnotatorError as e:
        return start_up_failed(e, app)
    finally:
        store.sync()
        ws.close()


# -- no display: say so and exit instead of waiting in a window nobody can see ----------------------
HEADLESS_PLATFORMS = ("offscreen", "minimal")


def missing_display() -> NoDisplayError | None:
    """A NoDisplayError when Linux has no display to open a window on and no Qt platform was asked for."""
    from annotator.errors import NoDisplayError

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return NoDisplayError("there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set)",
                          hint="start it in a desktop session, or use the commands: annotator import, export, stats")


def _prefer_a_fallback_platform() -> bool:
    """True when the user chose a Qt platform. Otherwise Qt is given offscreen as its last choice, because a
    platform plugin that cannot start (no X server behind DISPLAY, missing system libraries) makes Qt abort the
    process; falling back lets the program say what happened and exit 2."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        preferred = "wayland;xcb" if os.environ.get("WAYLAND_DISPLAY") else "xcb"
        os.environ["QT_QPA_PLATFORM"] = f"{preferred};offscreen"
    return False


def _headless(app: QGuiApplication) -> bool:
    return str(app.platformName()) in HEADLESS_PLATFORMS


def _plugin_failed(app: QGuiApplication) -> NoDisplayError:
    from annotator.errors import NoDisplayError

    return NoDisplayError(f"the window cannot open on this display: Qt fell back to its {app.platformName()} "
                          "platform (Qt's message above says why)",
                          hint="on Linux install Qt's system libraries, e.g. libxcb-cursor0 libxkbcommon-x11-0 "
                               "libegl1, and check DISPLAY")


def start_up_failed(error: AnnotatorError, app: QGuiApplication | None) -> int:
    """A start-up error: its coded line on stderr always, and a dialog only where someone can see one."""
    print(f"annotator: {error}", file=sys.stderr, flush=True)
    if app is not None and not _headless(app):
        from annotator.gui import messages

        messages.show_error(None, error)
    return 2


def main() -> int:
    """Entry point of the `annotator-gui` script: the same options as `annotator`."""
    from annotator.cli import main as cli_main

    return cli_main()


# -- the built-in end-to-end check ------------------------------------------------------------------
def self_test() -> int:
    """Temporary database, one sample, the real window, a span tagged by key, a spaCy export read back."""
    _ensure_display()
    checks: list[str] = []
    try:
        _self_test(checks)
    except Exception as e:  # report, whatever it was: this is a diagnostic
        for line in checks:
            print(f"ok    {line}")
        print(f"FAIL  {type(e).__name__}: {e}")
        return 1
    for line in checks:
        print(f"ok    {line}")
    print("self-test passed")
    return 0


def _self_test(checks: list[str]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.nlp.docbin import read_docbin
    from annotator.resources import sample_articles
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    app = application()
    checks.append(f"Qt platform {app.platformName()}")
    with tempfile.TemporaryDirectory(prefix="annotator-self-test-") as tmp:
        root = Path(tmp)
        ws = open_workspace(root / "self-test.db")
        try:
            samples = sample_articles()
            if not samples:
                raise RuntimeError("no sample articles found in resources/samples")
            summary = import_paths(ws, samples[:1], project="self-test", annotator="self-test", fmt="txt")
            if summary.errors or summary.total("documents_added") != 1:
                raise RuntimeError("; ".join(summary.lines()))
            checks.append(f"imported {samples[0].name}")
            window = open_main_window(ws, project="self-test", annotator="self-test",
                                      store=settings(root / "settings.ini"))
            window.show()
            doc = window.session.document
            if doc is None:
                raise RuntimeError("the window opened no document")
            word = next(w for w in doc.text.split() if w.isalpha() and len(w) > 3)
            start = doc.text.index(word)
            window.article.select_range(start + 1, start + 1)
            window.article.setFocus()
            window.activateWindow()
            QTest.qWaitForWindowActive(window)
            QTest.keyClick(window.article, Qt.Key.Key_2)  # through the real shortcut handling
            app.processEvents()
            spans = window.annotations.spans(doc.id)
            if [(s.start, s.end, s.label) for s in spans] != [(start, start + len(word), "LOCATION")]:
                raise RuntimeError(f"key 2 on {word!r} stored {spans}")
            checks.append(f"key 2 tagged {word!r} as LOCATION and it is in the database")
            out = root / "export"
            export(ws, fmt="spacy", out=out, project="self-test", annotator="self-test")
            found = [r for part in ("train", "dev") for r in read_docbin(out / f"{part}.spacy")]
            spans_back = {(s.start, s.end, s.label) for r in found for s in r.spans}
            if (start, start + len(word), "LOCATION") not in spans_back:
                raise RuntimeError(f"the exported DocBin holds {spans_back}, not the tagged span")
            checks.append("exported to spaCy DocBin and read the span back")
            window.close()
            checks.append("closed the window")
        finally:
            ws.close()

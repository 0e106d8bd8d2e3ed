"""What every script that renders docs/screenshots/ does the same way: a throw-away database holding the sample
articles, spans written by phrase, the real main window opened offscreen, shown and active, and a picture taken
once the window has drawn.

Imported by docs/render_*_screenshots.py, which put the source tree (and docs/) on the path first.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PROJECT = "news"
WAIT_SECONDS = 60.0  # for the window to become active, or its worker to finish


@dataclass
class Shots:
    """A throw-away database with the sample articles imported, and the window settings beside it."""

    app: Any  # the QApplication
    ws: Any  # the Workspace
    store: Any  # QSettings in the temporary folder: a rendering never touches the user's settings

    def annotations(self, annotator: str) -> Any:
        from annotator.services.annotation import Annotations
        from annotator.services.workspace import ensure_project

        return Annotations(self.ws, ensure_project(self.ws, PROJECT).id, annotator)

    def window(self, annotator: str, document_id: int, size: tuple[int, int]) -> Any:
        """The real main window on `document_id`, shown and active (shortcuts need an active window)."""
        from annotator.app import open_main_window

        window = open_main_window(self.ws, project=PROJECT, annotator=annotator, store=self.store,
                                  document_id=document_id)
        window.resize(*size)
        window.show()
        window.activateWindow()
        deadline = time.monotonic() + WAIT_SECONDS
        while not window.isActiveWindow() and time.monotonic() < deadline:
            self.app.processEvents()
        return window

    def idle(self, window: Any) -> None:
        """Until the window's worker has nothing left (suggestions, the claims table)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while window.runner.busy and time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.01)

    def save(self, widget: Any, path: Path) -> None:
        """`widget` drawn to `path` once the events of the last keys are handled."""
        for _ in range(5):
            self.app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(path))


@contextmanager
def sample_project(importer: str) -> Iterator[Shots]:
    """The sample articles imported by `importer` into a new database in a temporary folder, removed after."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from annotator.app import application
    from annotator.resources import sample_articles
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    app = application()
    with tempfile.TemporaryDirectory(prefix="annotator-shots-") as tmp:
        ws = open_workspace(Path(tmp) / "shots.db")
        try:
            import_paths(ws, sample_articles(), project=PROJECT, annotator=importer, fmt="txt")
            yield Shots(app, ws, QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        finally:
            ws.close()


def power_grid(annotations: Any) -> tuple[int, str]:
    """The power-grid sample article (the one the pictures show): its id and text."""
    items = annotations.list_documents()
    target = next(i.id for i in items if "power-grid" in i.title or i.title.startswith("Night strikes"))
    return target, annotations.document(target).text


def tag(annotations: Any, document_id: int, text: str, spans: Iterable[tuple[str, str]]) -> None:
    """(label, phrase) spans on the first place each phrase is found, through the annotation service."""
    for label, phrase in spans:
        start = text.index(phrase)
        annotations.add_span(document_id, label, start, start + len(phrase))

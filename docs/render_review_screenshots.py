"""Render docs/screenshots/review-mode.png and docs/screenshots/dashboard.png on a throw-away database.

    QT_QPA_PLATFORM=offscreen python docs/render_review_screenshots.py

Two scripted annotators tag the power-grid sample as people do: ana as in docs/render_screenshots.py, ben with
shifted boundaries, a missed place and an extra source. The lead opens review mode, accepts what both made
(Shift+Enter), rejects one span and goes to the next open one.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from render_screenshots import SPANS  # noqa: E402  (the docs folder is on the path only now)

REVIEW_OUT = ROOT / "docs" / "screenshots" / "review-mode.png"
DASHBOARD_OUT = ROOT / "docs" / "screenshots" / "dashboard.png"
# ben: his spans where they differ from ana's (phrase ana marked -> phrase ben marked; None: he missed it)
BEN_DIFFERS = {"Around 400,000 households": "400,000 households", "Hrebenka": None,
               "the state grid operator": "the state grid operator said", "14 of the drones": None}
BEN_EXTRA = [("SOURCE", "Enerlink")]


def main() -> int:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from annotator.app import application, open_main_window
    from annotator.gui.dashboard import dashboard_png
    from annotator.resources import sample_articles
    from annotator.services.annotation import Annotations
    from annotator.services.dashboard import dashboard
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project, open_workspace

    app = application()
    with tempfile.TemporaryDirectory(prefix="annotator-review-shots-") as tmp:
        ws = open_workspace(Path(tmp) / "shots.db")
        try:
            import_paths(ws, sample_articles(), project="news", annotator="lead", fmt="txt")
            project = ensure_project(ws, "news")
            ana, ben = Annotations(ws, project.id, "ana"), Annotations(ws, project.id, "ben")
            items = ana.list_documents()
            target = next(i.id for i in items if "power-grid" in i.title or i.title.startswith("Night strikes"))
            text = ana.document(target).text
            for label, phrase, _nth in SPANS:
                start = text.index(phrase)
                ana.add_span(target, label, start, start + len(phrase))
                theirs = BEN_DIFFERS.get(phrase, phrase)
                if theirs is not None:
                    start = text.index(theirs)
                    ben.add_span(target, label, start, start + len(theirs))
            for label, phrase in BEN_EXTRA:
                start = text.index(phrase)
                ben.add_span(target, label, start, start + len(phrase))
            _finish(ws, [ana, ben], [i.id for i in items])
            store = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = open_main_window(ws, project="news", annotator="lead", store=store, document_id=target)
            window.resize(1400, 820)
            window.show()
            window.activateWindow()
            deadline = time.monotonic() + 10
            while not window.isActiveWindow() and time.monotonic() < deadline:  # shortcuts need an active window
                app.processEvents()
            article = window.article
            article.select_range(0, 0)
            for key, modifier in ((Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier),
                                  (Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier),
                                  (Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier),
                                  (Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier)):
                QTest.keyClick(article, key, modifier)
                app.processEvents()
            start = text.index("Around 400,000")
            article.select_range(start, start + len("Around 400,000 households"), centre=False)
            article.verticalScrollBar().setValue(0)
            window.review_mode.go(forward=False)
            window.review_mode.go(forward=True)
            for _ in range(5):
                app.processEvents()
            REVIEW_OUT.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(REVIEW_OUT))
            window.close()
            dashboard_png(DASHBOARD_OUT, dashboard(ws, "news"))
        finally:
            ws.close()
    print(f"wrote {REVIEW_OUT} and {DASHBOARD_OUT}")
    return 0


def _finish(ws: object, people: list, documents: list[int]) -> None:
    """Each person marks the sample articles done over the last days, with the minutes they took."""
    from sqlalchemy import update

    from annotator.domain.documents import Status
    from annotator.storage.models import DocumentStatusRow

    rng = random.Random(7)
    now = datetime.now(UTC)
    for person in people:
        for document_id in documents:
            person.set_status(document_id, Status.DONE, seconds=rng.uniform(150, 720))
        with person.ws.unit() as repo:
            for document_id in documents:
                when = now - timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 5))
                repo.s.execute(update(DocumentStatusRow).where(
                    DocumentStatusRow.document_id == document_id,
                    DocumentStatusRow.annotator_id == person.annotator_id).values(updated_at=when))


if __name__ == "__main__":
    raise SystemExit(main())

"""Render docs/screenshots/review-mode.png and docs/screenshots/dashboard.png on a throw-away database.

    QT_QPA_PLATFORM=offscreen python docs/render_review_screenshots.py

Two scripted annotators tag the power-grid sample as people do: ana as in docs/render_screenshots.py, ben with
shifted boundaries, a missed place and an extra source. The lead opens review mode, accepts what both made
(Shift+Enter), rejects one span and goes to the next open one.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "docs")]

# the docs folder is on the path only now
from render_screenshots import SPANS  # noqa: E402
from screenshot_kit import SCREENSHOTS, power_grid, sample_project, tag  # noqa: E402

REVIEW_OUT = SCREENSHOTS / "review-mode.png"
DASHBOARD_OUT = SCREENSHOTS / "dashboard.png"
# ben: his spans where they differ from ana's (phrase ana marked -> phrase ben marked; None: he missed it)
BEN_DIFFERS = {"Around 400,000 households": "400,000 households", "Hrebenka": None,
               "the state grid operator": "the state grid operator said", "14 of the drones": None}
BEN_EXTRA = [("SOURCE", "Enerlink")]


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.gui.dashboard import dashboard_png
    from annotator.services.dashboard import dashboard

    with sample_project("lead") as shots:
        ana, ben = shots.annotations("ana"), shots.annotations("ben")
        target, text = power_grid(ana)
        tag(ana, target, text, SPANS)
        theirs = [(label, BEN_DIFFERS.get(phrase, phrase)) for label, phrase in SPANS]
        tag(ben, target, text, [(label, phrase) for label, phrase in theirs if phrase is not None] + BEN_EXTRA)
        _finish([ana, ben], [i.id for i in ana.list_documents()])
        window = shots.window("lead", target, (1400, 820))
        article = window.article
        article.select_range(0, 0)
        for key, modifier in ((Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier),
                              (Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier),
                              (Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier),
                              (Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier)):
            QTest.keyClick(article, key, modifier)
            shots.app.processEvents()
        start = text.index("Around 400,000")
        article.select_range(start, start + len("Around 400,000 households"), centre=False)
        article.verticalScrollBar().setValue(0)
        window.review_mode.go(forward=False)
        window.review_mode.go(forward=True)
        shots.save(window, REVIEW_OUT)
        window.close()
        dashboard_png(DASHBOARD_OUT, dashboard(shots.ws, "news"))
    print(f"wrote {REVIEW_OUT} and {DASHBOARD_OUT}")
    return 0


def _finish(people: list, documents: list[int]) -> None:
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

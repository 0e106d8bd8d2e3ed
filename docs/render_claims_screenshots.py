"""Render docs/screenshots/linked-claims.png, link-mode.png and claims-table.png: the real window, offscreen, on a throw-away
database, with claims linked by the keys an annotator presses (R, a digit; Enter on proposed links).

    QT_QPA_PLATFORM=offscreen python docs/render_claims_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LINKED_OUT = ROOT / "docs" / "screenshots" / "linked-claims.png"
MODE_OUT = ROOT / "docs" / "screenshots" / "link-mode.png"
TABLE_OUT = ROOT / "docs" / "screenshots" / "claims-table.png"
ENTITIES = [("FIGURE", "Around 400,000 households"), ("LOCATION", "the Dorvan region"), ("FIGURE", "two substations"),
            ("SOURCE", "the state grid operator"), ("SOURCE", "Regional governor Olena Marchuk"),
            ("FIGURE", "17 drones"), ("FIGURE", "three missiles"), ("FIGURE", "14 of the drones"),
            ("LOCATION", "Hrebenka"), ("LOCATION", "Pilsk"), ("SOURCE", "Pavlo Sydor"),
            ("FIGURE", "more than 200 tonnes")]
# Claims tagged in the window: their links are proposed and taken with Enter.
CLAIMS = ["Around 400,000 households in the Dorvan region were without electricity on Sunday morning after "
          "overnight strikes hit two substations",
          "17 drones and three missiles had been launched at the region, and that air defence units shot down 14 of "
          "the drones over the towns of Hrebenka and Pilsk",
          "the damaged transformer weighs more than 200 tonnes"]


def main() -> int:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from annotator.app import application, open_main_window
    from annotator.resources import sample_articles
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project, open_workspace

    app = application()
    with tempfile.TemporaryDirectory(prefix="annotator-shots-") as tmp:
        ws = open_workspace(Path(tmp) / "shots.db")
        try:
            import_paths(ws, sample_articles(), project="news", annotator="olena", fmt="txt")
            annotations = Annotations(ws, ensure_project(ws, "news").id, "olena")
            target = next(i.id for i in annotations.list_documents() if i.title.startswith("Night strikes"))
            text = annotations.document(target).text
            for label, phrase in ENTITIES:
                start = text.index(phrase)
                annotations.add_span(target, label, start, start + len(phrase))
            store = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = open_main_window(ws, project="news", annotator="olena", store=store, document_id=target)
            window.resize(1600, 820)
            window.show()
            from PySide6.QtWidgets import QDockWidget

            spans_dock = window.findChild(QDockWidget, "dock_span_panel")
            window.resizeDocks([spans_dock], [560], Qt.Orientation.Horizontal)  # room for the Links column
            app.processEvents()
            article = window.article
            for claim in CLAIMS:
                start = text.index(claim)
                article.select_range(start, start + len(claim))
                QTest.keyClick(article, Qt.Key.Key_4)  # CLAIM: its links are proposed
                QTest.keyClick(article, Qt.Key.Key_Return)  # and taken
            start = text.index(CLAIMS[1]) + 4  # the caret in the second claim: its six links drawn
            article.select_range(start, start, centre=False)
            article.verticalScrollBar().setValue(0)
            for _ in range(5):
                app.processEvents()
            LINKED_OUT.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(LINKED_OUT))
            start = text.index(CLAIMS[2]) + 4
            article.select_range(start, start, centre=False)
            QTest.keyClick(article, Qt.Key.Key_R)  # link mode on the third claim: its candidates numbered
            QTest.keyClick(article, Qt.Key.Key_Tab)
            article.verticalScrollBar().setValue(0)
            for _ in range(5):
                app.processEvents()
            window.article.grab().save(str(MODE_OUT))
            QTest.keyClick(article, Qt.Key.Key_Escape)
            QTest.keyClick(article, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
            from annotator.gui.dialogs.claims_table import ClaimsDialog

            dialog = window.findChild(ClaimsDialog)
            for _ in range(5):
                app.processEvents()
            dialog.grab().save(str(TABLE_OUT))
            window.close()
        finally:
            ws.close()
    print(f"wrote {LINKED_OUT}, {MODE_OUT} and {TABLE_OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Render docs/screenshots/linked-claims.png, link-mode.png and claims-table.png: the real window, offscreen, on a throw-away
database, with claims linked by the keys an annotator presses (R, a digit; Enter on proposed links).

    QT_QPA_PLATFORM=offscreen python docs/render_claims_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "docs")]

from screenshot_kit import SCREENSHOTS, power_grid, sample_project, tag  # noqa: E402

LINKED_OUT = SCREENSHOTS / "linked-claims.png"
MODE_OUT = SCREENSHOTS / "link-mode.png"
TABLE_OUT = SCREENSHOTS / "claims-table.png"
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
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDockWidget

    from annotator.gui.dialogs.claims_table import ClaimsDialog

    with sample_project("olena") as shots:
        annotations = shots.annotations("olena")
        target, text = power_grid(annotations)
        tag(annotations, target, text, ENTITIES)
        window = shots.window("olena", target, (1600, 820))
        spans_dock = window.findChild(QDockWidget, "dock_span_panel")
        window.resizeDocks([spans_dock], [560], Qt.Orientation.Horizontal)  # room for the Links column
        shots.app.processEvents()
        article = window.article
        for claim in CLAIMS:
            start = text.index(claim)
            article.select_range(start, start + len(claim))
            QTest.keyClick(article, Qt.Key.Key_4)  # CLAIM: its links are proposed
            QTest.keyClick(article, Qt.Key.Key_Return)  # and taken
        start = text.index(CLAIMS[1]) + 4  # the caret in the second claim: its six links drawn
        article.select_range(start, start, centre=False)
        article.verticalScrollBar().setValue(0)
        shots.save(window, LINKED_OUT)
        start = text.index(CLAIMS[2]) + 4
        article.select_range(start, start, centre=False)
        QTest.keyClick(article, Qt.Key.Key_R)  # link mode on the third claim: its candidates numbered
        QTest.keyClick(article, Qt.Key.Key_Tab)
        article.verticalScrollBar().setValue(0)
        shots.save(article, MODE_OUT)
        QTest.keyClick(article, Qt.Key.Key_Escape)
        QTest.keyClick(article, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        shots.idle(window)  # the worker reads the claims
        shots.save(window.findChild(ClaimsDialog), TABLE_OUT)
        window.close()
    print(f"wrote {LINKED_OUT}, {MODE_OUT} and {TABLE_OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

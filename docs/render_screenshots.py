"""Render docs/screenshots/main-window.png, layers.png and suggestions.png: the real window, offscreen, on a
throw-away database.

    QT_QPA_PLATFORM=offscreen python docs/render_screenshots.py

The article has nested spans (a CLAIM holding FIGURE, LOCATION and SOURCE spans) so that the picture
shows how nesting is drawn. layers.png adds two read-only layers: another annotator's (ben) and a model's.
suggestions.png: the rules' suggestions on another article, two of them accepted with Enter and one rejected with X.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "docs")]

from screenshot_kit import SCREENSHOTS, Shots, power_grid, sample_project, tag  # noqa: E402

OUT = SCREENSHOTS / "main-window.png"
LAYERS_OUT = SCREENSHOTS / "layers.png"
SUGGESTIONS_OUT = SCREENSHOTS / "suggestions.png"
# (label, phrase); CLAIMs hold the entities that follow them.
SPANS = [
    ("CLAIM", "Around 400,000 households in the Dorvan region were without electricity on Sunday morning after "
              "overnight strikes hit two substations, the state grid operator said"),
    ("FIGURE", "Around 400,000 households"),
    ("LOCATION", "the Dorvan region"),
    ("FIGURE", "two substations"),
    ("SOURCE", "the state grid operator"),
    ("SOURCE", "Regional governor Olena Marchuk"),
    ("CLAIM", "17 drones and three missiles had been launched at the region"),
    ("FIGURE", "17 drones"),
    ("FIGURE", "three missiles"),
    ("FIGURE", "14 of the drones"),
    ("LOCATION", "Hrebenka"),
    ("LOCATION", "Pilsk"),
    ("SOURCE", "Pavlo Sydor"),
    ("CLAIM", "the damaged transformer weighs more than 200 tonnes"),
    ("FIGURE", "more than 200 tonnes"),
]
# Another annotator's layer (agreeing in part) and a model's suggestions, for layers.png.
BEN = [("FIGURE", "Around 400,000 households"), ("LOCATION", "Dorvan region"), ("SOURCE", "the state grid operator"),
       ("SOURCE", "Regional governor Olena Marchuk"), ("FIGURE", "17 drones"), ("LOCATION", "Pilsk")]
RULES = [("FIGURE", "three missiles"), ("FIGURE", "14 of the drones"), ("LOCATION", "Hrebenka"),
         ("SOURCE", "Enerlink"), ("CLAIM", "the damaged transformer weighs more than 200 tonnes")]


def main() -> int:
    from annotator.domain.documents import Status

    with sample_project("olena") as shots:
        annotations = shots.annotations("olena")
        target, text = power_grid(annotations)
        tag(annotations, target, text, SPANS)
        first = annotations.list_documents()[0].id
        annotations.set_status(first, Status.DONE, seconds=240)
        annotations.add_span(first, "FIGURE", 0, len("Thousands"))
        window = shots.window("olena", target, (1400, 900))
        start = text.index("17 drones")
        window.article.select_range(start, start + len("17 drones"))
        shots.save(window, OUT)
        window.close()
        add_layers(annotations, target, text)
        window = shots.window("olena", target, (1400, 760))
        start = text.index("Around 400,000") + 3
        window.article.select_range(start, start, centre=False)
        shots.save(window, LAYERS_OUT)
        window.close()
        render_suggestions(shots, first)
    print(f"wrote {OUT}, {LAYERS_OUT} and {SUGGESTIONS_OUT}")
    return 0


def add_layers(annotations: object, document_id: int, text: str) -> None:
    """ben's spans through the service, as his own window would write them; the model's through the repository."""
    from annotator.domain.layers import Owner
    from annotator.services.annotation import Annotations

    assert isinstance(annotations, Annotations)
    tag(Annotations(annotations.ws, annotations.project_id, "ben"), document_id, text, BEN)
    with annotations.ws.unit() as repo:
        rules = repo.owners.owner_id(Owner.model("rules"))
        for label, phrase in RULES:
            start = text.index(phrase)
            repo.spans.add(annotations.project_id, document_id, rules, label, start, start + len(phrase))


def render_suggestions(shots: Shots, document_id: int) -> None:
    """The rules' suggestions on the first article, as `annotator suggest` leaves them; decided by keys."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.services.suggesting import fill_layer

    fill_layer(shots.ws, "news", "rules")
    window = shots.window("ana", document_id, (1400, 900))
    shots.idle(window)  # the worker brings the suggestions
    window.article.select_range(0, 0)
    for key in (Qt.Key.Key_N, Qt.Key.Key_Return, Qt.Key.Key_Return, Qt.Key.Key_X):
        QTest.keyClick(window.article, key)
    shots.save(window, SUGGESTIONS_OUT)
    window.close()


if __name__ == "__main__":
    raise SystemExit(main())

"""Render docs/screenshots/main-window.png, layers.png and suggestions.png: the real window, offscreen, on a
throw-away database.

    QT_QPA_PLATFORM=offscreen python docs/render_screenshots.py

The article has nested spans (a CLAIM holding FIGURE, LOCATION and SOURCE spans) so that the picture
shows how nesting is drawn. layers.png adds two read-only layers: another annotator's (ben) and a model's.
suggestions.png: the rules' suggestions on another article, two of them accepted with Enter and one rejected with X.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = ROOT / "docs" / "screenshots" / "main-window.png"
LAYERS_OUT = ROOT / "docs" / "screenshots" / "layers.png"
SUGGESTIONS_OUT = ROOT / "docs" / "screenshots" / "suggestions.png"
ARTICLE = "03-power-grid-attack.txt"
# (label, phrase, which occurrence); CLAIMs hold the entities that follow them.
SPANS = [
    ("CLAIM", "Around 400,000 households in the Dorvan region were without electricity on Sunday morning after "
              "overnight strikes hit two substations, the state grid operator said", 0),
    ("FIGURE", "Around 400,000 households", 0),
    ("LOCATION", "the Dorvan region", 0),
    ("FIGURE", "two substations", 0),
    ("SOURCE", "the state grid operator", 0),
    ("SOURCE", "Regional governor Olena Marchuk", 0),
    ("CLAIM", "17 drones and three missiles had been launched at the region", 0),
    ("FIGURE", "17 drones", 0),
    ("FIGURE", "three missiles", 0),
    ("FIGURE", "14 of the drones", 0),
    ("LOCATION", "Hrebenka", 0),
    ("LOCATION", "Pilsk", 0),
    ("SOURCE", "Pavlo Sydor", 0),
    ("CLAIM", "the damaged transformer weighs more than 200 tonnes", 0),
    ("FIGURE", "more than 200 tonnes", 0),
]
# Another annotator's layer (agreeing in part) and a model's suggestions, for layers.png.
BEN = [("FIGURE", "Around 400,000 households"), ("LOCATION", "Dorvan region"), ("SOURCE", "the state grid operator"),
       ("SOURCE", "Regional governor Olena Marchuk"), ("FIGURE", "17 drones"), ("LOCATION", "Pilsk")]
RULES = [("FIGURE", "three missiles"), ("FIGURE", "14 of the drones"), ("LOCATION", "Hrebenka"),
         ("SOURCE", "Enerlink"), ("CLAIM", "the damaged transformer weighs more than 200 tonnes")]


def main() -> int:
    from PySide6.QtCore import QSettings

    from annotator.app import application, open_main_window
    from annotator.domain.documents import Status
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
            items = annotations.list_documents()
            target = next(i.id for i in items if "power-grid" in i.title or i.title.startswith("Night strikes"))
            text = annotations.document(target).text
            for label, phrase, _nth in SPANS:
                start = text.index(phrase)
                annotations.add_span(target, label, start, start + len(phrase))
            annotations.set_status(items[0].id, Status.DONE, seconds=240)
            annotations.add_span(items[0].id, "FIGURE", 0, len("Thousands"))
            store = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = open_main_window(ws, project="news", annotator="olena", store=store, document_id=target)
            window.resize(1400, 900)
            window.show()
            start = text.index("17 drones")
            window.article.select_range(start, start + len("17 drones"))
            for _ in range(5):
                app.processEvents()
            OUT.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT))
            window.close()
            add_layers(ws, annotations, target, text)
            window = open_main_window(ws, project="news", annotator="olena", store=store, document_id=target)
            window.resize(1400, 760)
            window.show()
            start = text.index("Around 400,000") + 3
            window.article.select_range(start, start, centre=False)
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(LAYERS_OUT))
            window.close()
            render_suggestions(app, ws, store, items[0].id)
        finally:
            ws.close()
    print(f"wrote {OUT}, {LAYERS_OUT} and {SUGGESTIONS_OUT}")
    return 0


def add_layers(ws: object, annotations: object, document_id: int, text: str) -> None:
    """ben's spans through the service, as his own window would write them; the model's through the repository."""
    from annotator.domain.layers import Owner
    from annotator.services.annotation import Annotations

    assert isinstance(annotations, Annotations)
    ben = Annotations(annotations.ws, annotations.project_id, "ben")
    for label, phrase in BEN:
        start = text.index(phrase)
        ben.add_span(document_id, label, start, start + len(phrase))
    with annotations.ws.unit() as repo:
        rules = repo.owners.owner_id(Owner.model("rules"))
        for label, phrase in RULES:
            start = text.index(phrase)
            repo.spans.add(annotations.project_id, document_id, rules, label, start, start + len(phrase))


def render_suggestions(app: object, ws: object, store: object, document_id: int) -> None:
    """The rules' suggestions on the first article, as `annotator suggest` leaves them; decided by keys."""
    import time

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.app import open_main_window
    from annotator.services.suggesting import fill_layer
    from annotator.services.workspace import Workspace

    assert isinstance(ws, Workspace)
    fill_layer(ws, "news", "rules")
    window = open_main_window(ws, project="news", annotator="ana", store=store, document_id=document_id)
    window.resize(1400, 900)
    window.show()
    deadline = time.monotonic() + 60
    while window.runner.busy and time.monotonic() < deadline:  # the worker brings the suggestions
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)
    window.article.select_range(0, 0)
    for key in (Qt.Key.Key_N, Qt.Key.Key_Return, Qt.Key.Key_Return, Qt.Key.Key_X):
        QTest.keyClick(window.article, key)
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]
    window.grab().save(str(SUGGESTIONS_OUT))
    window.close()


if __name__ == "__main__":
    raise SystemExit(main())

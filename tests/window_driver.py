"""The real window, offscreen, driven by a seeded run of key presses; tests/test_fault_trials.py kills it.

    python tests/window_driver.py SEED STEPS      (database from $ANNOTATOR_DB, settings from $ANNOTATOR_SETTINGS)

Before each step it prints `doing K WHAT`; once the step has returned, `busy K` if the window said the
database was busy, and `shown K {json}`: the document open, the spans the window draws for it and the documents
it has marked done. Then it waits in the event loop to be
killed (it quits by itself after LIFETIME_MS, so that no trial leaves a window behind).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time

LIFETIME_MS = 120_000
ANNOTATOR = "driver"


def main() -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from annotator.app import application, open_main_window, settings
    from annotator.domain.documents import Status
    from annotator.gui import messages
    from annotator.services.workspace import open_workspace

    seed, steps = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    app = application()
    QTimer.singleShot(LIFETIME_MS, app.quit)
    # A refusal (two spans of one label overlapping) would open a box nobody can close offscreen.
    messages.show_error = lambda _parent, error: print(f"refused {error}", flush=True)
    ws = open_workspace()
    window = open_main_window(ws, project="default", annotator=ANNOTATOR, store=settings())
    window.show()
    window.activateWindow()
    deadline = time.monotonic() + LIFETIME_MS / 1000
    while not window.isActiveWindow() and time.monotonic() < deadline:  # shortcuts need an active window
        app.processEvents()
    article = window.article
    ctrl, shift, alt = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                        Qt.KeyboardModifier.AltModifier)
    label_keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_S, Qt.Key.Key_C]
    done: list[int] = []
    print("ready", flush=True)
    for k in range(steps):
        doc = window.session.document
        assert doc is not None
        roll = rng.random()
        if roll < 0.65:
            words = [m.span() for m in re.finditer(r"\w+", doc.text)]
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randrange(3))
            what = f"tag [{words[first][0]}:{words[last][1]}]"
            print(f"doing {k} {what}", flush=True)
            article.select_range(words[first][0], words[last][1])
            QTest.keyClick(article, rng.choice(label_keys))
        elif roll < 0.78:
            print(f"doing {k} undo", flush=True)
            QTest.keyClick(article, Qt.Key.Key_Z, ctrl)
        elif roll < 0.9:
            print(f"doing {k} redo", flush=True)
            QTest.keyClick(article, Qt.Key.Key_Z, ctrl | shift)
        elif roll < 0.95:
            print(f"doing {k} next document", flush=True)
            QTest.keyClick(article, Qt.Key.Key_Right, alt)
        else:
            print(f"doing {k} done", flush=True)
            QTest.keyClick(article, Qt.Key.Key_Return, ctrl)
            if window.annotations.status(doc.id) == Status.DONE:  # as the document list now shows it
                done.append(doc.id)
        shown = {"doc": window.session.document_id, "done": done,
                 "spans": sorted([s.start, s.end, s.label] for s in window.session.spans)}
        if "[A071]" in window.statusBar().currentMessage():  # the database was busy: nothing of it was saved
            print(f"busy {k}", flush=True)
            window.statusBar().clearMessage()
        print(f"shown {k} {json.dumps(shown)}", flush=True)
        QTest.qWait(rng.randrange(15))  # a person's pace, more or less: the event loop runs between keys
    print("finished", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())

"""The document list model (lazy SQL pages) and the span table model, checked by Qt's model tester."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import ANNOTATOR, PROJECT, service, write_jsonl  # noqa: E402
from PySide6.QtCore import QModelIndex, Qt  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def many(gui_ws: Any, tmp_path: Path) -> Any:
    from annotator.services.importing import import_paths

    texts = [f"Article {n}: {'floods' if n % 3 == 0 else 'grain'} in the region, {n} people." for n in range(450)]
    summary = import_paths(gui_ws, [write_jsonl(tmp_path / "many.jsonl", texts)], project=PROJECT,
                           annotator=ANNOTATOR, fmt="prodigy")
    assert summary.total("documents_added") == 450
    return service(gui_ws)


def test_document_list_model_passes_the_model_tester(qtmodeltester: Any, many: Any) -> None:
    from annotator.gui.models import PAGE, DocumentListModel

    model = DocumentListModel(many)
    model.set_filter(None, "")
    assert model.rowCount() == PAGE  # one page, not the project
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    qtmodeltester.check(model)


def test_document_list_model_filters_and_refreshes(qtmodeltester: Any, many: Any) -> None:
    from annotator.domain.documents import Status
    from annotator.gui.models import ID_ROLE, DocumentListModel

    model = DocumentListModel(many)
    model.set_filter(None, "floods")
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 150
    qtmodeltester.check(model, force_py=True)  # it keeps watching the refresh below
    first = model.data(model.index(0, 0), ID_ROLE)
    many.set_status(first, Status.DONE)
    model.refresh_documents(frozenset({first}))
    assert model.data(model.index(0, 2), Qt.ItemDataRole.DisplayRole) == "done"
    done = DocumentListModel(many)  # Qt's tester cannot watch a reset followed by a fetch: a new model
    done.set_filter(Status.DONE, "")
    assert done.rowCount() == 1


def test_span_table_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    from annotator.domain.labels import Label, LabelSet
    from annotator.domain.span_index import SpanIndex
    from annotator.domain.spans import Span
    from annotator.gui.models import SpanTableModel

    text = "Regional governor Olena Marchuk said 17 drones were launched."
    labels = LabelSet((Label("SOURCE", "#f4a259"), Label("FIGURE", "#5b8fd9")))
    model = SpanTableModel()
    index = SpanIndex([Span(0, 31, "SOURCE", 1), Span(37, 46, "FIGURE", 2)])  # the session's, which it changes
    model.set_document(text, index, labels)
    qtmodeltester.check(model, force_py=True)  # and it watches the inserts, changes and removals below
    index.add(Span(18, 31, "FIGURE", 3))  # one new
    index.replace(Span(37, 46, "SOURCE", 2))  # one relabelled
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["SOURCE", "FIGURE", "SOURCE"]
    assert model.data(model.index(2, 1)) == "17 drones"
    index.remove(1)
    assert model.rowCount() == 2 and model.row_of(2) == 1
    index.reset([Span(5, 9, "FIGURE", 4)])
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["FIGURE"]


def test_document_list_panel_filters_by_status_and_debounced_text(qtbot: Any, gui_ws: Any, many: Any,
                                                                  open_window: Any) -> None:
    window = open_window(gui_ws)
    panel = window.document_list
    assert 200 <= panel.model.rowCount() < 450  # a page or two, never the project
    assert "450 shown" in panel.counts_label.text() and "450 left to do" in panel.counts_label.text()
    with qtbot.waitSignal(panel.model.modelReset, timeout=None):  # after the debounce and the search
        qtbot.keyClicks(panel.text_edit, "floods")
    assert panel.model.text_filter == "floods"
    assert "150 shown" in panel.counts_label.text()
    from annotator.domain.documents import Status

    with qtbot.waitSignal(panel.model.modelReset, timeout=None):  # words are searched in the background
        panel.status_combo.setCurrentIndex(panel.status_combo.findData(Status.DONE.value))
    assert panel.model.status_filter == Status.DONE
    assert panel.model.rowCount() == 0
    assert "0 shown" in panel.counts_label.text()
    with qtbot.waitSignal(panel.model.modelReset, timeout=None):
        panel.text_edit.clear()
    assert panel.model.text_filter == ""
    assert panel.model.rowCount() == 0 and "0 shown" in panel.counts_label.text()


def test_choosing_a_document_in_the_list_opens_it(qtbot: Any, gui_ws: Any, many: Any, open_window: Any) -> None:
    window = open_window(gui_ws)
    panel = window.document_list
    index = panel.model.index(5, 1)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=panel.table.visualRect(index).center())
    assert window.session.document is not None
    assert window.session.document.text.startswith("Article 5:")
    assert "document 6 of 450" in window.status.position_label.text()

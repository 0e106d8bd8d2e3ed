"""What opening a document costs the database and the window (issue 8, point 10): the document and its layers in
one transaction, in reading order as the index takes them; leaving one in one statement; figure readings read as
text and decoded when shown; no suggestion worker when every source is off. Run on SQLite and PostgreSQL where the
database is what is tested."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from db_fixtures import Counter, one_article
from gui_fixtures import ALT, EVACUATION, GRAIN, add_documents, ready

ARTICLE = ("More than 12,000 residents have left the river port of Velmora since Monday, the regional "
           "emergency service said on Wednesday, and 3,400 more were expected by Friday.\n")


def _at(phrase: str) -> tuple[int, int]:
    start = ARTICLE.index(phrase)
    return start, start + len(phrase)


def test_a_document_and_its_layers_are_one_transaction_in_reading_order(database: str, tmp_path: Path) -> None:
    from annotator.domain.layers import Owner
    from annotator.domain.span_index import SpanIndex, reading_order
    from annotator.services.annotation import Annotations

    ws, tester, doc = one_article(database, tmp_path, ARTICLE)
    # Made out of reading order: nested spans, two that start together, a later one first.
    for label, phrase in [("SOURCE", "Velmora"), ("CLAIM", "More than 12,000 residents have left"),
                          ("FIGURE", "More than 12,000"), ("SOURCE", "the regional emergency service"),
                          ("LOCATION", "river port of Velmora")]:
        tester.add_span(doc, label, *_at(phrase))
    ben = Annotations(ws, tester.project_id, "ben")
    ben.add_span(doc, "FIGURE", *_at("3,400"))
    ben.add_span(doc, "FIGURE", *_at("12,000"))
    with ws.unit() as repo:
        rules = repo.owners.owner_id(Owner.model("rules"))
        assert rules is not None
        for label, phrase in [("LOCATION", "Velmora"), ("FIGURE", "12,000 residents")]:
            repo.spans.add(tester.project_id, doc, rules, label, *_at(phrase))

    counter = Counter(ws.db.engine)
    with counter.counting():
        document, layers = tester.opened(doc)
    assert counter.transactions == ["BEGIN", "COMMIT"]
    assert len(counter.sent) <= 3, counter.sent  # the document with its language, the spans, their few owners
    assert document.text == ARTICLE and document.lang == "en"
    assert [(layer.owner, layer.editable) for layer in layers] == [
        (Owner.person("tester"), True), (Owner.person("ben"), False), (Owner.model("rules"), False)]
    assert {layer.owner: [ARTICLE[s.start:s.end] for s in spans] for layer, spans in layers.items()} == {
        Owner.person("tester"): ["More than 12,000 residents have left", "More than 12,000", "river port of Velmora",
                                 "Velmora", "the regional emergency service"],
        Owner.person("ben"): ["12,000", "3,400"],
        Owner.model("rules"): ["12,000 residents", "Velmora"],
    }
    for layer, spans in layers.items():
        assert all(s.annotator == layer.owner.name and s.id is not None for s in spans)
        assert spans == sorted(spans, key=reading_order)  # what lets the window's index take them as they come
        assert list(SpanIndex(spans, ordered=True)) == list(SpanIndex(reversed(spans)))
    assert layers == tester.layers(doc) and document == tester.document(doc)
    ws.close()


def test_leaving_a_document_adds_the_time_spent_in_one_statement_and_keeps_its_status(database: str,
                                                                                         tmp_path: Path) -> None:
    from annotator.domain.documents import Changes, Status

    ws, tester, doc = one_article(database, tmp_path, ARTICLE)

    def status() -> tuple[Status, float]:
        with ws.unit() as repo:
            return repo.statuses.get(doc, tester.annotator_id)

    counter = Counter(ws.db.engine)
    with counter.counting():
        changes = tester.add_time(doc, 12.5)  # a document only read: no status row yet
    assert (len(counter.sent), counter.transactions) == (1, ["BEGIN", "COMMIT"])
    assert changes == Changes(documents=frozenset({doc}))  # no status changed: the position is not counted again
    assert status() == (Status.TODO, 12.5)
    tester.add_span(doc, "LOCATION", *_at("Velmora"))
    tester.add_time(doc, 7.5)
    assert status() == (Status.IN_PROGRESS, 20.0)
    tester.set_status(doc, Status.DONE, seconds=1.0)
    with counter.counting():
        tester.add_time(doc, 2.0)
    assert len(counter.sent) == 1
    assert status() == (Status.DONE, 23.0)
    ws.close()


def test_figure_readings_come_as_stored_and_are_decoded_when_asked_for(database: str, tmp_path: Path) -> None:
    from annotator.services.linking import Linking, StoredAttrs
    from annotator.services.relations import Frames

    ws, tester, doc = one_article(database, tmp_path, ARTICLE)
    frames = Frames(ws, tester.project_id, "tester")
    read, _ = frames.add_span(doc, "FIGURE", *_at("More than 12,000"))  # stored with its reading
    edited, _ = frames.add_span(doc, "FIGURE", *_at("3,400"))
    frames.set_figure(edited.id or 0, unit="people", qualifier="more than")
    tester.add_span(doc, "LOCATION", *_at("Velmora"))  # no attributes
    Frames(ws, tester.project_id, "ben").add_span(doc, "FIGURE", *_at("Monday"))  # another layer's
    with ws.unit() as repo:
        stored = repo.relations.attrs_of_documents([doc], tester.annotator_id)
    assert set(stored) == {read.id, edited.id}
    assert stored[read.id or 0]["value"] == 12000 and stored[edited.id or 0]["unit"] == "people"

    attrs = Linking(frames).read(doc).attrs
    assert isinstance(attrs, StoredAttrs) and len(attrs) == 2 and set(attrs) == set(stored)
    assert attrs.get(read.id or 0) == stored[read.id or 0] and dict(attrs) == stored
    assert attrs.get(-1) is None and -1 not in attrs


def test_stored_attributes_behave_as_a_dict_of_what_their_text_holds() -> None:
    from annotator.services.linking import StoredAttrs

    attrs = StoredAttrs({1: '{"value": 12000, "unit": "people"}', 2: '{"value": 3.5}'})
    assert 1 in attrs and 2 in attrs and 3 not in attrs and len(attrs) == 2
    assert attrs[1] == {"value": 12000, "unit": "people"}
    assert attrs[1] is attrs[1]  # decoded once: a reading changed in place stays changed
    attrs[2] = {"value": 4}  # written over before it was ever read
    attrs[3] = {"value": 5}
    assert dict(attrs) == {1: {"value": 12000, "unit": "people"}, 2: {"value": 4}, 3: {"value": 5}}
    assert attrs.pop(1) == {"value": 12000, "unit": "people"} and attrs.pop(1, None) is None
    del attrs[2]
    with pytest.raises(KeyError):
        del attrs[2]
    with pytest.raises(KeyError):
        attrs[2]
    assert list(attrs) == [3] and attrs.get(2) is None
    assert dict(StoredAttrs()) == {}


@pytest.mark.gui
def test_with_every_source_off_a_document_opens_without_the_worker_and_shows_its_stored_readings(
        qtbot: Any, gui_ws: Any, no_suggestions: None, open_window: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import Qt

    from annotator.services.relations import Frames

    first, second = add_documents(gui_ws, tmp_path / "in", [EVACUATION, GRAIN])
    window = ready(qtbot, open_window(gui_ws, document_id=first))
    assert window.session.document_id == first
    project_id = window.annotations.project_id
    start = GRAIN.index("34 per cent")
    frames = Frames(gui_ws, project_id, "tester")
    figure, _ = frames.add_span(second, "FIGURE", start, start + len("34 per cent"))
    frames.set_figure(figure.id or 0, unit="tonnes")  # a reading its text alone would not give
    collecting: list[bool] = []  # the collector's state while the window builds what it shows
    window.session.document_opened.connect(lambda _doc: collecting.append(gc.isenabled()))
    submitted: list[str] = []
    submit = window.runner.submit

    def spy(name: str, *args: Any, **kwargs: Any) -> Any:
        submitted.append(name)
        return submit(name, *args, **kwargs)

    monkeypatch.setattr(window.runner, "submit", spy)
    counter = Counter(gui_ws.db.engine)
    with counter.counting():
        qtbot.keyClick(window.article, Qt.Key.Key_Right, ALT)  # the next document
    assert window.session.document_id == second
    assert collecting == [False] and gc.isenabled()  # paused for the open only
    ready(qtbot, window)  # whatever the open asked of the worker has been asked (and done)
    assert "suggest" not in submitted, submitted  # nothing to run, nothing read beside the open
    assert not [s for s in counter.sent if "suggestion" in s]
    panel = window.span_panel.model
    row = panel.row_of(figure.id)
    assert row is not None
    reading = panel.data(panel.index(row, 3))
    assert "34" in reading and "tonnes" in reading, reading  # the stored reading, decoded as it is shown


def test_the_collector_is_paused_for_a_block_and_comes_back_as_it_was() -> None:
    from annotator import collector

    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it off and leaves it off
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector.paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()

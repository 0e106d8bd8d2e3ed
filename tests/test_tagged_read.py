"""The project's tagged strings read for `occurrences`: the offsets read, each document's text read once and sliced
in Python, the same strings SQL's substr gave (emoji, CJK and flags included) on SQLite and PostgreSQL; the read
waits at the worker's pause points between texts, and one that fails leaves the strings to be read whole again."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.spans import Span
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.live_suggestions import LiveSources
from annotator.services.suggesting import FillSummary, write_layer
from annotator.services.workspace import Workspace, ensure_project, open_workspace
from annotator.storage.models import AnnotatorRow, DocumentRow, LabelRow, SpanRow
from annotator.storage.suggestion_store import SuggestionStore

# Characters outside the BMP (one code point, two UTF-16 units, four UTF-8 bytes) before and inside the spans.
WIDE = "🌊 Řeka 東京 reported 🏳️‍🌈 marches; 𠀀𠀁 Velmora 🌊 flooded, 大阪 too. 👩‍👩‍👧 left Ostrava Bay."
SPANS = [("🏳️‍🌈 marches", "SOURCE"), ("Velmora 🌊", "LOCATION"), ("大阪", "LOCATION"), ("👩‍👩‍👧", "SOURCE"),
         ("東京", "LOCATION"), ("Ostrava Bay", "LOCATION")]
MANY_DOCUMENTS, PER_DOCUMENT = 30, 20  # 600 spans: the read by span ids goes in two batches of ids


def _tagged_project(ws: Workspace, tmp_path: Path) -> int:
    """A project of WIDE and MANY_DOCUMENTS others, each with PER_DOCUMENT spans of Ana's; Ben tags WIDE's spans,
    a model layer and the gold have spans too (not tagged strings)."""
    lines = []
    for n in range(MANY_DOCUMENTS):
        words = [f"{'🌍' * (n % 3)}Place{n}x{k}" for k in range(PER_DOCUMENT)]
        text = " and ".join(words) + "."
        starts = [text.index(w) for w in words]
        lines.append({"text": text, "spans": [{"start": s, "end": s + len(w), "label": "LOCATION"}
                                              for s, w in zip(starts, words, strict=True)]})
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    import_paths(ws, [path], project="news", annotator="ana", fmt="prodigy")
    (tmp_path / "wide.txt").write_text(WIDE, encoding="utf-8")
    import_paths(ws, [str(tmp_path / "wide.txt")], project="news", annotator="ana")
    project_id = ensure_project(ws, "news").id
    wide = [d.id for d in Annotations(ws, project_id, "ana").list_documents()][-1]
    for person in ("ana", "ben"):
        notes = Annotations(ws, project_id, person)
        for string, label in SPANS:
            start = WIDE.index(string)
            span, _ = notes.add_span(wide, label, start, start + len(string))
            assert span is not None and WIDE[span.start:span.end] == string
    write_layer(ws, project_id, "rules", {wide: [Span(0, 7, "LOCATION")]}, FillSummary("rules"))
    return project_id


def _by_substr(ws: Workspace, project_id: int) -> list[tuple[int, str, str]]:
    """The strings as SQL's substr gives them (counting characters on both databases): what the read gave before."""
    text = func.substr(DocumentRow.text, SpanRow.start + 1, SpanRow.end - SpanRow.start)
    with ws.unit() as repo:
        return sorted(tuple(row) for row in repo.s.execute(
            select(SpanRow.id, text, LabelRow.name)
            .join(DocumentRow, DocumentRow.id == SpanRow.document_id)
            .join(LabelRow, LabelRow.id == SpanRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SpanRow.annotator_id)
            .where(DocumentRow.project_id == project_id, AnnotatorRow.kind == OwnerKind.ANNOTATOR.value)))


def test_tagged_strings_are_sliced_from_each_text_as_substr_gave_them_with_a_pause_before_each_text(
        database: str, tmp_path: Path) -> None:
    ws = open_workspace(database)
    try:
        project_id = _tagged_project(ws, tmp_path)
        pauses: list[int] = []
        with ws.unit() as repo:
            read = SuggestionStore(repo.s).tagged_spans(project_id, pause=lambda: pauses.append(1))
        expected = _by_substr(ws, project_id)
        assert sorted(read) == expected
        assert len(expected) == MANY_DOCUMENTS * PER_DOCUMENT + 2 * len(SPANS)  # no model's, no gold's
        wide = sorted((string, label) for _, string, label in read if not string.startswith(("Place", "🌍")))
        assert wide == sorted(SPANS * 2)
        assert {string for _, string, _ in read} >= {"🌍🌍Place29x19", "Place0x0", "👩‍👩‍👧"}
        assert len(pauses) == 1 + MANY_DOCUMENTS + 1  # before the offsets, then before each text

        some = [span_id for span_id, _, _ in expected][1:] + [10**9]  # and a span that is gone
        pauses.clear()
        with ws.unit() as repo:
            chosen = SuggestionStore(repo.s).tagged_spans(project_id, some, pause=lambda: pauses.append(1))
        assert sorted(chosen) == expected[1:]
        assert len(pauses) == 2 + MANY_DOCUMENTS + 1  # two batches of ids, then every document's text
        with ws.unit() as repo:
            assert SuggestionStore(repo.s).tagged_spans(project_id, []) == []
            counted = SuggestionStore(repo.s).tagged_strings(project_id)
        assert counted["大阪"] == {"LOCATION": 2} and counted["🏳️‍🌈 marches"] == {"SOURCE": 2}
        assert counted["Place3x4"] == {"LOCATION": 1} and "🌊 Řeka" not in counted
    finally:
        ws.close()


def test_the_first_read_of_occurrences_waits_at_the_pause_between_texts_and_a_failed_read_is_done_again_whole(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project_id = _tagged_project(ws, tmp_path)
    (tmp_path / "later.txt").write_text("Velmora 🌊 and 大阪 and Place6x3, later. Ostrava Bay.", encoding="utf-8")
    import_paths(ws, [str(tmp_path / "later.txt")], project="news", annotator="ana")
    notes = Annotations(ws, project_id, "ana")
    later = [d.id for d in notes.list_documents()][-1]
    live = LiveSources(ws, "news")
    pauses: list[int] = []
    assert live.run(later, ["occurrences"], pause=lambda: pauses.append(1)).ran == ["occurrences"]
    with ws.unit() as repo:
        occurrences = repo.owners.owner_id(Owner.model("occurrences"), create=False)
        assert occurrences is not None
        found = {(s.start, s.end, s.label) for s in repo.spans.of_document(later, occurrences)}
    text = notes.document(later).text
    assert {(text[s:e], label) for s, e, label in found} == {("Velmora 🌊", "LOCATION"), ("大阪", "LOCATION"),
                                                              ("Place6x3", "LOCATION"), ("Ostrava Bay", "LOCATION")}
    assert len(pauses) >= MANY_DOCUMENTS + 1  # the read gave way before each text it read

    # A tag followed span by span, whose read fails half-way (a busy database, say): the next run reads all.
    start = text.index("later")
    span, changes = notes.add_span(later, "SOURCE", start, start + len("later"))
    assert span is not None
    live.tagged_changed(changes.spans_added, changes.spans_removed)

    read = SuggestionStore.tagged_spans

    def failing(store: SuggestionStore, *args: Any, **kwargs: Any) -> list[tuple[int, str, str]]:
        read(store, *args, **kwargs)
        raise RuntimeError("the database is busy")

    with monkeypatch.context() as patched:
        patched.setattr(SuggestionStore, "tagged_spans", failing)
        with pytest.raises(RuntimeError):
            live.run(later, ["occurrences"])
    (tmp_path / "last.txt").write_text("Nothing happened later.", encoding="utf-8")
    import_paths(ws, [str(tmp_path / "last.txt")], project="news", annotator="ana")
    last = [d.id for d in notes.list_documents()][-1]
    reads: list[int] = []
    assert live.run(last, ["occurrences"], pause=lambda: reads.append(1)).ran == ["occurrences"]
    assert len(reads) >= MANY_DOCUMENTS + 2  # read whole again: every tagged document's text
    with ws.unit() as repo:
        assert [(s.start, s.end, s.label) for s in repo.spans.of_document(last, occurrences)] == [(17, 22, "SOURCE")]


def test_an_open_during_the_first_read_holds_it_at_the_next_text_and_leaving_does_not_waste_the_read(
        ws: Workspace, tmp_path: Path) -> None:
    from annotator.gui.gate import ForegroundGate

    project_id = _tagged_project(ws, tmp_path)
    for name, body in (("a.txt", "Velmora 🌊 again."), ("b.txt", "大阪 again.")):
        (tmp_path / name).write_text(body, encoding="utf-8")
        import_paths(ws, [str(tmp_path / name)], project="news", annotator="ana")
    *_, first, second = [d.id for d in Annotations(ws, project_id, "ana").list_documents()]
    live = LiveSources(ws, "news")
    gate = ForegroundGate(longest_hold=3600.0)  # released by the test, never by the clock
    calls: list[int] = []
    holds: list[int] = []
    arrived = threading.Event()
    here = [True]

    def pause() -> None:  # two pause points of the run, one batch of offsets, then a text per call
        calls.append(1)
        if len(calls) == 10:  # a document starts opening during the read
            holds.append(gate.hold())
            here[0] = False  # and it is another document: the person left this one
            arrived.set()
        gate.wait()

    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(
        live.run(first, ["occurrences"], still_wanted=lambda: here[0], pause=pause)))
    worker.start()
    arrived.wait()
    worker.join(0.5)  # 31 short texts: it would have finished by now had it not waited
    assert worker.is_alive() and len(calls) == 10
    gate.release(holds[0])
    worker.join()
    assert done[0].left and done[0].ran == []  # cut at the pause point after the read, nothing written
    assert len(calls) >= 3 + MANY_DOCUMENTS + 1  # the read itself went to its end
    calls.clear()
    assert live.run(second, ["occurrences"], pause=lambda: calls.append(1)).ran == ["occurrences"]
    assert len(calls) < MANY_DOCUMENTS  # the strings read for the document left serve this one
    with ws.unit() as repo:
        occurrences = repo.owners.owner_id(Owner.model("occurrences"), create=False)
        assert occurrences is not None
        assert [(s.start, s.end, s.label) for s in repo.spans.of_document(second, occurrences)] == [(0, 2, "LOCATION")]

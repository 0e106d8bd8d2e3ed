"""The change journal (migration 0007, ADR 0015): what the triggers record, what they leave out (imports, model
layers), how it is read back into undo steps, and how it stays bounded; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from db_fixtures import database_at
from gui_fixtures import ANNOTATOR, PROJECT, add_documents

from annotator.domain.history import (
    DECIDED,
    LINKED,
    SPAN_ADDED,
    SPAN_CHANGED,
    SPAN_REMOVED,
    UNLINKED,
    AddStep,
    CompoundStep,
    Entry,
    LinkStep,
    RelabelStep,
    RemoveStep,
    steps_from,
)
from annotator.domain.relations import Relation
from annotator.domain.spans import Span

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
TEXT = "The mayor of Velmora said 12,000 people left the town on Monday.\n"


def _url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{tmp_path / 'journal.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")


def _journal(ws: Any) -> list[tuple[str, int | None]]:
    from sqlalchemy import text

    with ws.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT what, document_id FROM change_journal ORDER BY id"))]


# -- pure rules ---------------------------------------------------------------------------------------------------
def _added(txn: int, row: int, label: str = "FIGURE", start: int = 0, end: int = 4) -> Entry:
    return Entry(txn, SPAN_ADDED, row, label, start, end, origin="manual")


def _removed(txn: int, row: int, label: str = "FIGURE", start: int = 0, end: int = 4) -> Entry:
    return Entry(txn, SPAN_REMOVED, row, label, start, end, origin="manual")


def test_an_undo_cancels_its_step_and_a_redo_brings_it_back() -> None:
    tag, undo, redo = _added(1, 7), _removed(2, 7), _added(3, 7)
    relabel = Entry(4, SPAN_CHANGED, 7, "CLAIM", 0, 4, "FIGURE", 0, 4)
    relabel_back = Entry(5, SPAN_CHANGED, 7, "FIGURE", 0, 4, "CLAIM", 0, 4)
    assert steps_from([tag, undo], {}, ANNOTATOR, 1, limit=10) == []
    assert steps_from([tag, undo, redo], {}, ANNOTATOR, 1, limit=10) == [AddStep(Span(0, 4, "FIGURE", 7, ANNOTATOR))]
    assert steps_from([tag, relabel], {}, ANNOTATOR, 1, limit=10) == [
        AddStep(Span(0, 4, "FIGURE", 7, ANNOTATOR)), RelabelStep(Span(0, 4, "FIGURE", 7, ANNOTATOR), "CLAIM")]
    assert steps_from([tag, relabel, relabel_back], {}, ANNOTATOR, 1, limit=10) == [
        AddStep(Span(0, 4, "FIGURE", 7, ANNOTATOR))]
    # A new span at the same place is a new row: tagging again after an untag is a step, not a redo.
    assert steps_from([tag, _removed(2, 7), _added(3, 8)], {}, ANNOTATOR, 1, limit=10) == [
        AddStep(Span(0, 4, "FIGURE", 8, ANNOTATOR))]


def test_the_history_reaches_back_to_the_newest_step_it_cannot_name_and_keeps_the_newest_limit() -> None:
    moved = Entry(2, SPAN_CHANGED, 7, "FIGURE", 0, 6, "CLAIM", 0, 4)  # moved and relabelled at once: no step of the window
    entries = [_added(1, 7), moved, _added(3, 8, start=10, end=12), _added(4, 9, start=20, end=22)]
    assert [s.span.id for s in steps_from(entries, {}, ANNOTATOR, 1, limit=10)] == [8, 9]  # type: ignore[union-attr]
    assert [s.span.id for s in steps_from(entries, {}, ANNOTATOR, 1, limit=1)] == [9]  # type: ignore[union-attr]
    gone_label = Entry(5, SPAN_ADDED, 10, None, 0, 4)  # its label was deleted since
    assert steps_from([*entries, gone_label], {}, ANNOTATOR, 1, limit=10) == []


def test_an_edge_moved_is_a_move_step() -> None:
    from annotator.domain.history import MoveStep

    moved = Entry(2, SPAN_CHANGED, 7, "FIGURE", 0, 6, "FIGURE", 0, 4)  # an edge key: [0, 4) -> [0, 6)
    (step,) = steps_from([_added(1, 7), moved], {}, ANNOTATOR, 1, limit=1)
    assert step == MoveStep(Span(0, 4, "FIGURE", 7, ANNOTATOR), 0, 6)


def test_a_span_removed_with_its_links_is_one_step_with_them() -> None:
    claim = Span(0, 20, "CLAIM", 5, ANNOTATOR)
    source = Span(30, 35, "SOURCE", 6, ANNOTATOR)
    entries = [Entry(1, UNLINKED, 40, head_id=5, child_id=6, rel_type="said_by", origin="manual"),
               Entry(1, SPAN_REMOVED, 6, "SOURCE", 30, 35, origin="manual")]
    (step,) = steps_from(entries, {5: claim}, ANNOTATOR, 1, limit=10)
    assert isinstance(step, RemoveStep) and step.span == source
    assert [(r.head, r.child, r.type, r.id) for r in step.relations] == [(claim, source, "said_by", 40)]


def test_a_transaction_of_several_changes_is_one_compound_step_of_them_in_the_order_made() -> None:
    claim, source = Span(0, 20, "CLAIM", 5, ANNOTATOR), Span(30, 35, "SOURCE", 6, ANNOTATOR)
    place = Span(40, 47, "LOCATION", 7, ANNOTATOR)
    said_by = Relation(claim, source, "said_by", 40)
    # change_spans: the place removed with its link (the cascade's row first, as PostgreSQL writes it), the
    # source's misfit link removed and the source relabelled, a figure added
    where = Entry(9, UNLINKED, 41, head_id=5, child_id=7, rel_type="where", origin="manual")
    entries = [where,
               Entry(9, SPAN_REMOVED, 7, "LOCATION", 40, 47, origin="manual"),
               Entry(9, UNLINKED, 40, head_id=5, child_id=6, rel_type="said_by", origin="manual"),
               Entry(9, SPAN_CHANGED, 6, "LOCATION", 30, 35, "SOURCE", 30, 35),
               _added(9, 8, start=50, end=54)]
    now = {5: claim, 6: source._replace(label="LOCATION")}
    (step,) = steps_from(entries, now, ANNOTATOR, 1, limit=10)
    assert isinstance(step, CompoundStep) and step.text == "4 changes"
    removal, unlink, relabel, added = step.parts
    assert isinstance(removal, RemoveStep) and removal.span == place
    assert [(r.head.id, r.child.id, r.type, r.id) for r in removal.relations] == [(5, 7, "where", where.row_id)]
    assert isinstance(unlink, LinkStep) and unlink.removed and (unlink.relation.id, unlink.relation.type) == (
        said_by.id, "said_by")
    assert relabel == RelabelStep(source, "LOCATION")
    assert added == AddStep(Span(50, 54, "FIGURE", 8, ANNOTATOR))
    # Undone in one transaction (the window's undo of it): the step and its undo both go
    undo = [Entry(10, SPAN_REMOVED, 8, "FIGURE", 50, 54, origin="manual"),
            Entry(10, SPAN_CHANGED, 6, "SOURCE", 30, 35, "LOCATION", 30, 35),
            Entry(10, LINKED, 40, head_id=5, child_id=6, rel_type="said_by", origin="manual"),
            Entry(10, SPAN_ADDED, 7, "LOCATION", 40, 47, origin="manual"),
            Entry(10, LINKED, 41, head_id=5, child_id=7, rel_type="where", origin="manual")]
    assert steps_from([_added(8, 5, "CLAIM", 0, 20), *entries, *undo], {5: claim, 6: source}, ANNOTATOR, 1,
                      limit=10) == [AddStep(claim)]


def test_compound_steps_are_named_as_the_window_names_them_and_one_unnamed_change_ends_the_history() -> None:
    claim, source, figure = (Span(0, 20, "CLAIM", 5, ANNOTATOR), Span(30, 35, "SOURCE", 6, ANNOTATOR),
                             Span(21, 25, "FIGURE", 7, ANNOTATOR))
    spans = {5: claim, 6: source, 7: figure}
    taken = [Entry(3, LINKED, 40, head_id=5, child_id=6, rel_type="said_by", origin="proposed"),
             Entry(3, LINKED, 41, head_id=5, child_id=7, rel_type="figure", origin="proposed")]
    (step,) = steps_from(taken, spans, ANNOTATOR, 1, limit=10)
    assert isinstance(step, CompoundStep) and step.text == "accept 2 links"
    assert [(p.relation.id, p.origin, p.removed) for p in step.parts] == [  # type: ignore[union-attr]
        (40, "proposed", False), (41, "proposed", False)]
    relabel = [Entry(4, UNLINKED, 40, head_id=5, child_id=6, rel_type="said_by", origin="proposed"),
               Entry(4, SPAN_CHANGED, 6, "LOCATION", 30, 35, "SOURCE", 30, 35)]
    assert steps_from([*taken, *relabel], spans, ANNOTATOR, 1, limit=10)[-1].text == "relabel as LOCATION"  # type: ignore[union-attr]
    unlinked = [Entry(5, UNLINKED, 41, head_id=5, child_id=7, rel_type="figure", origin="proposed"),
                Entry(5, UNLINKED, 42, head_id=5, child_id=7, rel_type="figure_of", origin="manual")]
    assert steps_from(unlinked, spans, ANNOTATOR, 1, limit=10)[-1].text == "unlink"  # type: ignore[union-attr]
    # A part that cannot be named (moved and relabelled at once) makes the whole transaction unnamed
    odd = [_added(6, 9, start=50, end=54), Entry(6, SPAN_CHANGED, 7, "CLAIM", 21, 26, "FIGURE", 21, 25)]
    assert steps_from([_added(1, 8, start=60, end=64), *odd], spans, ANNOTATOR, 1, limit=10) == []


def test_a_suggestion_taken_under_another_label_or_moved_is_named_as_the_window_named_it() -> None:
    def accepted(txn: int, label: str, start: int, end: int, proposed: tuple[str, int, int] | None) -> list[Entry]:
        made = [Entry(txn, SPAN_ADDED, txn, label, start, end, origin="model:rules"),
                Entry(txn, DECIDED, 100 + txn, label, start, end, decision="accepted", source="rules")]
        if proposed is not None:
            made.append(Entry(txn, DECIDED, 200 + txn, *proposed, decision="rejected", source="rules"))
        return made

    entries = [*accepted(1, "LOCATION", 0, 7, None), *accepted(2, "SOURCE", 10, 17, ("LOCATION", 10, 17)),
               *accepted(3, "FIGURE", 20, 30, ("FIGURE", 20, 26)), *accepted(4, "CLAIM", 40, 50, ("FIGURE", 40, 46))]
    assert [s.text for s in steps_from(entries, {}, ANNOTATOR, 1, limit=10)] == [  # type: ignore[union-attr]
        "accept LOCATION", "accept LOCATION as SOURCE", "accept FIGURE, moved", "accept FIGURE as CLAIM, moved"]


# -- the triggers, on both databases ------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_key_presses_are_journalled_per_transaction_and_imports_and_model_layers_are_not(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from annotator.services.annotation import Annotations
    from annotator.services.deciding import Suggestions
    from annotator.services.importing import import_paths
    from annotator.services.suggesting import fill_layer
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(_url(backend, tmp_path, request))
    try:
        jsonl = tmp_path / "spans.jsonl"
        jsonl.write_text('{"text": "Velmora imports 12,000 tonnes.", "spans": [{"start": 0, "end": 7, '
                         '"label": "LOCATION"}]}\n', encoding="utf-8")
        summary = import_paths(ws, [jsonl], project=PROJECT, annotator=ANNOTATOR, fmt="prodigy")
        assert not summary.errors
        (doc,) = add_documents(ws, tmp_path / "in", [TEXT])[1:]
        fill_layer(ws, PROJECT, "rules")  # a model layer, written in bulk
        assert _journal(ws) == []

        notes = Annotations(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
        span, _ = notes.add_span(doc, "FIGURE", TEXT.index("12,000"), TEXT.index("12,000") + 6)
        notes.relabel(span.id or 0, "CLAIM")
        notes.remove_span(span.id or 0)
        desk = Suggestions(ws, notes.project_id, ANNOTATOR)
        suggestion = desk.for_document(doc)[0]
        desk.accept(doc, suggestion)
        assert _journal(ws) == [(SPAN_ADDED, doc), (SPAN_CHANGED, doc), (SPAN_REMOVED, doc), (SPAN_ADDED, doc),
                                (DECIDED, doc)]
        steps = notes.history(doc)
        assert [type(s).__name__ for s in steps] == ["AddStep", "RelabelStep", "RemoveStep", "DecideStep"]
    finally:
        ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_journal_is_pruned_to_twice_the_history_when_a_document_is_read(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(_url(backend, tmp_path, request))
    try:
        doc, other = add_documents(ws, tmp_path / "in", [TEXT, "Another text about Ostrava Bay.\n"])
        notes = Annotations(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
        at = TEXT.index("Velmora")
        for _ in range(15):  # tag and untag: 30 transactions
            span, _ = notes.add_span(doc, "LOCATION", at, at + 7)
            notes.remove_span(span.id or 0)
        notes.add_span(other, "LOCATION", 19, 30)
        assert notes.history(doc, limit=4) == []  # every tag was taken back by the next transaction
        assert [w for w, d in _journal(ws) if d == doc] == [SPAN_ADDED, SPAN_REMOVED] * 4  # 8 transactions kept
        assert [w for w, d in _journal(ws) if d == other] == [SPAN_ADDED]  # other documents are left alone
    finally:
        ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0007_upgrades_a_0006_database_with_data_and_journals_from_then_on(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from annotator.services.annotation import Annotations
    from annotator.services.workspace import open_workspace
    from annotator.storage.models import Base

    url = _url(backend, tmp_path, request)
    with database_at(url, "0006") as conn:  # what annotator left before the journal
        conn.execute(text("INSERT INTO project (id, name, lang, created_at) VALUES (1, 'news', 'en', '2026-01-01')"))
        conn.execute(text("INSERT INTO label (id, project_id, name, colour, key, alt_key, description, position, kind)"
                          " VALUES (1, 1, 'FIGURE', '#ffcc00', '3', 'F', '', 0, 'entity')"))
        conn.execute(text("INSERT INTO annotator (id, name, kind) VALUES (1, 'ana', 'annotator')"))
        conn.execute(text("INSERT INTO document (id, project_id, position, title, source, text, meta, content_hash, "
                          "created_at) VALUES (1, 1, 0, '', '', '17,000 people crossed', '{}', 'h', '2026-01-01')"))
        conn.execute(text('INSERT INTO span (id, document_id, annotator_id, label_id, start, "end", origin, '
                          "created_at) VALUES (1, 1, 1, 1, 0, 6, 'manual', '2026-01-01')"))
    ws = open_workspace(url)
    try:
        with ws.db.engine.connect() as conn:
            spans = [tuple(r) for r in conn.execute(text('SELECT id, start, "end" FROM span'))]
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert spans == [(1, 0, 6)] and diff == [] and _journal(ws) == []  # the past is not invented
        notes = Annotations(ws, 1, "ana")
        notes.remove_span(1)
        assert _journal(ws) == [(SPAN_REMOVED, 1)]
        (step,) = notes.history(1)
        assert step == RemoveStep(Span(0, 6, "FIGURE", 1, "ana"))
    finally:
        ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_link_and_a_span_removed_with_its_link_come_back_as_the_steps_they_were(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from annotator.domain.history import LinkStep
    from annotator.services.relations import Frames
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(_url(backend, tmp_path, request))
    try:
        (doc,) = add_documents(ws, tmp_path / "in", [TEXT])
        frames = Frames(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
        claim, _ = frames.add_span(doc, "CLAIM", TEXT.index("12,000"), TEXT.index(" on Monday"))
        source, _ = frames.add_span(doc, "SOURCE", 0, TEXT.index(" said"))
        relation, _ = frames.link(claim.id or 0, source.id or 0, "said_by")
        removed, _ = frames.remove_span(source.id or 0)  # the link goes with it (the database cascades)
        *_, link, removal = frames.notes.history(doc)
        assert link == LinkStep(relation, "manual")
        assert removal == RemoveStep(source, (relation,), None)
        frames.restore(removed)  # the undo of the removal: the step before it is the newest again
        assert frames.notes.history(doc)[-1] == link
    finally:
        ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_calls_made_together_are_one_transaction_saved_whole_or_not_at_all(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from sqlalchemy import text

    from annotator.errors import SpanRuleError
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(_url(backend, tmp_path, request))
    try:
        (doc,) = add_documents(ws, tmp_path / "in", [TEXT])
        notes = Annotations(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
        place, figure = (TEXT.index("Velmora"), TEXT.index("Velmora") + 7), (TEXT.index("12,000"), TEXT.index(" people"))
        with pytest.raises(SpanRuleError):  # the second overlaps the first: neither is saved
            ws.together(lambda: [notes.add_span(doc, "LOCATION", *place),
                                 notes.add_span(doc, "LOCATION", place[0], place[1] + 5)])
        assert notes.spans(doc) == [] and _journal(ws) == []
        made = ws.together(lambda: [notes.add_span(doc, "LOCATION", *place)[0],
                                    notes.add_span(doc, "FIGURE", *figure)[0]])
        assert notes.spans(doc) == made
        with ws.db.engine.connect() as conn:
            txns = {r[0] for r in conn.execute(text("SELECT txn FROM change_journal"))}
        assert len(txns) == 1  # one group: one step
        assert notes.history(doc) == [CompoundStep((AddStep(made[0]), AddStep(made[1])), "2 changes")]
    finally:
        ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_figure_tagged_with_its_reading_is_one_transaction(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from sqlalchemy import event

    from annotator.services.relations import Frames
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(_url(backend, tmp_path, request))
    try:
        (doc,) = add_documents(ws, tmp_path / "in", [TEXT])
        frames = Frames(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
        begun: list[str] = []
        event.listen(ws.db.engine, "begin", lambda _conn: begun.append("BEGIN"))
        span, _ = frames.add_span(doc, "FIGURE", TEXT.index("12,000"), TEXT.index(" people"))
        assert begun == ["BEGIN"]
        with ws.unit() as repo:
            assert repo.relations.attrs([span.id or 0])[span.id or 0]["value"] == 12000
    finally:
        ws.close()


def test_a_conflict_inside_calls_made_together_runs_the_whole_again_not_the_call_alone(ws: Any) -> None:
    from annotator.errors import DatabaseConflictError
    from annotator.services.workspace import retried

    calls: list[str] = []

    @retried
    def part(name: str) -> str:
        calls.append(name)
        if calls.count("second") == 1 and name == "second":
            raise DatabaseConflictError("a deadlock")  # as the driver's error is translated
        return name

    assert ws.together(lambda: [part("first"), part("second")]) == ["first", "second"]
    assert calls == ["first", "second", "first", "second"]


def test_no_sql_of_annotator_calls_random_which_its_sqlite_connections_give_one_number_per_transaction() -> None:
    import re

    import annotator

    root = Path(annotator.__file__).parent
    pattern = re.compile(r"(?<![.\w])random\(\)|func\.random\b|\bRANDOM\(\)")  # Python's random.Random is fine
    found = [f"{p.relative_to(root)}: {line.strip()}" for p in root.rglob("*.py")
             for line in p.read_text(encoding="utf-8").splitlines()
             if pattern.search(line) and not line.strip().startswith("#")]
    assert found == []


def test_another_programs_write_works_and_each_of_its_rows_is_a_group_of_its_own(ws: Any, tmp_path: Path) -> None:
    import sqlite3

    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project

    (doc,) = add_documents(ws, tmp_path / "in", [TEXT])
    notes = Annotations(ws, ensure_project(ws, PROJECT).id, ANNOTATOR)
    first, _ = notes.add_span(doc, "FIGURE", 26, 32)
    second, _ = notes.add_span(doc, "LOCATION", 13, 20)
    with sqlite3.connect(ws.db.path) as conn:  # plain sqlite3: SQLite's own random()
        conn.execute("DELETE FROM span WHERE id IN (?, ?)", (first.id, second.id))
    with ws.db.engine.connect() as conn:
        from sqlalchemy import text

        txns = [r[0] for r in conn.execute(text("SELECT txn FROM change_journal ORDER BY id"))]
    assert len(txns) == 4 and len(set(txns)) == 4
    assert notes.history(doc) == [AddStep(first), AddStep(second), RemoveStep(first), RemoveStep(second)]


@pytest.mark.postgres
def test_a_team_role_journals_through_the_trigger_and_reads_its_history_without_delete_on_the_journal(
        team: Any) -> None:
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project

    ana = team.names["ana"]
    as_ana = team.open_as("ana")  # no grant on change_journal but team init's SELECT on every table
    try:
        with as_ana.unit() as repo:
            doc = repo.documents.ids(ensure_project(as_ana).id)[0]
        work = Annotations(as_ana, ensure_project(as_ana).id, ana)
        mine, _ = work.add_span(doc, "LOCATION", 43, 50)  # the SECURITY DEFINER trigger writes the journal
        work.relabel(mine.id or 0, "SOURCE")
        assert work.history(doc, limit=1) == [RelabelStep(mine, "SOURCE")]  # pruning is refused and skipped
        assert work.history(doc) == [AddStep(mine), RelabelStep(mine, "SOURCE")]
    finally:
        as_ana.close()

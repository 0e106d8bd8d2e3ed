"""The same services on PostgreSQL as on a SQLite file: a team shares one server. `database` (tests/db_fixtures.py)
runs a test on both; `pg_url` is a throw-away empty PostgreSQL database, skipped without a server."""

from __future__ import annotations

import pytest
from db_fixtures import labels_at_0004


def test_migrate_annotate_and_list(database: str) -> None:
    from annotator.domain.documents import Status, content_hash
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(database)
    project = ensure_project(ws)
    texts = ["More than 17,000 people left Izium, the governor said.", "Second 100% story about Kyiv_region."]
    with ws.unit() as repo:
        ids = repo.bulk.insert_documents([
            {"project_id": project.id, "position": i, "title": f"t{i}", "source": "s", "text": t,
             "meta": {"k": i}, "content_hash": content_hash(t)} for i, t in enumerate(texts)
        ])
    notes = Annotations(ws, project.id, "ana")
    span, _ = notes.add_span(ids[0], "FIGURE", 0, 23)
    notes.add_span(ids[0], "CLAIM", 0, 40)
    assert [s.label for s in notes.spans(ids[0])] == ["CLAIM", "FIGURE"]
    notes.set_status(ids[0], Status.DONE)
    assert notes.progress().done == 1
    # LIKE wildcards typed by a user are searched literally on both databases
    assert [d.id for d in notes.list_documents(text="100%")] == [ids[1]]
    assert [d.id for d in notes.list_documents(text="kyiv_")] == [ids[1]]
    assert notes.list_documents(text="_region x") == []
    notes.remove_span(span.id)
    notes.add_span(ids[0], "FIGURE", 0, 23, span_id=span.id)  # undo of a removal keeps the id
    assert {s.id for s in notes.spans(ids[0])} >= {span.id}
    ws.close()


def test_import_and_export(database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "Olena Marchuk said 400,000 homes in Dorvan lost power.", "spans": '
        '[{"start": 0, "end": 13, "label": "SOURCE"}, {"start": 19, "end": 32, "label": "FIGURE"}]}\n',
        encoding="utf-8",
    )
    ws = open_workspace(database)
    summary = import_paths(ws, [source], project="p", annotator="ana")
    assert summary.errors == [] and summary.total("spans_added") == 2
    out = tmp_path / "out.jsonl"
    export(ws, fmt="prodigy", out=out, project="p")
    assert '"start": 19' in out.read_text(encoding="utf-8")
    ws.close()


@pytest.mark.postgres
def test_migration_0005_makes_every_claim_a_statement_on_postgres(pg_url: str) -> None:
    from annotator.services.labels import list_labels
    from annotator.services.workspace import open_workspace

    labels_at_0004(pg_url, [(1, "FIGURE"), (1, "CLAIM"), (2, "CLAIM"), (2, "claim")])
    ws = open_workspace(pg_url)
    found = {project: {label.name: label.kind.value for label in list_labels(ws, project)}
             for project in ("news", "other")}
    ws.close()
    assert found == {"news": {"FIGURE": "entity", "CLAIM": "statement"},
                     "other": {"CLAIM": "statement", "claim": "entity"}}

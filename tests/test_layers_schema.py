"""Migration 0006 (ADR 0008): layer owners by kind, offsets checked by the database, the new tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from db_fixtures import database_at

from annotator.domain.labels import Label
from annotator.domain.layers import Owner, OwnerKind

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{tmp_path / 'layers.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")


@pytest.mark.parametrize("backend", BACKENDS)
def test_0006_keeps_people_and_their_spans_and_drops_only_impossible_rows(backend: str, tmp_path: Path,
                                                                          request: pytest.FixtureRequest) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from annotator.storage.engine import open_database
    from annotator.storage.models import Base

    url = _url(backend, tmp_path, request)
    with database_at(url, "0005") as conn:  # what annotator left before layers
        conn.execute(text("INSERT INTO project (id, name, lang, created_at) VALUES (1, 'news', 'en', '2026-01-01')"))
        conn.execute(text("INSERT INTO label (id, project_id, name, colour, key, alt_key, description, position, kind)"
                          " VALUES (1, 1, 'FIGURE', '#ffcc00', '3', 'F', '', 0, 'entity')"))
        conn.execute(text("INSERT INTO annotator (id, name) VALUES (1, 'ana'), (2, 'rules')"))
        conn.execute(text("INSERT INTO document (id, project_id, position, title, source, text, meta, content_hash, "
                          "created_at) VALUES (1, 1, 0, '', '', '17,000 people crossed', '{}', 'h', '2026-01-01')"))
        for span_id, who, start, end in ((1, 1, 0, 6), (2, 2, 0, 13), (3, 1, 5, 5), (4, 1, 9, 2)):
            conn.execute(text('INSERT INTO span (id, document_id, annotator_id, label_id, start, "end", origin, '
                              "created_at) VALUES (:i, 1, :a, 1, :s, :e, 'manual', '2026-01-01')"),
                         {"i": span_id, "a": who, "s": start, "e": end})
    db = open_database(url)
    with db.engine.connect() as conn:
        owners = conn.execute(text("SELECT id, kind, name FROM annotator ORDER BY id")).all()
        spans = conn.execute(text('SELECT id, annotator_id, start, "end" FROM span ORDER BY id')).all()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    db.dispose()
    assert [tuple(r) for r in owners] == [(1, "annotator", "ana"), (2, "annotator", "rules")]
    assert [tuple(r) for r in spans] == [(1, 1, 0, 6), (2, 2, 0, 13)]  # the two that could never be shown are gone
    assert diff == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_refuses_empty_or_reversed_spans_and_keeps_owners_apart_by_kind(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from annotator.storage.engine import open_database
    from annotator.storage.unit import unit_of_work

    db = open_database(_url(backend, tmp_path, request))
    with unit_of_work(db) as repo:
        person = repo.owners.owner_id(Owner.person("rules"))
        model = repo.owners.owner_id(Owner.model("rules"))
        gold = repo.owners.owner_id(Owner.gold())
        assert len({person, model, gold}) == 3
        assert repo.owners.owner_id(Owner.model("rules"), create=False) == model
        assert repo.owners.annotator_id("rules", create=False) == person
        assert repo.owners.people() == ["rules"]  # people only
        assert Owner.model("rules") in repo.owners.all() and Owner.gold() in repo.owners.all()
        project = repo.projects.create("news", "en", [Label("FIGURE", "#ffcc00", "3")])
        doc = repo.bulk.insert_documents([{"project_id": project.id, "position": 0, "title": "", "source": "",
                                      "text": "abc def", "meta": {}, "content_hash": "x"}])[0]
        label = repo.labels.ids(project.id)["FIGURE"]
    for start, end in ((3, 3), (5, 1), (-1, 2)):
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text('INSERT INTO span (document_id, annotator_id, label_id, start, "end", origin, '
                              "created_at) VALUES (:d, :a, :l, :s, :e, 'manual', CURRENT_TIMESTAMP)"),
                         {"d": doc, "a": person, "l": label, "s": start, "e": end})
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO annotator (name, kind) VALUES ('x', 'robot')"))
    db.dispose()


def test_owner_names_say_whose_layer_it_is() -> None:
    assert str(Owner.person("ana")) == "ana"
    assert str(Owner.model("rules")) == "model:rules"
    assert Owner.gold().kind is OwnerKind.GOLD


def test_a_document_s_layers_come_back_grouped_by_owner(tmp_path: Path) -> None:
    from annotator.storage.engine import open_database
    from annotator.storage.unit import unit_of_work

    db = open_database(tmp_path / "layers.db")
    with unit_of_work(db) as repo:
        project = repo.projects.create("news", "en", [Label("FIGURE", "#ffcc00", "3"), Label("LOCATION", "#00ccff")])
        doc = repo.bulk.insert_documents([{"project_id": project.id, "position": 0, "title": "", "source": "",
                                      "text": "12 people left Velmora", "meta": {}, "content_hash": "x"}])[0]
        ana, rules = repo.owners.annotator_id("ana"), repo.owners.owner_id(Owner.model("rules"))
        assert ana is not None and rules is not None
        repo.spans.add(project.id, doc, ana, "LOCATION", 15, 22)
        repo.spans.add(project.id, doc, rules, "FIGURE", 0, 9)
        repo.spans.add(project.id, doc, rules, "LOCATION", 15, 22)
        layers = repo.spans.layers(doc)
    db.dispose()
    assert {owner: [s.key() for s in spans] for owner, spans in layers.items()} == {
        Owner.person("ana"): [(15, 22, "LOCATION")],
        Owner.model("rules"): [(0, 9, "FIGURE"), (15, 22, "LOCATION")],
    }

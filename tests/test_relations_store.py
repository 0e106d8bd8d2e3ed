"""Relations stored and edited through the services, on SQLite and PostgreSQL: relation types, links of one layer,
a span removed with its links and restored as one step, FIGURE attributes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.domain.documents import content_hash
from annotator.domain.layers import Owner
from annotator.errors import AnnotatorError, FigureError, RelationError
from annotator.services import relations as service
from annotator.services.relations import Frames
from annotator.services.workspace import Workspace, ensure_project, open_workspace

TEXT = "More than 12,000 residents have left Velmora since Monday, the port authority said."


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    target = str(tmp_path / "rel.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    ws = open_workspace(target)
    yield ws
    ws.close()


def _document(ws: Workspace, text: str = TEXT) -> tuple[int, int]:
    project = ensure_project(ws, "news")
    with ws.unit() as repo:
        [doc] = repo.insert_documents([{"project_id": project.id, "position": repo.next_position(project.id),
                                        "title": "t", "source": "s", "text": text, "meta": {},
                                        "content_hash": content_hash(text)}])
    return project.id, doc


def _at(words: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_types_come_from_labels_json_and_are_editable(any_ws: Workspace) -> None:
    _document(any_ws)
    names = [(t.name, t.head_label, t.child_label) for t in service.list_relation_types(any_ws, "news")]
    assert names == [("said_by", "CLAIM", "SOURCE"), ("where", "CLAIM", "LOCATION"), ("figure", "CLAIM", "FIGURE")]
    service.add_relation_type(any_ws, "news", "located_in", "SOURCE", "LOCATION")
    assert service.list_relation_types(any_ws, "news")[-1].name == "located_in"
    with pytest.raises(RelationError, match=r"\[A162\] the project already has a relation type 'where'"):
        service.add_relation_type(any_ws, "news", "where", "CLAIM", "LOCATION")
    with pytest.raises(RelationError, match=r"\[A162\] the project has no label 'PERSON'"):
        service.add_relation_type(any_ws, "news", "kin", "PERSON", "SOURCE")
    assert service.delete_relation_type(any_ws, "news", "located_in") == 0
    with pytest.raises(RelationError, match=r"\[A120\] relation type 'located_in' is not in"):
        service.delete_relation_type(any_ws, "news", "located_in")
    # A renamed label keeps its relation types (they name labels, and the label is the same one).
    from annotator.services.labels import update_label

    update_label(any_ws, "news", "FIGURE", new_name="NUMBER")
    assert ("figure", "CLAIM", "NUMBER") in [(t.name, t.head_label, t.child_label)
                                             for t in service.list_relation_types(any_ws, "news")]


def test_an_older_project_gets_the_default_types_on_first_use(any_ws: Workspace) -> None:
    project_id, _doc = _document(any_ws)
    with any_ws.unit() as repo:  # as a project made before relation types existed
        for kind in repo.relations.types(project_id):
            repo.relations.delete_type(project_id, kind.name)
        assert repo.relations.types(project_id) == ()
    assert len(service.list_relation_types(any_ws, "news")) == 3
    for name in ("said_by", "where"):
        service.delete_relation_type(any_ws, "news", name)
    with pytest.raises(RelationError, match=r"\[A162\] 'figure' is the project's last relation type"):
        service.delete_relation_type(any_ws, "news", "figure")


def test_link_validate_list_and_unlink(any_ws: Workspace) -> None:
    project_id, doc = _document(any_ws)
    ana, ben = Frames(any_ws, project_id, "ana"), Frames(any_ws, project_id, "ben")
    claim, _ = ana.add_span(doc, "CLAIM", *_at("More than 12,000 residents have left Velmora since Monday"))
    source, _ = ana.add_span(doc, "SOURCE", *_at("the port authority"))
    place, _ = ana.add_span(doc, "LOCATION", *_at("Velmora"))
    bens_source, _ = ben.add_span(doc, "SOURCE", *_at("the port authority"))
    said, changes = ana.link(claim.id, source.id, "said_by")
    assert changes.documents == {doc} and said.id is not None
    ana.link(claim.id, place.id, "where")
    with pytest.raises(RelationError, match=r"\[A120\] a said_by relation goes from CLAIM to SOURCE, not from CLAIM"):
        ana.link(claim.id, place.id, "said_by")
    with pytest.raises(RelationError, match=r"\[A120\] a said_by relation joins spans of two layers"):
        ana.link(claim.id, bens_source.id, "said_by")
    with pytest.raises(RelationError, match=r"\[A160\] .* is already linked"):
        ana.link(claim.id, source.id, "said_by")
    with pytest.raises(RelationError, match=r"\[A160\] there is no span 99999"):
        ana.link(claim.id, 99999, "said_by")
    with pytest.raises(RelationError, match=r"\[A160\] span .* is ana's, not yours \(ben\)"):
        ben.link(claim.id, source.id, "said_by")
    layers = ana.relations(doc)
    assert list(layers) == [Owner.person("ana")]
    assert [(r.type, r.head.label, r.child.label, r.child.start) for r in layers[Owner.person("ana")]] == [
        ("said_by", "CLAIM", "SOURCE", source.start), ("where", "CLAIM", "LOCATION", place.start)]
    ana.unlink(said)
    assert [r.type for r in ana.relations(doc)[Owner.person("ana")]] == ["where"]
    with pytest.raises(RelationError, match=r"\[A160\] the said_by link .* was removed elsewhere"):
        ana.unlink(said)


def test_removing_a_span_takes_its_links_and_restore_brings_all_back(any_ws: Workspace) -> None:
    project_id, doc = _document(any_ws)
    ana = Frames(any_ws, project_id, "ana")
    claim, _ = ana.add_span(doc, "CLAIM", *_at("More than 12,000 residents have left Velmora since Monday"))
    figure, _ = ana.add_span(doc, "FIGURE", *_at("More than 12,000 residents"))
    source, _ = ana.add_span(doc, "SOURCE", *_at("the port authority"))
    ana.link(claim.id, figure.id, "figure")
    ana.link(claim.id, source.id, "said_by")
    ana.set_figure(figure.id, unit="inhabitants")
    before = ana.relations(doc)

    removed, changes = ana.remove_span(claim.id)
    assert changes.spans_removed == (claim.id,)
    assert sorted(r.type for r in removed.relations) == ["figure", "said_by"]
    assert ana.relations(doc) == {}  # the database cascaded
    ana.restore(removed)
    assert ana.relations(doc) == before  # the same ids, types and spans
    assert [s.id for s in ana.notes.spans(doc)].count(claim.id) == 1

    removed, _ = ana.remove_span(figure.id)  # the child end: its attributes go and come back too
    with any_ws.unit() as repo:
        assert repo.relations.attrs([figure.id]) == {}
    ana.restore(removed)
    with any_ws.unit() as repo:
        assert repo.relations.attrs([figure.id])[figure.id]["unit"] == "inhabitants"
    assert ana.relations(doc) == before

    removed, _ = ana.remove_span(claim.id)
    ana.notes.remove_span(source.id)  # meanwhile the other end went: nothing comes back, one coded line
    with pytest.raises(RelationError, match=r"\[A160\] the said_by link cannot come back: SOURCE"):
        ana.restore(removed)
    assert claim.id not in [s.id for s in ana.notes.spans(doc)]  # the whole step was rolled back


def test_figure_attributes_are_read_and_edited(any_ws: Workspace) -> None:
    project_id, doc = _document(any_ws)
    ana = Frames(any_ws, project_id, "ana")
    figure, _ = ana.add_span(doc, "FIGURE", *_at("More than 12,000 residents"))
    place, _ = ana.add_span(doc, "LOCATION", *_at("Velmora"))
    with any_ws.unit() as repo:
        attrs = repo.relations.attrs([figure.id, place.id])
    assert list(attrs) == [figure.id]  # a LOCATION carries none
    assert (attrs[figure.id]["value"], attrs[figure.id]["unit"], attrs[figure.id]["qualifier"]) == (
        12000.0, "residents", "more than")
    edited = ana.set_figure(figure.id, value=12500, qualifier="about")
    assert (edited["value"], edited["qualifier"], edited["unit"]) == (12500.0, "about", "residents")
    with pytest.raises(FigureError, match=r"\[A121\] figure qualifier 'roughly-ish' is not known"):
        ana.set_figure(figure.id, qualifier="roughly-ish")
    with pytest.raises(FigureError, match=r"\[A163\] span .* is a LOCATION, not a figure"):
        ana.set_figure(place.id, value=1)
    with pytest.raises(AnnotatorError, match=r"\[A163\] there is no span 424242"):
        ana.set_figure(424242, value=1)

"""Model layers filled by the sources, and a person deciding on them: shown, accepted, rejected, undone, redone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from annotator.domain.documents import Status
from annotator.domain.spans import Span
from annotator.domain.suggestions import Suggestion, acceptable_together, visible
from annotator.errors import SpanRuleError
from annotator.services.annotation import Annotations
from annotator.services.deciding import Suggestions
from annotator.services.importing import import_paths
from annotator.services.suggesting import fill_layer
from annotator.services.workspace import Workspace, ensure_project, open_workspace

ARTICLES = [
    "Olena Marchuk said 400 homes lost power in Velmora on Monday.\n\nThe port authority said exports fell by "
    "34 per cent in the Dorvan region.\n",
    "Residents of Velmora queued for water. More than 12,000 residents have left the Dorvan region, "
    "Irena Dobric said.\n",
]


def project_with(ws: Workspace, tmp_path: Any, texts: list[str] = ARTICLES) -> tuple[int, list[int]]:
    for i, body in enumerate(texts):
        (tmp_path / f"{i}.txt").write_text(body, encoding="utf-8")
    import_paths(ws, [str(tmp_path / f"{i}.txt") for i in range(len(texts))], project="news", annotator="lead")
    project = ensure_project(ws, "news")
    return project.id, [d.id for d in Annotations(ws, project.id, "ana").list_documents()]


def state(ws: Workspace) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every span row and every decision row, as the database holds them."""
    with ws.db.engine.connect() as conn:
        spans = conn.execute(text('SELECT id, document_id, annotator_id, label_id, start, "end", origin FROM span '
                                  "ORDER BY id")).all()
        decisions = conn.execute(text('SELECT document_id, decided_by, source_id, label_id, start, "end", decision '
                                      "FROM suggestion_decision ORDER BY document_id, label_id, start")).all()
    return [tuple(r) for r in spans], [tuple(r) for r in decisions]


def seen(found: list[Suggestion]) -> list[tuple[int, int, str, str]]:
    """What a person sees of suggestions: everything but the row (a new run of the source makes new rows)."""
    return [(s.start, s.end, s.label, s.source) for s in found]


def words(body: str, found: list[Suggestion]) -> list[tuple[str, str]]:
    return [(body[s.start:s.end], s.label) for s in found]


@pytest.fixture
def news(ws: Workspace, tmp_path: Any) -> tuple[Workspace, int, list[int]]:
    project_id, docs = project_with(ws, tmp_path)
    fill_layer(ws, "news", "rules")
    return ws, project_id, docs


def test_the_rules_layer_holds_the_sources_spans_and_a_second_run_replaces_it(news: Any) -> None:
    ws, project_id, docs = news
    ana = Suggestions(ws, project_id, "ana")
    first = ana.for_document(docs[0])
    assert ("Olena Marchuk", "SOURCE") in words(ARTICLES[0], first)
    assert ("34 per cent", "FIGURE") in words(ARTICLES[0], first)
    assert {s.source for s in first} == {"rules"} and all(s.id is not None for s in first)
    before = state(ws)
    summary = fill_layer(ws, "news", "rules")
    assert summary.documents == 2 and summary.total == len(before[0])
    after = state(ws)
    # The same spans again under new rows: the previous run's rows are gone, none is doubled.
    assert sorted(r[1:] for r in after[0]) == sorted(r[1:] for r in before[0])
    assert not {r[0] for r in after[0]} & {r[0] for r in before[0]}


def test_a_window_fills_only_the_documents_whose_layer_is_empty(ws: Workspace, tmp_path: Any) -> None:
    _, docs = project_with(ws, tmp_path)
    assert fill_layer(ws, "news", "rules", document_ids=docs[:1]).documents == 1
    assert fill_layer(ws, "news", "rules", skip_filled=True).documents == 1
    assert fill_layer(ws, "news", "rules", skip_filled=True).documents == 0


def test_accept_copies_the_suggestion_with_its_origin_and_reject_hides_it_for_good(news: Any) -> None:
    ws, project_id, docs = news
    ana, ben = Suggestions(ws, project_id, "ana"), Suggestions(ws, project_id, "ben")
    shown = ana.for_document(docs[0])
    source = next(s for s in shown if ARTICLES[0][s.start:s.end] == "Olena Marchuk")
    figure = next(s for s in shown if ARTICLES[0][s.start:s.end] == "34 per cent")
    decided, changes = ana.accept(docs[0], source)
    (added,) = decided.added
    assert changes.spans_added == (added.span.id,)
    assert Annotations(ws, project_id, "ana").spans(docs[0]) == [Span(source.start, source.end, "SOURCE",
                                                                      added.span.id, "ana")]
    assert state(ws)[0][-1][-1] == "model:rules"
    ana.reject(docs[0], figure)
    left = ana.for_document(docs[0])
    assert source not in left and figure not in left and len(left) == len(shown) - 2
    fill_layer(ws, "news", "rules")  # the source proposes both again, in new rows
    assert seen(ana.for_document(docs[0])) == seen(left)
    assert seen(ben.for_document(docs[0])) == seen(shown)  # another person decides for themselves
    assert Annotations(ws, project_id, "ana").status(docs[0]) is Status.IN_PROGRESS


def test_a_label_key_on_a_suggestion_accepts_it_under_that_label_and_undo_redo_are_exact(news: Any) -> None:
    ws, project_id, docs = news
    ana = Suggestions(ws, project_id, "ana")
    shown = ana.for_document(docs[0])
    place = next(s for s in shown if ARTICLES[0][s.start:s.end] == "Velmora")
    before = state(ws)
    decided, _ = ana.accept(docs[0], place, "SOURCE")
    assert [a.span.label for a in decided.added] == ["SOURCE"]
    assert place not in ana.for_document(docs[0])
    done = state(ws)
    assert sorted(r[-1] for r in done[1]) == ["accepted", "rejected"]
    ana.undo(decided)
    assert state(ws) == before and ana.for_document(docs[0]) == shown
    ana.redo(decided)
    assert state(ws)[0] == done[0]  # the same span row, id included
    assert [r[:-1] + (r[-1],) for r in state(ws)[1]] == done[1]


def test_accept_all_takes_what_overlaps_none_of_the_persons_spans_in_one_step(news: Any) -> None:
    ws, project_id, docs = news
    ana = Suggestions(ws, project_id, "ana")
    start = ARTICLES[0].index("Velmora")
    Annotations(ws, project_id, "ana").add_span(docs[0], "CLAIM", start, start + len("Velmora"))
    shown = ana.for_document(docs[0])
    own = Annotations(ws, project_id, "ana").spans(docs[0])
    before = state(ws)
    decided, changes = ana.accept_all(docs[0])
    spans = Annotations(ws, project_id, "ana").spans(docs[0])
    taken = {(a.span.start, a.span.end, a.span.label) for a in decided.added}
    assert taken == {s.key() for s in acceptable_together(shown, own)} and taken
    assert all(not (s.start < start + 7 and start < s.end) for s in spans if s.id != own[0].id)
    assert len(changes.spans_added) == len(taken) == len(spans) - 1
    assert all(r[-1] == "accepted" for r in state(ws)[1])
    ana.undo(decided)
    assert state(ws) == before
    ana.redo(decided)
    ana.undo(decided)
    assert state(ws) == before


def test_accepting_onto_a_clashing_span_is_refused_and_changes_nothing(news: Any) -> None:
    ws, project_id, docs = news
    ana = Suggestions(ws, project_id, "ana")
    figure = next(s for s in ana.for_document(docs[0]) if ARTICLES[0][s.start:s.end] == "34 per cent")
    Annotations(ws, project_id, "ana").add_span(docs[0], "FIGURE", figure.start, figure.start + 2)
    before = state(ws)
    with pytest.raises(SpanRuleError, match="overlaps"):
        ana.accept(docs[0], figure)
    assert state(ws) == before


def test_occurrences_come_from_the_strings_people_tagged(ws: Workspace, tmp_path: Any) -> None:
    project_id, docs = project_with(ws, tmp_path)
    start = ARTICLES[0].index("Velmora")
    Annotations(ws, project_id, "ana").add_span(docs[0], "LOCATION", start, start + len("Velmora"))
    summary = fill_layer(ws, "news", "occurrences")
    assert summary.per_label == {"LOCATION": 2}  # the tagged one and the one in the other article
    ben = Suggestions(ws, project_id, "ben")
    assert words(ARTICLES[1], ben.for_document(docs[1])) == [("Velmora", "LOCATION")]
    assert Suggestions(ws, project_id, "ana").for_document(docs[0]) == []  # her own span is not shown to her
    # A model's spans are no tagged strings: the rules layer adds nothing to what occurrences proposes.
    fill_layer(ws, "news", "rules")
    assert fill_layer(ws, "news", "occurrences").per_label == {"LOCATION": 2}


def test_sources_named_and_ordered_pick_what_is_shown() -> None:
    layers = {"rules": [Span(0, 4, "FIGURE"), Span(10, 14, "SOURCE")], "occurrences": [Span(10, 14, "SOURCE")]}
    assert visible(layers, set(), [], ["occurrences", "rules"]) == [Suggestion(0, 4, "FIGURE", "rules"),
                                                                     Suggestion(10, 14, "SOURCE", "occurrences")]
    assert visible(layers, {(0, 4, "FIGURE")}, [Span(10, 14, "SOURCE")]) == []
    assert visible(layers, set(), [], ["occurrences"]) == [Suggestion(10, 14, "SOURCE", "occurrences")]
    nested = [Suggestion(0, 20, "CLAIM", "rules"), Suggestion(0, 4, "FIGURE", "rules"),
              Suggestion(2, 6, "FIGURE", "rules"), Suggestion(30, 34, "SOURCE", "rules")]
    assert acceptable_together(nested, [Span(31, 33, "LOCATION")]) == nested[:2]


@pytest.mark.postgres
def test_deciding_on_postgres(pg_url: str, tmp_path: Any) -> None:
    ws = open_workspace(pg_url)
    try:
        project_id, docs = project_with(ws, tmp_path)
        fill_layer(ws, "news", "rules")
        ana = Suggestions(ws, project_id, "ana")
        shown = ana.for_document(docs[1])
        before = state(ws)
        accepted, _ = ana.accept(docs[1], shown[0], "LOCATION")
        rejected, _ = ana.reject(docs[1], shown[1])
        everything, _ = ana.accept_all(docs[1])
        left = ana.for_document(docs[1])
        mine = Annotations(ws, project_id, "ana").spans(docs[1])
        assert everything.added and all(any(s.start < m.end and m.start < s.end for m in mine) for s in left)
        fill_layer(ws, "news", "rules")
        assert seen(ana.for_document(docs[1])) == seen(left)
        for decided in (everything, rejected, accepted):
            ana.undo(decided)
        assert state(ws)[1] == before[1] and seen(ana.for_document(docs[1])) == seen(shown)
    finally:
        ws.close()


def test_a_labels_spans_count_the_work_of_people_not_a_models_suggestions(news: Any) -> None:
    from annotator.errors import LabelInUseError
    from annotator.services.labels import delete_label

    ws, project_id, docs = news
    assert any(s.label == "FIGURE" for s in Suggestions(ws, project_id, "ana").for_document(docs[0]))
    start = ARTICLES[0].index("400 homes")
    Annotations(ws, project_id, "ana").add_span(docs[0], "FIGURE", start, start + len("400 homes"))
    with pytest.raises(LabelInUseError, match=r"^\[A052\] 1 span\(s\) use the label 'FIGURE'"):
        delete_label(ws, "news", "FIGURE")
    assert delete_label(ws, "news", "LOCATION") == 0  # only the rules proposed it: no work of anyone is lost
    assert all(s.label != "LOCATION" for s in Suggestions(ws, project_id, "ana").for_document(docs[0]))

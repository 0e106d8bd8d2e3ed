"""Review into gold through the services: candidates side by side, accept, reject, accept all agreed, gold edited by
hand, and undo / redo that put gold back exactly; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_runners import run
from team_data import ANA, document_ids, import_spans, import_team


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "review.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def team(capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> Any:
    from annotator.services.review import Review
    from annotator.services.workspace import get_project, open_workspace

    import_team(capsys, database, tmp_path)
    ws = open_workspace(database)
    project = get_project(ws, "default")
    ids = document_ids(ws, project.id)
    yield Review(ws, project.id, "lead"), ids
    ws.close()


def _gold_state(review: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Gold as the database holds it: (id, document, start, end, label, origin) of each span, and gold's decisions
    (document, start, end, label, decision, who decided) with the reviewer's name."""
    from sqlalchemy import select

    from annotator.storage.models import AnnotatorRow, LabelRow, SpanRow, SuggestionDecisionRow

    with review.ws.unit() as repo:
        spans = repo.s.execute(select(SpanRow.id, SpanRow.document_id, SpanRow.start, SpanRow.end, LabelRow.name,
                                      SpanRow.origin).join(LabelRow, LabelRow.id == SpanRow.label_id)
                               .where(SpanRow.annotator_id == review.gold_id).order_by(SpanRow.id)).all()
        decisions = repo.s.execute(
            select(SuggestionDecisionRow.document_id, SuggestionDecisionRow.start, SuggestionDecisionRow.end,
                   LabelRow.name, SuggestionDecisionRow.decision, AnnotatorRow.kind, AnnotatorRow.name)
            .join(LabelRow, LabelRow.id == SuggestionDecisionRow.label_id)
            .join(AnnotatorRow, AnnotatorRow.id == SuggestionDecisionRow.source_id)
            .where(SuggestionDecisionRow.decided_by == review.gold_id)
            .order_by(SuggestionDecisionRow.id)).all()
    return [tuple(r) for r in spans], [tuple(r) for r in decisions]


def _undo_redo_exact(review: Any, before: Any, step: Any) -> Any:
    """Undo `step` and find gold as it was; redo it and find gold as the step left it (the same ids)."""
    after = _gold_state(review)
    undone = review.undo(step)
    assert _gold_state(review) == before
    redone = review.redo(undone)
    assert _gold_state(review) == after
    assert redone == step
    return redone


def test_candidates_side_by_side(team: Any) -> None:
    from annotator.domain.review import CandidateState

    review, ids = team
    first = review.document(ids[0])
    assert first.annotators == ("ana", "ben")
    shown = [(c.label, c.start, c.end, c.made_by, c.missed_by, c.agreed) for c in first.candidates]
    assert shown == [("SOURCE", 0, 12, ("ana", "ben"), (), True),
                     ("FIGURE", 18, 34, ("ana",), ("ben",), False),
                     ("FIGURE", 18, 24, ("ben",), ("ana",), False),
                     ("LOCATION", 40, 46, ("ana", "ben"), (), True)]
    assert all(c.state is CandidateState.OPEN for c in first.candidates) and first.gold == ()
    assert first.at(20).end == 24  # the innermost of the two FIGUREs under the caret
    assert first.neighbour_open(1).end == 34 and first.neighbour_open(41).label == "SOURCE"  # wraps around
    assert first.neighbour_open(0, (18, 34, "FIGURE")).end == 24  # the next after the current one, same start
    assert first.neighbour_open(0, (0, 12, "SOURCE"), forward=False).label == "LOCATION"
    assert first.neighbour_open(40, forward=False).end == 24
    only_ana = review.document(ids[2])
    assert only_ana.annotators == ("ana",) and only_ana.agreed_open(2) == [] and len(only_ana.agreed_open(1)) == 1


def test_a_status_makes_an_annotator_who_agreed_with_nobody(team: Any) -> None:
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations

    review, ids = team
    Annotations(review.ws, review.project_id, "cy").set_status(ids[1], Status.DONE)  # cy found nothing to tag
    second = review.document(ids[1])
    assert second.annotators == ("ana", "ben", "cy")
    assert [(c.label, c.made_by, c.missed_by) for c in second.candidates] == [
        ("SOURCE", ("ben",), ("ana", "cy")), ("LOCATION", ("ana", "ben"), ("cy",))]
    assert second.agreed_open() == []


def test_accept_copies_into_gold_and_supersedes_the_other_boundary(team: Any) -> None:
    from annotator.domain.review import CandidateState

    review, ids = team
    before = _gold_state(review)
    step = review.accept(ids[0], "FIGURE", 18, 34)
    assert [(s.start, s.end, s.label, s.origin) for s in step.added] == [(18, 34, "FIGURE", "review:lead")]
    spans, decisions = _gold_state(review)
    assert [s[1:] for s in spans] == [(ids[0], 18, 34, "FIGURE", "review:lead")] and decisions == []
    states = {(c.label, c.end): c.state for c in review.document(ids[0]).candidates}
    assert states[("FIGURE", 34)] is CandidateState.ACCEPTED
    assert states[("FIGURE", 24)] is CandidateState.SUPERSEDED  # gold has this FIGURE's place now
    assert review.accept(ids[0], "FIGURE", 18, 34).empty  # already in gold: nothing to do, nothing to undo
    assert step.changes.spans_added == (spans[0][0],)
    _undo_redo_exact(review, before, step)


def test_accept_agreed_is_one_step(team: Any) -> None:
    review, ids = team
    before = _gold_state(review)
    step = review.accept_agreed(ids[0])
    assert sorted((s.label, s.start, s.end) for s in step.added) == [("LOCATION", 40, 46), ("SOURCE", 0, 12)]
    assert len({s.id for s in step.added}) == 2
    assert [c.label for c in review.document(ids[0]).open] == ["FIGURE", "FIGURE"]
    _undo_redo_exact(review, before, step)
    assert review.accept_agreed(ids[0]).empty  # nothing agreed is open any more
    assert review.accept_agreed(ids[2]).empty  # one annotator: nothing to agree on
    assert len(review.accept_agreed(ids[2], min_annotators=1).added) == 1


def test_reject_is_a_gold_decision_and_undo_takes_it_back(team: Any) -> None:
    from annotator.domain.review import CandidateState

    review, ids = team
    before = _gold_state(review)
    step = review.reject(ids[0], "FIGURE", 18, 24)
    spans, decisions = _gold_state(review)
    # decided by the gold row, the reviewer (a person) kept as the decision's source
    assert spans == [] and decisions == [(ids[0], 18, 24, "FIGURE", "rejected", "annotator", "lead")]
    rejected = review.document(ids[0]).find("FIGURE", 18, 24)
    assert rejected is not None and rejected.state is CandidateState.REJECTED and not rejected.is_open
    _undo_redo_exact(review, before, step)
    # Accepting a rejected candidate lifts the rejection, in the same step.
    before = _gold_state(review)
    step = review.accept(ids[0], "FIGURE", 18, 24)
    spans, decisions = _gold_state(review)
    assert [s[2:5] for s in spans] == [(18, 24, "FIGURE")] and decisions == []
    _undo_redo_exact(review, before, step)


def test_reject_of_an_accepted_candidate_takes_it_out_of_gold(team: Any) -> None:
    review, ids = team
    review.accept(ids[0], "SOURCE", 0, 12)
    before = _gold_state(review)
    step = review.reject(ids[0], "SOURCE", 0, 12)
    assert [s.id for s in step.removed] == [before[0][0][0]]
    spans, decisions = _gold_state(review)
    assert spans == [] and [d[:5] for d in decisions] == [(ids[0], 0, 12, "SOURCE", "rejected")]
    _undo_redo_exact(review, before, step)  # the span comes back with its id and origin


def test_gold_edited_by_hand(team: Any) -> None:
    from annotator.errors import SpanRuleError

    review, ids = team
    before = _gold_state(review)
    added = review.add_gold(ids[0], "CLAIM", 0, 46)
    (claim,) = added.added
    assert (claim.label, claim.origin) == ("CLAIM", "review:lead")
    _undo_redo_exact(review, before, added)
    before = _gold_state(review)
    relabelled = review.relabel_gold(ids[0], claim, "SOURCE")
    assert [s[4] for s in _gold_state(review)[0]] == ["SOURCE"]
    _undo_redo_exact(review, before, relabelled)
    with pytest.raises(SpanRuleError, match=r"SOURCE \[0:12\] overlaps SOURCE \[0:46\]"):
        review.accept(ids[0], "SOURCE", 0, 12)
    assert _gold_state(review)[0] == [(claim.id, ids[0], 0, 46, "SOURCE", "review:lead")]  # refused: unchanged
    with pytest.raises(SpanRuleError, match="no label 'GPE'"):
        review.add_gold(ids[0], "GPE", 0, 5)
    with pytest.raises(SpanRuleError, match="outside the text"):
        review.add_gold(ids[0], "SOURCE", 40, 400)
    before = _gold_state(review)
    gone = review.remove_gold(ids[0], _gold_span(review, ids[0]))
    assert _gold_state(review)[0] == []
    _undo_redo_exact(review, before, gone)


def _gold_span(review: Any, document_id: int) -> Any:
    (span,) = review.document(document_id).gold
    return span


def test_undo_refuses_what_someone_else_changed(team: Any) -> None:
    from annotator.errors import SpanChangedError
    from annotator.services.review import Review

    review, ids = team
    step = review.accept_agreed(ids[0])
    other = Review(review.ws, review.project_id, "second lead")
    other.remove_gold(ids[0], step.added[0])
    state = _gold_state(review)
    with pytest.raises(SpanChangedError, match="changed or removed elsewhere"):
        review.undo(step)
    assert _gold_state(review) == state  # the other span of the step was not taken out either
    with pytest.raises(SpanChangedError):
        review.reject(ids[0], "FIGURE", 99, 120)  # a candidate nobody made


def test_gold_command_accepts_agreed_spans_once(capsys: pytest.CaptureFixture[str], database: str,
                                                tmp_path: Path) -> None:
    from annotator.services.review import Review
    from annotator.services.workspace import open_workspace

    import_team(capsys, database, tmp_path)
    code, out, err = run(capsys, "--db", database, "gold")
    assert code == 0, err
    assert out.splitlines() == ["project default: 3 documents, 3 with annotators' spans, 0 gold spans",
                                "candidates: 0 settled; open: 3 agreed, 3 disputed, 1 on documents with fewer "
                                "than 2 annotators"]
    code, out, err = run(capsys, "--db", database, "gold", "--auto-accept-agreed", "--annotator", "lead")
    assert code == 0, err
    assert out.splitlines()[1:] == ["accepted 3 agreed span(s) into gold on 2 document(s)",
                                    "candidates: 3 settled; open: 0 agreed, 3 disputed, 1 on documents with fewer "
                                    "than 2 annotators"]
    code, out, _ = run(capsys, "--db", database, "gold", "--auto-accept-agreed")  # again: nothing more
    assert "accepted 0 agreed span(s) into gold on 0 document(s)" in out and "3 gold spans" in out
    code, out, _ = run(capsys, "--db", database, "gold", "--auto-accept-agreed", "--min-annotators", "1")
    assert "accepted 1 agreed span(s) into gold on 1 document(s)" in out  # ana's alone on the third
    ws = open_workspace(database)
    try:
        layers = [Review(ws, 1, "reader").document(d).gold for d in document_ids(ws)]
    finally:
        ws.close()
    assert [[(s.start, s.end, s.label) for s in layer] for layer in layers] == [
        [(0, 12, "SOURCE"), (40, 46, "LOCATION")], [(13, 20, "LOCATION")], [(0, 4, "SOURCE")]]
    # what review made is what the gold layer exports, and gold is the export's default once there is gold
    for extra in (["--layer", "gold"], []):
        out_file = tmp_path / f"gold{len(extra)}.jsonl"
        code, _, err = run(capsys, "--db", database, "export", "--format", "prodigy", "--out", str(out_file), *extra)
        assert code == 0, err
        exported = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
        assert [[(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in exported] == [
            [(0, 12, "SOURCE"), (40, 46, "LOCATION")], [(13, 20, "LOCATION")], [(0, 4, "SOURCE")]]
    code, out, err = run(capsys, "--db", database, "gold", "--auto-accept-agreed", "--min-annotators", "0")
    assert code == 2 and not out and err.startswith("annotator: [A191] --min-annotators 0 is less than 1")


@pytest.mark.postgres
def test_in_a_team_only_the_lead_reviews(capsys: pytest.CaptureFixture[str], pg_url: str, tmp_path: Path) -> None:
    """Roles and row-level security from `annotator team init`: ana and ben annotate, lea leads."""
    import uuid

    from db_fixtures import drop_roles

    from annotator.services.review import Review
    from annotator.services.team import init_team, may_write_gold
    from annotator.services.workspace import open_workspace

    names = {who: f"{who}_{uuid.uuid4().hex[:6]}" for who in ("ana", "ben", "lea")}
    import_spans(capsys, pg_url, tmp_path, names["ana"], ANA)  # the tables' owner imports both people's work
    import_spans(capsys, pg_url, tmp_path, names["ben"], ANA[:1])
    owner = open_workspace(pg_url)
    try:
        assert may_write_gold(owner)  # the tables' owner
        init_team(owner, lead=names["lea"], annotators=[names["ana"], names["ben"]])
        first = document_ids(owner)[0]
    finally:
        owner.close()
    as_role = {who: pg_url.replace("postgres@", f"{name}@", 1) for who, name in names.items()}
    try:
        ana = open_workspace(as_role["ana"])
        try:
            assert not may_write_gold(ana)
        finally:
            ana.close()
        code, out, err = run(capsys, "--db", as_role["ana"], "--annotator", names["ana"], "gold",
                             "--auto-accept-agreed")
        assert code == 2 and not out and "[A171]" in err and len(err.splitlines()) == 1
        lead = open_workspace(as_role["lea"])
        try:
            assert may_write_gold(lead)
            review = Review(lead, 1, names["lea"])
            step = review.accept_agreed(first)
            assert sorted(s.label for s in step.added) == ["FIGURE", "LOCATION", "SOURCE"]
            rejected = review.reject(first, "FIGURE", 18, 34)  # gold's decision, which the lead may write
            review.undo(rejected)
            review.undo(step)
            assert review.document(first).gold == ()
        finally:
            lead.close()
    finally:
        database = pg_url.rpartition("/")[2]
        drop_roles(pg_url, [*names.values(), f"{database}_annotators", f"{database}_lead"])


def test_agreed_spans_that_overlap_each_other_go_into_gold_one_at_a_time() -> None:
    from annotator.domain.review import GoldSpan, review
    from annotator.domain.spans import Span

    # Imported files may hold two overlapping spans of one label from one person; both people made both.
    both = [Span(0, 5, "LOCATION"), Span(3, 9, "LOCATION"), Span(3, 9, "SOURCE")]
    current = review(1, ["ana", "ben"], {"ana": both, "ben": both}, [], {})
    assert [(c.start, c.label) for c in current.agreed_open()] == [(0, "LOCATION"), (3, "SOURCE")]
    settled = review(1, ["ana", "ben"], {"ana": both, "ben": both}, [GoldSpan(0, 5, "LOCATION", 7, "x")], {})
    assert [c.state.value for c in settled.candidates] == ["accepted", "superseded", "open"]

"""Moving a span's edges by one token: the rule (pure), the service's one UPDATE on SQLite and PostgreSQL, and a
suggestion accepted with moved edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from db_fixtures import Counter, one_article

from annotator.domain.edges import EdgeMove, moved
from annotator.domain.spans import Span, TokenBounds
from annotator.errors import SpanChangedError, SpanEdgeError, SpanRuleError

TEXT = "Crews left Velmora\n\nfor Ostrava, on Monday."


def bounds(text: str) -> TokenBounds:
    from annotator.nlp.tokens import token_bounds

    return token_bounds(text, "en")


def span_of(phrase: str, text: str = TEXT) -> tuple[int, int]:
    return text.index(phrase), text.index(phrase) + len(phrase)


def text_of(found: tuple[int, int], text: str = TEXT) -> str:
    return text[found[0]:found[1]]


@pytest.mark.parametrize(("phrase", "move", "after"), [
    ("Velmora", EdgeMove.GROW_END, "Velmora\n\nfor"),  # the blank line is a token of its own: stepped over
    ("for Ostrava", EdgeMove.GROW_START, "Velmora\n\nfor Ostrava"),
    ("Ostrava", EdgeMove.GROW_END, "Ostrava,"),  # punctuation is a token
    ("left Velmora", EdgeMove.SHRINK_START, "Velmora"),
    ("for Ostrava, on", EdgeMove.SHRINK_END, "for Ostrava,"),
    ("Crews left", EdgeMove.SHRINK_END, "Crews"),
])
def test_an_edge_moves_one_token_and_never_onto_whitespace(phrase: str, move: EdgeMove, after: str) -> None:
    assert text_of(moved(TEXT, *span_of(phrase), move, bounds(TEXT), "LOCATION")) == after


def test_an_edge_off_the_token_grid_snaps_onto_it() -> None:
    start, end = span_of("Ostrava")
    assert text_of(moved(TEXT, start + 2, end, EdgeMove.GROW_START, bounds(TEXT), "LOCATION")) == "Ostrava"
    assert text_of(moved(TEXT, start, end - 2, EdgeMove.GROW_END, bounds(TEXT), "LOCATION")) == "Ostrava"
    assert text_of(moved(TEXT, start, end + 3, EdgeMove.SHRINK_END, bounds(TEXT), "LOCATION")) == "Ostrava,"


def test_no_token_to_take_or_an_empty_span_is_refused_with_a_code() -> None:
    with pytest.raises(SpanEdgeError, match=r"\[A215\].*empty span"):
        moved(TEXT, *span_of("Velmora"), EdgeMove.SHRINK_END, bounds(TEXT), "LOCATION")
    with pytest.raises(SpanEdgeError, match=r"\[A215\].*empty span"):
        moved(TEXT, *span_of("Velmora"), EdgeMove.SHRINK_START, bounds(TEXT), "LOCATION")
    with pytest.raises(SpanEdgeError, match=r"LOCATION span \[0:5\] starts the text"):
        moved(TEXT, *span_of("Crews"), EdgeMove.GROW_START, bounds(TEXT), "LOCATION")
    with pytest.raises(SpanEdgeError, match="ends the text"):
        moved(TEXT, *span_of("Monday."), EdgeMove.GROW_END, bounds(TEXT), "LOCATION")
    assert issubclass(SpanEdgeError, SpanRuleError)


def test_without_a_tokenizer_the_words_between_spaces_are_the_steps() -> None:
    assert text_of(moved(TEXT, *span_of("Velmora"), EdgeMove.GROW_END, None, "LOCATION")) == "Velmora\n\nfor"
    assert text_of(moved(TEXT, *span_of("Ostrava, on"), EdgeMove.SHRINK_END, None, "LOCATION")) == "Ostrava,"


def _annotations(target: str, tmp_path: Path) -> tuple[Any, Any, int]:
    return one_article(target, tmp_path, TEXT)


def test_a_move_is_one_update_checked_like_a_key_press_on_sqlite_and_postgres(database: str, tmp_path: Path) -> None:
    ws, ana, doc = _annotations(database, tmp_path)
    try:
        ana.document(doc)
        velmora, _ = ana.add_span(doc, "LOCATION", *span_of("Velmora"))
        ostrava, _ = ana.add_span(doc, "LOCATION", *span_of("Ostrava"))
        figure, _ = ana.add_span(doc, "FIGURE", *span_of("Velmora"))
        counter = Counter(ws.db.engine)
        with counter.counting():
            grown, changes = ana.move_span(velmora.id, *span_of("left Velmora"), expected=velmora, document_id=doc)
        assert (len(counter.sent), counter.transactions) == (2, ["BEGIN", "COMMIT"])
        assert grown == Span(*span_of("left Velmora"), "LOCATION", velmora.id, "tester")
        assert changes.spans_added == changes.spans_removed == (velmora.id,)
        assert sorted((s.label, text_of((s.start, s.end))) for s in ana.spans(doc)) == [
            ("FIGURE", "Velmora"), ("LOCATION", "Ostrava"), ("LOCATION", "left Velmora")]

        before = ana.spans(doc)
        with pytest.raises(SpanRuleError, match=r"\[A020\].*overlaps LOCATION"):  # onto Ostrava
            ana.move_span(grown.id, grown.start, span_of("Ostrava")[1], expected=grown, document_id=doc)
        with pytest.raises(SpanChangedError, match=r"\[A091\]"):  # a picture that is no longer the row
            ana.move_span(velmora.id, *span_of("Velmora"), expected=velmora, document_id=doc)
        with pytest.raises(SpanRuleError, match="outside the text or empty"):
            ana.move_span(grown.id, grown.start, grown.start, expected=grown, document_id=doc)
        assert ana.spans(doc) == before  # nothing changed by a refusal
        # A span of another label may cover the moved one (the FIGURE on Velmora stays as it is).
        back, _ = ana.move_span(grown.id, *span_of("Velmora"), expected=grown, document_id=doc)
        assert ana.spans(doc) == sorted([back, ostrava, figure], key=lambda s: (s.start, -s.end, s.id or 0))
    finally:
        ws.close()


def test_a_suggestion_accepted_at_moved_offsets_records_both_decisions(database: str, tmp_path: Path) -> None:
    from annotator.domain.suggestions import Suggestion
    from annotator.services.deciding import Suggestions
    from annotator.storage.suggestion_store import SuggestionStore

    ws, ana, doc = _annotations(database, tmp_path)
    try:
        people = Suggestions(ws, ana.project_id, "tester")
        suggestion = Suggestion(*span_of("Ostrava"), "LOCATION", "rules")
        decided, changes = people.accept(doc, suggestion, at=span_of("for Ostrava"))
        assert [(s.label, text_of((s.start, s.end))) for s in ana.spans(doc)] == [("LOCATION", "for Ostrava")]
        assert [(c.label, text_of((c.start, c.end)), c.after.decision.value if c.after else None)
                for c in decided.decisions] == [("LOCATION", "for Ostrava", "accepted"),
                                                ("LOCATION", "Ostrava", "rejected")]
        with ws.unit() as repo:
            assert SuggestionStore(repo.s).rejected(doc, ana.annotator_id) == {(*span_of("Ostrava"), "LOCATION")}
        people.undo(decided)
        assert ana.spans(doc) == [] and people.rejected(doc) == set()
        people.redo(decided)
        assert [text_of((s.start, s.end)) for s in ana.spans(doc)] == ["for Ostrava"] and changes.spans_added
    finally:
        ws.close()

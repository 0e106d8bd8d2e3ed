"""Relation types and relations over spans, sentence boundaries, and the automatic link proposals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.labels import labels_from_json
from annotator.domain.links import Score, propose_links, score_links
from annotator.domain.relations import (
    Relation,
    RelationType,
    relation_type,
    relation_types_from_json,
    validate_relation,
)
from annotator.domain.spans import Span
from annotator.errors import RelationError
from annotator.nlp.sentences import sentence_bounds
from annotator.resources import resource

DEFAULT_TYPES = relation_types_from_json(resource("labels.json").read_text(encoding="utf-8"))


def spans_of(text: str, *marks: tuple[str, str]) -> list[Span]:
    """Spans by their text: (label, words), each the first occurrence."""
    found = []
    for label, words in marks:
        start = text.index(words)
        found.append(Span(start, start + len(words), label))
    return found


def links(text: str, spans: list[Span], types: tuple[RelationType, ...] = DEFAULT_TYPES) -> set:
    return {(r.type, text[r.head.start:r.head.end], text[r.child.start:r.child.end])
            for r in propose_links(text, spans, sentence_bounds(text, "en"), types)}


def test_default_types_join_the_default_labels() -> None:
    text = resource("labels.json").read_text(encoding="utf-8")
    assert [(t.name, t.head_label, t.child_label) for t in DEFAULT_TYPES] == [
        ("said_by", "CLAIM", "SOURCE"), ("where", "CLAIM", "LOCATION"), ("figure", "CLAIM", "FIGURE")]
    labels = labels_from_json(text)
    assert all(labels.get(t.head_label) and labels.get(t.child_label) for t in DEFAULT_TYPES)
    assert {t.head_label for t in DEFAULT_TYPES} == labels.statements()
    assert relation_type("where", DEFAULT_TYPES).child_label == "LOCATION"
    assert relation_types_from_json('{"labels": []}') == ()
    with pytest.raises(RelationError, match=r"\[A120\] relation type 'cause'"):
        relation_type("cause", DEFAULT_TYPES)
    with pytest.raises(RelationError, match="relation type name '' is empty"):
        RelationType("", "CLAIM", "SOURCE")
    with pytest.raises(RelationError, match="child label"):
        RelationType("said_by", "CLAIM", "SOURCE\n")


def test_validate_relation() -> None:
    claim, source, place = Span(0, 20, "CLAIM", annotator="ana"), Span(22, 30, "SOURCE", annotator="ana"), \
        Span(5, 9, "LOCATION", annotator="ana")
    validate_relation(Relation(claim, source, "said_by"), DEFAULT_TYPES)
    validate_relation(Relation(claim, place, "where"), DEFAULT_TYPES)
    with pytest.raises(RelationError, match="goes from CLAIM to SOURCE, not from CLAIM .* to LOCATION"):
        validate_relation(Relation(claim, place, "said_by"), DEFAULT_TYPES)
    with pytest.raises(RelationError, match="to itself"):
        validate_relation(Relation(Span(0, 20, "CLAIM"), Span(0, 20, "CLAIM"), "said_by"), DEFAULT_TYPES)
    with pytest.raises(RelationError, match="two layers"):
        validate_relation(Relation(claim, source._replace(annotator="rules"), "said_by"), DEFAULT_TYPES)


def test_sentences_split_at_line_breaks_and_give_an_opening_quote_to_the_next_sentence() -> None:
    text = 'Headline without a stop\n\n"First," she said. "Second one. Third."\r\nLast'
    assert [text[s:e] for s, e in sentence_bounds(text, "en")] == [
        "Headline without a stop", '"First," she said.', '"Second one.', 'Third."', "Last"]
    assert sentence_bounds("", "en") == []


def test_figures_and_places_inside_a_claim() -> None:
    text = "More than 17,000 people crossed into Poland on Sunday. 300 stayed in Lviv."
    spans = spans_of(text, ("CLAIM", "More than 17,000 people crossed into Poland on Sunday"),
                     ("FIGURE", "More than 17,000 people"), ("LOCATION", "Poland"), ("FIGURE", "300 stayed"),
                     ("LOCATION", "Lviv"))
    claim = "More than 17,000 people crossed into Poland on Sunday"
    assert links(text, spans) == {("figure", claim, "More than 17,000 people"), ("where", claim, "Poland")}


def test_the_speaker_after_a_quotation_that_runs_over_a_sentence_boundary() -> None:
    text = ('"More than 17,000 people crossed the border during the day. The queue is 20 km long," '
            "S. Gaidajus wrote on his Telegram channel.")
    spans = spans_of(text, ("CLAIM", "More than 17,000 people crossed the border during the day"),
                     ("CLAIM", "The queue is 20 km long"), ("SOURCE", "S. Gaidajus"))
    assert {(t, h) for t, h, c in links(text, spans) if c == "S. Gaidajus"} == {
        ("said_by", "More than 17,000 people crossed the border during the day"),
        ("said_by", "The queue is 20 km long")}


@pytest.mark.parametrize(("text", "claim", "source"), [
    ("According to the ministry, 40 schools are closed.", "40 schools are closed", "the ministry"),
    ("40 schools are closed, according to figures from the ministry.", "40 schools are closed", "the ministry"),
    ("40 schools are closed, the ministry said on Monday.", "40 schools are closed", "the ministry"),
    ("The mayor, Ana Horvat, told reporters that 40 schools are closed.", "40 schools are closed",
     "The mayor, Ana Horvat"),
    ('The mayor said: "40 schools are closed."', "40 schools are closed", "The mayor"),
])
def test_the_source_of_the_reporting_verb(text: str, claim: str, source: str) -> None:
    spans = spans_of(text, ("CLAIM", claim), ("SOURCE", source))
    assert links(text, spans) == {("said_by", claim, source)}


def test_a_pronoun_speaker_takes_the_last_source_of_the_paragraph_and_no_attribution_takes_none() -> None:
    text = ("The mayor spoke on Monday. She added that 40 schools are closed.\n"
            "Buses run again. 12 lines are open.")
    spans = spans_of(text, ("SOURCE", "The mayor"), ("CLAIM", "40 schools are closed"),
                     ("CLAIM", "12 lines are open"))
    assert links(text, spans) == {("said_by", "40 schools are closed", "The mayor")}


def test_a_project_with_its_own_labels_and_types() -> None:
    text = "Officials said 40 schools in Dorvan are closed."
    spans = spans_of(text, ("SOURCE", "Officials"), ("STATEMENT", "40 schools in Dorvan are closed"),
                     ("PLACE", "Dorvan"))
    types = (RelationType("said_by", "STATEMENT", "SOURCE"), RelationType("located", "STATEMENT", "PLACE"))
    assert links(text, spans, types) == {("said_by", "40 schools in Dorvan are closed", "Officials"),
                                         ("located", "40 schools in Dorvan are closed", "Dorvan")}
    assert links(text, spans) == set()  # the default types join CLAIM, which this text has none of


def test_scores_per_type() -> None:
    claim, other = Span(0, 10, "CLAIM"), Span(20, 30, "CLAIM")
    source, figure = Span(12, 15, "SOURCE"), Span(2, 4, "FIGURE")
    gold = [Relation(claim, source, "said_by"), Relation(claim, figure, "figure"),
            Relation(other, source, "said_by")]
    proposed = [Relation(claim, source, "said_by"), Relation(claim, figure, "figure"),
                Relation(other, figure, "figure")]
    assert score_links(proposed, gold) == {"figure": Score("figure", 2, 1, 1), "said_by": Score("said_by", 1, 2, 1)}
    assert score_links(proposed, gold)["figure"].precision == 0.5
    assert score_links(proposed, gold)["said_by"].recall == 0.5


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.data())
def test_proposals_on_any_spans_and_sentences_link_only_what_the_types_allow(data: st.DataObject) -> None:
    pieces = st.sampled_from(list('ab ."\n,') + [" said ", " she said", "according to "])
    text = data.draw(st.lists(pieces, min_size=2, max_size=30).map("".join))
    n = len(text)
    spans = []
    for _ in range(data.draw(st.integers(0, 8))):
        start = data.draw(st.integers(0, n - 1))
        spans.append(Span(start, data.draw(st.integers(start + 1, n)),
                          data.draw(st.sampled_from(["CLAIM", "SOURCE", "LOCATION", "FIGURE"]))))
    cuts = sorted(set(data.draw(st.lists(st.integers(0, n), max_size=6))) | {0, n})
    sentences = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b]
    for relation in propose_links(text, spans, sentences, DEFAULT_TYPES):
        validate_relation(relation, DEFAULT_TYPES)
        assert relation.head in spans and relation.child in spans

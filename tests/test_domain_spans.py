"""Span rules and snapping, without a database or spaCy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.domain.labels import LabelSet, validate_key, validate_name
from annotator.domain.spans import Span, TokenBounds, dedupe, find_conflicts, snap, token_at, validate_span
from annotator.errors import LabelError, LabelNameError, SpanRuleError


def whitespace_bounds(text: str) -> TokenBounds:
    starts, ends, i = [], [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < len(text) and not text[j].isspace():
            j += 1
        starts.append(i)
        ends.append(j)
        i = j
    return TokenBounds(tuple(starts), tuple(ends))


def test_snap_grows_outward_to_whole_tokens() -> None:
    text = "More than 17,000 people left"
    bounds = whitespace_bounds(text)
    assert snap(text, 2, 8, bounds) == (0, 9)  # "re tha" -> "More than"
    assert text[slice(*snap(text, 11, 13, bounds))] == "17,000"


def test_snap_never_starts_or_ends_on_whitespace() -> None:
    text = "a  big   dog"
    bounds = whitespace_bounds(text)
    assert snap(text, 1, 9, bounds) == (3, 6)  # "  big   " -> "big"
    assert snap(text, 4, 10, bounds) == (3, 12)  # "ig   d" -> "big   dog"
    assert snap(text, 1, 3, bounds) is None  # whitespace only


def test_token_at_caret_takes_the_word_around_or_before() -> None:
    text = "said Olena Marchuk."
    bounds = whitespace_bounds(text)
    assert token_at(text, 7, bounds) == (5, 10)
    assert token_at(text, 10, bounds) == (5, 10)  # caret right after the word
    assert token_at("a  b", 2, whitespace_bounds("a  b")) is None


def test_same_label_may_not_overlap_other_labels_may_nest() -> None:
    text = "More than 17,000 people have left the city"
    claim = Span(0, len(text), "CLAIM")
    figure = Span(0, 23, "FIGURE")
    validate_span(text, figure, [claim])  # nesting in another label is fine
    with pytest.raises(SpanRuleError, match="overlaps"):
        validate_span(text, Span(10, 30, "FIGURE"), [figure])


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, 999), ("0", 3), (True, 3)])
def test_out_of_range_and_non_integer_offsets_are_refused(start: object, end: object) -> None:
    with pytest.raises(SpanRuleError):
        validate_span("short text", Span(start, end, "X"))  # type: ignore[arg-type]


def test_conflicts_and_duplicates() -> None:
    spans = [Span(0, 5, "A"), Span(0, 5, "A"), Span(3, 8, "A"), Span(3, 8, "B")]
    kept, repeats = dedupe(spans)
    assert repeats == 1 and len(kept) == 3
    assert find_conflicts(kept) == [(Span(0, 5, "A"), Span(3, 8, "A"))]


def test_label_names_and_keys() -> None:
    for name in ("Restaurant Name", "Restaurant_Name", "B-LOC", "ИСТОЧНИК", "ОРГ1", "مصدر", "x" * 64):
        assert validate_name(name) == name  # kept as written: no two of these become one label
    for bad in ("", "   ", " SOURCE", "SOURCE ", "A\tB", "A\nB", "A\u2028B", "A\x00B", "x" * 65):
        with pytest.raises(LabelNameError):
            validate_name(bad)
    assert validate_key("s") == "S"
    with pytest.raises(LabelError):
        validate_key("ab")


def test_default_label_set_has_keys_and_guidelines() -> None:
    from annotator.services.workspace import default_labels

    labels: LabelSet = default_labels()
    assert labels.names() == ["SOURCE", "LOCATION", "FIGURE", "CLAIM"]
    assert [labels.by_key(k).name for k in "1234"] == labels.names()  # type: ignore[union-attr]
    assert [labels.by_key(k).name for k in "slfc"] == labels.names()  # type: ignore[union-attr]
    assert all(len(label.description) > 100 for label in labels)


texts = st.text(alphabet=st.sampled_from(list("ab c\t\r\n\u00a0🇺🇦é\u0301,.")), min_size=1, max_size=40)


@given(texts, st.integers(0, 40), st.integers(0, 40))
def test_snap_property(text: str, a: int, b: int) -> None:
    bounds = whitespace_bounds(text)
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    result = snap(text, start, end, bounds)
    if result is None:
        assert text[start:end].strip() == "" or start == end
        return
    s, e = result
    assert s < e and not text[s].isspace() and not text[e - 1].isspace()
    assert bounds.is_aligned(s, e)
    # outward: it covers every non-space character of the original range
    covered = [i for i in range(start, end) if not text[i].isspace()]
    assert all(s <= i < e for i in covered)

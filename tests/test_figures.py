"""FIGURE normalisation: number styles, qualifiers, units, ranges, comparisons, and the attributes' round trip."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.figures import Figure, Qualifier, figure_from_attrs, numeral_value, parse_figure
from annotator.errors import FigureError


@pytest.mark.parametrize(("numeral", "value"), [
    ("17,000", 17000), ("17 000", 17000), ("17\u00a0000", 17000), ("17.000", 17000), ("1.234.567", 1234567),
    ("1,234,567", 1234567), ("1.5", 1.5), ("3,5", 3.5), ("0.125", 0.125), ("1.234,5", 1234.5),
    ("1,234.5", 1234.5), ("42", 42),
])
def test_numerals_in_the_styles_news_writes(numeral: str, value: float) -> None:
    assert numeral_value(numeral) == value


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("17k signatures", 17000, "signatures"),
    ("seventeen thousand people", 17000, "people"),
    ("1.5 million people", 1_500_000, "people"),
    ("34 per cent", 34, "per cent"),
    ("34%", 34, "per cent"),
    ("$4.5 million", 4_500_000, "USD"),
    ("€2.3bn", 2_300_000_000, "EUR"),
    ("UAH 200 million", 200_000_000, "UAH"),
    ("4.5 million dollars", 4_500_000, "USD"),
    ("two settlements", 2, "settlements"),
    ("a dozen villages", 12, "villages"),
    ("half a million people", 500_000, "people"),
    ("one and a half million people", 1_500_000, "people"),
    ("a quarter of a million people", 250_000, "people"),
    ("three hundred and twenty miners", 320, "miners"),
    ("more than a year", 1, "year"),
    ("60mm", 60, "mm"),
    ("116,000 tonnes of grain", 116_000, "tonnes"),
    ("six hours a day", 6, "hours"),
])
def test_values_and_units(text: str, value: float, unit: str) -> None:
    figure = parse_figure(text)
    assert (figure.value, figure.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(("text", "qualifier"), [
    ("more than 17,000 people", Qualifier.MORE_THAN), ("no fewer than 19 ships", Qualifier.AT_LEAST),
    ("fewer than 300 residents", Qualifier.FEWER_THAN), ("just over 8,000 students", Qualifier.MORE_THAN),
    ("just under 8,000 students", Qualifier.FEWER_THAN), ("as many as 150 protesters", Qualifier.UP_TO),
    ("an estimated 4,500 workers", Qualifier.ABOUT), ("exactly 1,204 ballots", Qualifier.EXACTLY),
    ("17,000 or more people", Qualifier.AT_LEAST), ("5,000+ troops", Qualifier.MORE_THAN),
    ("some 40 or so boats", Qualifier.ABOUT), ("1,204 ballots", None),
    ("overseas aid of 40 tonnes", None),  # "over" only as a whole word
])
def test_qualifiers_before_and_after_the_number(text: str, qualifier: Qualifier | None) -> None:
    assert parse_figure(text).qualifier is qualifier


def test_ranges_share_a_scale_written_once() -> None:
    assert parse_figure("3-4 million homes") == Figure(low=3e6, high=4e6, unit="homes")
    assert parse_figure("between 300 and 400 people") == Figure(low=300, high=400, unit="people")
    assert parse_figure("from $2 to $3 billion") == Figure(low=2e9, high=3e9, unit="USD")
    assert parse_figure("tens of thousands of people") == Figure(low=20_000, high=100_000, unit="people")


def test_comparisons_have_a_factor_and_a_reference() -> None:
    london = parse_figure("at least twice the size of Greater London")
    assert london == Figure(unit="size", qualifier=Qualifier.AT_LEAST, factor=2, reference="Greater London")
    assert london.comparative and london.value is None
    assert parse_figure("ten times as many people as last year") == Figure(unit="people", factor=10,
                                                                            reference="last year")
    assert parse_figure("three times more than in 2019") == Figure(factor=3, reference="in 2019")
    assert parse_figure("two thirds of the schools").factor == pytest.approx(2 / 3)
    # "half a million" is a number, not half of something.
    assert parse_figure("half a million people") == Figure(value=500_000, unit="people")


def test_text_without_a_number_is_empty_not_an_error() -> None:
    for text in ("", "   ", "the governor", "hundred-year flood"):
        assert parse_figure(text).value is None
    assert parse_figure("the governor").empty
    assert not parse_figure("two").empty


def test_number_words_of_the_project_language() -> None:
    assert parse_figure("сімнадцять тисяч людей", lang="uk").value == 17000
    assert parse_figure("семнадцать тысяч человек", lang="ru").value == 17000
    # A language number-parser does not know falls back to digits and English words.
    assert parse_figure("17 000 personnes", lang="fr").value == 17000


def test_attrs_round_trip_and_refusals() -> None:
    figure = parse_figure("at least twice the size of Greater London")
    assert figure_from_attrs(figure.as_attrs()) == figure
    assert figure_from_attrs({}) == Figure()
    with pytest.raises(FigureError, match=r"\[A121\] figure qualifier 'roughly'"):
        figure_from_attrs({"qualifier": "roughly"})
    with pytest.raises(FigureError, match=r"\[A121\] figure field 'value' is 'many'"):
        figure_from_attrs({"value": "many"})
    with pytest.raises(FigureError, match="'low' is inf"):
        figure_from_attrs({"low": float("inf")})
    with pytest.raises(FigureError, match="'unit'"):
        figure_from_attrs({"unit": 3})


def test_the_number_library_is_imported_only_when_a_word_number_needs_it() -> None:
    code = ("import sys; from annotator.domain.figures import parse_figure; "
            "assert parse_figure('17,000 people').value == 17000; assert 'number_parser' not in sys.modules; "
            "assert parse_figure('two people').value == 2; assert 'number_parser' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


_PIECES = st.sampled_from(list("0123456789 ,.-+%$€£k") + [
    "more than ", "about ", "twice ", " times ", "half ", "a ", "of ", "the ", "million", "thousand", "and ",
    "to ", "between ", "dozen", "hundreds", "tens of ", "size ", "as many ", "as ", "-fold", "٣", "²", "9" * 400])


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join), st.sampled_from(["en", "uk", "fr"]))
def test_any_text_gives_a_figure_with_finite_numbers(text: str, lang: str) -> None:
    figure = parse_figure(text, lang)
    assert all(n is None or math.isfinite(n) for n in (figure.value, figure.low, figure.high, figure.factor))
    assert figure_from_attrs(json.loads(json.dumps(figure.as_attrs(), allow_nan=False))) == figure


# Words that change how a numeral and the word after it read: scales, fractions, comparisons, currencies, per cent,
# the links of a range ("to", "and") and words that only start like them.
_TRICKY_WORDS = ["thousand", "thousands", "million", "mn", "mns", "bn", "k", "m", "times", "fold", "half", "halves",
                 "third", "thirds", "quarter", "quarters", "tenths", "percent", "pc", "pct", "pp", "dollars",
                 "euro", "sterling", "hryvnias", "to", "tonnes", "today", "tothree", "and", "andone", "andtwenty",
                 "anda", "of", "or", "more", "people", "homes", "plus", "dozen", "one", "a", "an"]
_NUMERALS = st.one_of(st.integers(0, 10**12).map(lambda n: f"{n:,}"), st.integers(0, 10**6).map(str),
                      st.from_regex(r"\A\d{1,4}(?:[ ,.]\d{1,4}){0,3}\Z"))


@settings(max_examples=600, derandomize=True, deadline=None)
@given(_NUMERALS, st.one_of(st.just(""), st.sampled_from(_TRICKY_WORDS),
                            st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)),
       st.sampled_from(["en", "uk"]))
def test_the_short_reading_of_a_numeral_and_a_word_is_the_general_one(numeral: str, word: str, lang: str) -> None:
    from annotator.domain.figures import _parse, _plain

    text = f"{numeral} {word}" if word else numeral
    short = _plain(text, lang)
    if short is not None:
        assert short == _parse(text, lang), text


def test_the_usual_figures_take_the_short_reading() -> None:
    from annotator.domain.figures import _plain

    assert _plain("17,000 people", "en") == Figure(value=17000, unit="people")
    assert _plain("116,000", "en") == Figure(value=116000)
    assert _plain("12,400 tonnes", "en") == Figure(value=12400, unit="tonnes")  # "to..." that starts no range
    assert _plain("40 dollars", "en") == Figure(value=40, unit="USD")
    for general in ("3 million people", "3 quarters", "5 times", "3 to 4", "more than 5 people", "17k people",
                    "17,000 People", "5-plus", "17,000 people."):
        assert _plain(general, "en") is None, general

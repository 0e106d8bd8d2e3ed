"""FIGURE suggestions: numbers with their unit or noun and their hedge ("more than 17,000 people").

Decided: a bare year ("in 2024", "the 1990s"), a day of a date ("24 February", "March 3"), a time ("10:30"),
a time ago ("three years ago"), a page, article or route number ("page 12", "Route 66") and an ordinal ("third",
"3rd") are not figures; a bare count ("shot down 14") is, and so is "24 hours" (a duration is a checkable
quantity); "a week", "an hour" are figures after a hedge ("up to a week", "more than a year"), not alone. A number
takes two nouns when the second is plural ("three fishing boats"), a sum of money none ("a [£8m] fee"). Fractions of a
whole or of a change are figures ("a quarter of", "more than half of", "fell by a third"); a duration after "every",
"the past", "the next" or before "to June" is a period, and "over" before one is no hedge ("$12m over four years"); a
number between commas after a name is an age ("Varga, 52,"). A figure in a headline (a line that ends no
sentence) is not proposed (rules.py). Number words and the hedges are English; in other languages digits and the
language's own number words still match, with the lowercase word after them, without hedges.
"""

from __future__ import annotations

import re
from typing import Any

HEDGES = (
    ("more", "than"), ("less", "than"), ("fewer", "than"), ("at", "least"), ("at", "most"), ("up", "to"),
    ("as", "many", "as"), ("as", "much", "as"), ("close", "to"), ("just", "over"), ("just", "under"),
    ("an", "estimated"), ("about",), ("around",), ("roughly",), ("almost",), ("nearly",), ("some",),
    ("over",), ("approximately",), ("only",), ("just",), ("under",),
    ("well", "over"), ("well", "above"), ("well", "below"), ("in", "excess", "of"), ("upwards", "of"),
    ("closer", "to"), ("below",), ("above",), ("higher", "than"), ("lower", "than"), ("greater", "than"),
    ("smaller", "than"),
)
MONTHS = frozenset(["january", "february", "march", "april", "may", "june", "july", "august", "september",
                    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                    "sept", "oct", "nov", "dec"])
ORDINALS = frozenset(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                      "tenth", "eleventh", "twelfth", "twentieth", "hundredth", "thousandth", "millionth"])
# "m." is how the tokenizer leaves "£310m." at a sentence's end (an abbreviation's full stop).
_SCALES = ["thousand", "million", "billion", "trillion", "bn", "m", "m.", "k", "tn", "mln"]
# Signs and ISO codes of currencies, and the signs that a letter makes local ("US$", "HK$", "kr", "zł").
_CURRENCIES = ["$", "€", "£", "¥", "₴", "₽", "₹", "usd", "eur", "gbp", "uah", "chf", "nok", "sek", "dkk", "pln", "czk",
               "huf", "ron", "zar", "jpy", "cny", "inr", "aud", "cad", "nzd", "hkd", "sgd", "rub", "brl", "mxn", "us$",
               "a$", "c$", "nz$", "hk$", "s$", "r$", "rs", "kr", "zł", "kč"]
_PERCENT = ["%", "percent", "pc"]
_MULTIPLES = ["twice", "half", "double", "triple", "thrice"]
_MEASURES = ["size", "area", "number", "population", "amount", "length", "height", "weight", "volume", "level"]
_NO_NUMBER_BEFORE = frozenset(["page", "pages", "p.", "pp.", "chapter", "section", "article", "no.", "nr.",
                               "number", "route", "paragraph", "room", "flight", "line", "verse", "figure",
                               "fig.", "table", "item", "act", "clause"])
_AFTER_TIME = frozenset(["am", "pm", "a.m.", "p.m.", "gmt", "utc", "cet", "eet", "o'clock"])
_SMALL_WORDS = frozenset(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])
_TIME_UNITS = ["second", "minute", "hour", "day", "week", "fortnight", "month", "year", "decade", "century"]
# Words before a duration that make it a period or a rhythm, not a quantity: "in the past five years", "every two
# hours", "over the next three months".
_PERIOD_BEFORE = frozenset(["every", "past", "last", "next", "coming", "first"])
# Parts of a whole: "a quarter of it", "more than half of the cases", "two-thirds of the vote".
FRACTIONS = ["half", "halves", "third", "thirds", "quarter", "quarters", "fifth", "fifths", "tenth", "tenths"]
_FRACTION_COUNTS = frozenset(["a", "one", "two", "three", "four", "nine"])
# Comparatives after a number are not its noun: "about 6,000 fewer than in 2019".
_COMPARATIVES = ["fewer", "higher", "lower", "larger", "smaller", "greater", "bigger", "earlier", "later", "longer",
                 "shorter", "cheaper", "dearer", "older", "younger"]

_NUM: dict[str, Any] = {"LIKE_NUM": True, "LOWER": {"NOT_IN": sorted(ORDINALS)}}
_ORDINAL = re.compile(r"\d(st|nd|rd|th)$")
# A currency the tokenizer leaves joined to its number: "R350" (rand), "HK$4bn", "Rs400".
_PREFIXED = r"^(R|Rs|R\$|[A-Z]{1,2}\$)\d[\d.,]*(bn|m|k|tn)?$"
# A number the tokenizer leaves joined to its scale ("3.1bn", "12.5p": pence) or to its currency (_PREFIXED); one
# pattern for both (every pattern costs the matcher about as much as any other).
_NUM_JOINED: dict[str, Any] = {"TEXT": {"REGEX": r"^\d[\d.,]*(bn|m|k|tn|p)$|" + _PREFIXED}}
_THOUSANDS: dict[str, Any] = {"TEXT": {"REGEX": r"^\d{3}$"}, "OP": "?"}  # "17 000": a space between thousands
_NOUN: dict[str, Any] = {"IS_ALPHA": True, "IS_LOWER": True, "IS_STOP": False,
                         "LOWER": {"NOT_IN": sorted(MONTHS) + _COMPARATIVES}}
_PLURAL: dict[str, Any] = {**_NOUN, "TEXT": {"REGEX": r"[^s]s$"}}
_WORD: dict[str, Any] = {"IS_ALPHA": True, "IS_LOWER": True}


def patterns() -> list[list[dict[str, Any]]]:
    """Matcher patterns for the core of a figure; hedges and the checks that drop non-figures come after."""
    Token = dict[str, Any]
    currency: Token = {"LOWER": {"IN": _CURRENCIES}, "OP": "?"}
    scale: Token = {"LOWER": {"IN": _SCALES}, "OP": "?"}
    out: list[list[dict[str, Any]]] = []
    # Every pattern costs the matcher about as much as any other: few patterns, and checks in Python (keep, figure_end).
    tails: list[list[Token]] = [
        [], [_NOUN, {**_PLURAL, "OP": "?"}],  # "three fishing boats"; "40 homes residents" is cut by figure_end()
        [_WORD, {"ORTH": "-"}, _WORD, _NOUN],  # "two urban-type settlements"
        [{"LOWER": {"IN": _PERCENT}}], [{"LOWER": "per"}, {"LOWER": "cent"}],
    ]
    for number in (_NUM, _NUM_JOINED):
        core = [currency, number, _THOUSANDS, scale]
        out += [[*core, *tail] for tail in tails]
        out.append([number, {"LOWER": "in"}, number, {**_NOUN, "OP": "?"}])  # "one in five patients", "one in three"
        out.append([number, {"LOWER": "out"}, {"LOWER": "of"}, number, {**_NOUN, "OP": "?"}])  # "nine out of ten"
    measure: list[Token] = [{"LOWER": "the"}, {"LOWER": {"IN": _MEASURES}}, {"LOWER": "of"}]
    named: Token = {"IS_TITLE": True, "OP": "+"}
    # "the city's old town": a possessive, then up to two words
    owned: list[Token] = [{"LOWER": "the"}, {"IS_ALPHA": True}, {"ORTH": {"IN": ["'s", "’s"]}}, {"IS_ALPHA": True, "OP": "?"},
             {"IS_ALPHA": True}]
    out += [
        [{"LOWER": {"IN": _MULTIPLES}}, *measure, named],  # "twice the size of Greater London"
        [{"LOWER": {"IN": _MULTIPLES}}, *measure, *owned],
        # "twice that amount", "double the October average" ("amount" is a stop word: keep() looks at the last)
        [{"LOWER": {"IN": _MULTIPLES}}, {"LOWER": {"IN": ["that", "the"]}}, {"IS_ALPHA": True, "OP": "?"}, _WORD],
        # "half the long-term average": an adjective joined by a hyphen
        [{"LOWER": {"IN": _MULTIPLES}}, {"LOWER": {"IN": ["that", "the"]}}, _WORD, {"ORTH": "-"}, _WORD, _WORD],
        # "a quarter (of it)", "two-thirds (of the vote)": keep() wants "of" after it
        [{"LOWER": {"IN": sorted(_FRACTION_COUNTS)}, "OP": "?"}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": FRACTIONS}}],
        [_NUM, {"LOWER": "times"}, *measure, named],
        [{"LOWER": "a", "OP": "?"}, {"LOWER": "dozen"}, _NOUN],  # "a dozen villages"
        [{"LOWER": {"IN": ["a", "an"]}}, {"LOWER": {"IN": _TIME_UNITS}}],  # "up to a week": kept after a hedge only
        [{"LOWER": {"IN": ["dozens", "hundreds", "thousands", "millions", "tens"]}}, {"LOWER": "of"},
         {"LOWER": {"IN": ["thousands", "millions"]}, "OP": "?"}, {"LOWER": "of", "OP": "?"}, _NOUN],
    ]
    return out


def keep(doc: Any, start: int, end: int) -> bool:
    """Whether the token range [start, end) that a pattern matched is a figure (see the module's decisions)."""
    first = doc[start]
    if any(_ORDINAL.search(t.text) for t in doc[start:end]):
        return False
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if doc[end - 1].lower_ in FRACTIONS:
        return _fraction(doc, start, end)
    if before is not None and before.lower_ in _PERIOD_BEFORE and any(_duration(t) for t in doc[start + 1:end]):
        return False  # "in the past five years", "every two hours": a period, a rhythm
    if first.lower_ == "one" and before is not None and before.lower_ in ("this", "that", "the", "each", "any"):
        return False  # "this one sponsor": a determiner, not a count
    if before is not None and before.lower_ in MONTHS or after is not None and after.lower_ in MONTHS:
        return False  # a day of a date
    if before is not None and (before.lower_ in _NO_NUMBER_BEFORE or before.text == "-" and not before.whitespace_):
        return False  # a page or route number, a code like "Covid-19"
    if (after is not None and after.lower_ == "to" and end + 1 < len(doc) and doc[end + 1].lower_ in MONTHS
            and any(_duration(t) for t in doc[start + 1:end])):
        return False  # "in the three months to September": a period
    if after is not None and after.lower_ == "ago":
        return False  # "three years ago", "a year ago": a date
    if after is not None and (after.lower_ in _AFTER_TIME or after.text in (":", "-") and not doc[end - 1].whitespace_):
        return False  # a time, an age or a compound ("45-year-old")
    if first.lower_ in ("a", "an") and doc[start + 1].lower_ in _TIME_UNITS:
        return _is_hedge_end(doc, start)
    if first.lower_ in _MULTIPLES and doc[end - 1].is_stop and doc[end - 1].lower_ not in _MEASURES:
        return False  # "twice the other": a multiple of nothing named
    last = doc[end - 1].text
    if last.isdigit() and len(last) == 4 and 1800 <= int(last) <= 2100:
        return False  # "2019 to 2023": years
    if end - start > 1:
        return True
    # A bare number: a year, a small number word, and a number inside a name are not figures.
    text = first.text
    if text.isdigit() and len(text) == 4 and 1800 <= int(text) <= 2100:
        return False
    if first.lower_ in _SMALL_WORDS or first.is_alpha:
        return False
    if before is not None and after is not None and before.text == after.text == "," and start > 1 \
            and doc[start - 2].is_title:
        return False  # "Berg, 34, said": an age
    if before is None:
        return True
    named = before.is_title or before.is_upper and before.is_alpha  # "Route 66", "BBC 2"
    return not (named and not before.is_sent_start and not _is_hedge_end(doc, start))


def _fraction(doc: Any, start: int, end: int) -> bool:
    """Whether a fraction word is a part of a whole ("a quarter of it", "more than half of the cases") or a change
    ("cut by a third"), not a time ("the second half of the year", "in the third quarter") or a lone word: "of"
    follows or "by" comes before, and a count or "a" comes before any fraction but "half"."""
    before = doc[start - 1].lower_ if start > 0 else ""
    if (end >= len(doc) or doc[end].lower_ != "of") and before != "by":
        return False
    if before in ORDINALS or before in ("the", "other", "last", "next", "past", "each", "every", "per"):
        return False
    return doc[start].lower_ in _FRACTION_COUNTS or doc[end - 1].lower_ == "half"


def figure_end(doc: Any, start: int, stop: int) -> int:
    """Where the figure matched in [start, stop) ends: before a second plural noun ("40 homes residents"), or on
    the plural noun that two words after an adjective reach ("five different supply teachers"), and before the
    noun a sum of money qualifies ("a [£8m] fee", "a [€2 million] grant")."""
    if doc[start].lower_ in _CURRENCIES or re.match(_PREFIXED, doc[start].text):
        k = start + (doc[start].lower_ in _CURRENCIES)
        k += 1  # the number
        while k < stop and (re.fullmatch(r"\d{3}", doc[k].text) or doc[k].lower_ in _SCALES):
            k += 1
        return k
    if stop - start == 2 and not doc[stop - 1].lower_.endswith("s"):
        for k in (stop, stop + 1):
            if k >= len(doc) or not (doc[k].is_alpha and doc[k].is_lower and not doc[k].is_stop):
                break
            if _plural(doc[k].lower_):
                return k + 1
    if stop - start > 2 and doc[stop - 2].lower_.endswith("s") and doc[stop - 1].lower_.endswith("s") \
            and doc[stop - 2].is_alpha and doc[stop - 1].is_alpha and not doc[stop - 2].lower_.endswith("ss"):
        return stop - 1
    return stop


def range_start(doc: Any, start: int) -> int:
    """Where a range or a part of a whole that ends in the figure at `start` begins: "30 to [50 millimetres]",
    "between 3,000 and [4,000 hectares]", "14 of the [37 seats]" (the matcher finds the last number and its tail;
    patterns for every beginning made the matcher twice as slow)."""
    words = [t.lower_ for t in doc[max(start - 4, 0):start]]
    for before, joiner in ((["to"], "to"), (["–"], "–"), (["of"], "of"), (["of", "the"], "of")):
        k = start - len(before)
        if k < 1 or words[len(words) - len(before):] != before or not doc[k - 1].like_num:
            continue
        first = k - 1
        if doc[first].lower_ in ORDINALS or _ORDINAL.search(doc[first].text):
            return start
        if first > 0 and doc[first - 1].text in ("$", "€", "£") and joiner != "of":
            first -= 1
        return first
    if start >= 3 and doc[start - 1].lower_ == "and" and doc[start - 2].like_num and doc[start - 3].lower_ == "between":
        return start - 3
    return start


def _duration(token: Any) -> bool:
    return token.lower_.removesuffix("s") in _TIME_UNITS or token.lower_ == "centuries"


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _is_hedge_end(doc: Any, start: int) -> bool:
    return hedge_start(doc, start) < start


def hedge_start(doc: Any, start: int, end: int | None = None) -> int:
    """Where the hedge before token `start` begins ("more than", "at least"), or `start` without one; before a
    duration that ends at `end`, "over" is the preposition of a period ("$12 million over four years")."""
    for hedge in HEDGES:
        n = len(hedge)
        if start >= n and tuple(t.lower_ for t in doc[start - n:start]) == hedge:
            if hedge == ("over",) and end is not None and any(_duration(t) for t in doc[start + 1:end]):
                return start
            return start - n
    return start

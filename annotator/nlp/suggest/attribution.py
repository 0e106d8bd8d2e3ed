"""SOURCE and STATEMENT (claim) suggestions (English): who a reporting verb or "according to" names, and what they say.

SOURCE: the noun phrase before a reporting verb ("deputy governor Irena Dobrić wrote", "the port authority of
Ostrava Bay said"), the name in an apposition before it ("a spokesman for the service, Marko Ilić, told"), the
phrase after an inverted one ('"...," said Marko Ilić', "..., claims the ministry") or after "according to";
"the statement of X said" gives X. Pronouns are not sources.
STATEMENT: the clause after "that" ("X said that ..."), the clause a verb of saying takes directly ("X said repairs
could take a week"), or the words before the attribution ('"...," X said', "..., according to X"), without the
quotation marks and punctuation at its edges. Questions are not claims.
"""

from __future__ import annotations

from typing import Any

from annotator.nlp.suggest.roles import SOURCE, STATEMENT

REPORTING = frozenset(["said", "says", "say", "wrote", "writes", "told", "tells", "stated", "states",
                       "claimed", "claims", "added", "announced", "reported", "reports", "noted", "explained",
                       "confirmed", "warned", "insisted", "estimate", "estimates", "estimated", "argued",
                       "argues", "alleged", "alleges", "admitted", "declared", "posted"])
# Verbs whose object may be the claim itself, without "that" ("said repairs could take a week").
_SAYING = frozenset(["said", "says", "say", "wrote", "writes", "stated", "states", "claimed", "claims",
                     "insisted", "argued", "alleged"])
_DETERMINERS = frozenset(["the", "a", "an", "its", "his", "her", "their", "our", "this", "that"])
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you", "who", "which", "this", "that", "there"])
_SUBJECTS = frozenset(["he", "she", "they", "it", "we", "i"])
_JOINERS = frozenset(["of", "for", "at", "'s", "’s", "-", "&"])
_CONTAINERS = frozenset(["statement", "report", "press", "release", "announcement", "post", "message",
                         "letter"])
ROLE_NOUNS = frozenset(["officials", "police", "residents", "witnesses", "analysts", "experts", "authorities",
                        "spokesman", "spokeswoman", "spokesperson", "sources", "prosecutors", "doctors",
                        "investigators", "officers", "researchers", "scientists", "economists", "observers",
                        "diplomats", "rescuers", "volunteers", "locals"])
_NOT_A_CLAUSE_START = frozenset(["on", "in", "at", "to", "for", "with", "during", "last", "this", "yesterday",
                              "today", "tonight", "earlier", "later", "reporters", "journalists", "media",
                              ",", ":", ";", ".", '"', "'", "“", "”", "(", ")"])
_QUOTES = frozenset(['"', "“", "”", "«", "»", "'", "‘", "’"])
_MAX_PHRASE = 10


def _content(token: Any) -> bool:
    """A word that can be part of a name or a role ("governor", "Dobrić", "NATO"), not a function word."""
    return not token.is_stop and not token.is_punct and not token.like_num and any(c.isalpha() for c in token.text)


def phrase_left(doc: Any, end: int, floor: int) -> tuple[int, int] | None:
    """The noun phrase that ends just before token `end` (not before `floor`), as a token range."""
    i = end - 1
    start = end
    while i >= floor and end - i <= _MAX_PHRASE:
        token = doc[i]
        if _content(token) or token.lower_ in _JOINERS and i - 1 >= floor and _content(doc[i - 1]) and start == i + 1:
            start = i
        elif token.lower_ in _DETERMINERS and start == i + 1:
            start = i
            if not (i - 2 >= floor and doc[i - 1].lower_ in _JOINERS and _content(doc[i - 2])):
                break
        else:
            break
        i -= 1
    return _valid(doc, start, end)


def phrase_right(doc: Any, start: int, ceiling: int) -> tuple[int, int] | None:
    """The noun phrase that begins at token `start` (a determiner, then names and role words)."""
    i = start
    if i < ceiling and doc[i].lower_ in _DETERMINERS:
        i += 1
    end = i
    while i < ceiling and i - start < _MAX_PHRASE:
        token = doc[i]
        if _content(token):
            end = i + 1
        elif not (token.lower_ in _JOINERS or token.lower_ == "the" and doc[i - 1].lower_ in _JOINERS):
            break
        i += 1
    return _valid(doc, start, end) if end > start and _content(doc[end - 1]) else None


def _valid(doc: Any, start: int, end: int) -> tuple[int, int] | None:
    while start < end and doc[start].lower_ in _JOINERS:
        start += 1
    if start >= end or doc[end - 1].lower_ in _JOINERS or doc[end - 1].lower_ in _DETERMINERS:
        return None
    words = doc[start:end]
    if all(t.lower_ in _PRONOUNS or t.lower_ in _DETERMINERS for t in words):
        return None
    named = any(t.is_title or t.is_upper and t.is_alpha for t in words)
    if named or doc[start].lower_ in _DETERMINERS or doc[end - 1].lower_ in ROLE_NOUNS:
        return _unwrap(doc, start, end)
    return None


def _unwrap(doc: Any, start: int, end: int) -> tuple[int, int]:
    """ "the statement of X" -> X: a statement or report is not who speaks."""
    for i in range(start, end - 1):
        if doc[i].lower_ in _CONTAINERS and doc[i + 1].lower_ in ("of", "from", "by"):
            inner = _valid(doc, i + 2, end)
            if inner is not None:
                return inner
    return start, end


def _trim(doc: Any, start: int, end: int) -> tuple[int, int] | None:
    """A claim's token range without punctuation or quotation marks at its edges; None if too short or a question."""
    while start < end and (doc[start].is_punct or doc[start].is_space or doc[start].text in _QUOTES):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].text in _QUOTES):
        if doc[end - 1].text == "?":
            return None
        end -= 1
    if end - start < 3 or not any(t.is_alpha for t in doc[start:end]):
        return None
    inside = sum(t.text in _QUOTES for t in doc[start:end])
    if inside % 2 and end < len(doc) and doc[end].text in _QUOTES:
        end += 1  # 'could take "at least five days"': a quotation that ends the claim keeps its closing mark
    return start, end


def attributions(doc: Any) -> list[tuple[int, int, str]]:
    """(start token, end token, role) of the SOURCE and STATEMENT spans in a Doc whose sentences are set."""
    out: list[tuple[int, int, str]] = []
    for sent in doc.sents:
        out += _in_sentence(doc, sent.start, sent.end)
    return out


def _in_sentence(doc: Any, first: int, last: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []

    def add(rng: tuple[int, int] | None, role: str) -> None:
        if rng is not None:
            out.append((rng[0], rng[1], role))

    for i in range(first, last):
        token = doc[i]
        if token.lower_ == "according" and i + 2 < last and doc[i + 1].lower_ == "to":
            source = phrase_right(doc, i + 2, last)
            add(source, SOURCE)
            if source is None:
                continue
            if i > first and doc[i - 1].text == ",":
                add(_trim(doc, first, i - 1), STATEMENT)
            elif _opens(doc, first, i) and source[1] < last and doc[source[1]].text == ",":
                add(_trim(doc, source[1] + 1, last), STATEMENT)
        elif token.lower_ in REPORTING:
            out += _reporting(doc, first, last, i)
    return out


def _opens(doc: Any, first: int, i: int) -> bool:
    """Whether token `i` opens its sentence (only spaces, quotes or brackets before it)."""
    return all(t.is_space or t.is_punct for t in doc[first:i])


def _reporting(doc: Any, first: int, last: int, verb: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    before = verb - 1
    source = phrase_left(doc, verb, first)
    attribution = source[0] if source else verb
    if source is None and before > first and doc[before].text == ",":
        # An apposition: "a spokesman for the service, Marko Ilić, told reporters".
        name = phrase_left(doc, before, first)
        if name is not None and name[0] > first and doc[name[0] - 1].text == ",":
            source = name
            described = phrase_left(doc, name[0] - 1, first)
            attribution = described[0] if described else name[0] - 1
    inverted = False
    if source is None and before >= first and (doc[before].text == "," or doc[before].text in _QUOTES):
        source = phrase_right(doc, verb + 1, last)  # '"...," said Marko Ilić'
        inverted = source is not None
    if source is not None:
        out.append((source[0], source[1], SOURCE))
    elif before >= first and doc[before].lower_ in _SUBJECTS:
        attribution = before  # "she said that ...": a claim without a source to propose
    else:
        return out
    claim = None if inverted else _claim_after(doc, verb, last)
    if claim is None and attribution > first and (doc[attribution - 1].text in (",", *_QUOTES)):
        claim = _trim(doc, first, attribution)
    if claim is not None:
        out.append((claim[0], claim[1], STATEMENT))
    return out


def _claim_after(doc: Any, verb: int, last: int) -> tuple[int, int] | None:
    for i in range(verb + 1, min(verb + 8, last)):
        if doc[i].lower_ == "that":
            return _trim(doc, i + 1, last)
        if doc[i].is_punct:
            break
    nxt = verb + 1
    if doc[verb].lower_ in _SAYING and nxt < last and doc[nxt].lower_ not in _NOT_A_CLAUSE_START:
        if doc[nxt].is_title and not doc[nxt].is_stop and doc[nxt].lower_ not in _PRONOUNS:
            return None  # "said Marko Ilić": a name after the verb, not a clause
        return _trim(doc, nxt, last)
    return None

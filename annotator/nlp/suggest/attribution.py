"""SOURCE and STATEMENT (claim) suggestions (English): who a reporting verb or "according to" names, and what they say.

SOURCE: the noun phrase before a reporting verb ("deputy governor Irena Dobrić wrote", "the port authority of
Ostrava Bay said", "Traders in Varna said"), an apposition before it as a whole ("a spokesman for the service,
Marko Ilić, told", "Ana Perić, a professor of law, said"), the name before a relative clause ("Dr Vesna Korać, who
heads the ward, told"), the phrase after an inverted verb with its apposition ('"...," said Marko Ilić, a
spokesman', "..., claims the ministry"; never after "told", whose object is who was told) or after "according
to"; "the statement of X said" and "according to data from X" give X. Pronouns are not sources, and a verb that
reports a thing ("reported a net loss") names no speaker.
STATEMENT: the clause after "that" ("X said that ..."), the clause a verb of saying takes directly ("X said repairs
could take a week"), a quotation after a colon ('X said on Tuesday: "..."'), or the words before the attribution
('"...," X said', "..., according to X"), without the quotation marks and punctuation at its edges; two clauses
joined by ", and" or "and that" are two claims. Every sentence of a quotation is a claim of its own ('"S1. S2," X
said' gives S1 and S2, and so does a quotation that goes on after the sentence naming its speaker); so is a
sentence of the reporter's own that holds a figure (plain_claims). Questions are not claims, nor are predictions and
judgements with nothing in them to check ("the losses will be far higher", "It is chaos"); whoever only makes those is
no source either. People named by what they do are sources before a verb ("Insurers said"), and so is data that
shows ("official figures showed").
"""

from __future__ import annotations

from typing import Any

from annotator.nlp.suggest.figures import FRACTIONS
from annotator.nlp.suggest.roles import FIGURE, LOCATION, SOURCE, STATEMENT

REPORTING = frozenset(["said", "says", "say", "wrote", "writes", "told", "tells", "stated", "states",
                       "claimed", "claims", "added", "announced", "reported", "reports", "noted", "explained",
                       "confirmed", "warned", "insisted", "estimate", "estimates", "estimated", "argued",
                       "argues", "alleged", "alleges", "admitted", "declared", "posted", "ruled", "concluded",
                       "acknowledged", "revealed", "predicted", "stressed", "emphasised", "emphasized",
                       "indicated", "recalled", "promised", "pledged", "denied", "testified", "reiterated",
                       "asserted", "maintained", "replied", "responded", "disclosed", "found", "finds", "showed",
                       "show", "shows"])
# Verbs that also take a thing as their object: "reported a net loss", "announced its results" report nothing.
_TAKE_OBJECTS = frozenset(["reported", "reports", "announced", "posted", "confirmed", "denied", "revealed",
                           "disclosed", "predicted", "promised", "pledged", "estimated", "estimates", "found",
                           "finds", "showed", "show", "shows"])
_FOUND = frozenset(["found", "finds"])
_OBJECTS = frozenset(["a", "an", "its", "their", "his", "her", "our", "any", "all", "no"])
# Verbs whose object may be the claim itself, without "that" ("said repairs could take a week").
_SAYING = frozenset(["said", "says", "say", "wrote", "writes", "stated", "states", "claimed", "claims",
                     "insisted", "argued", "alleged", "show", "shows", "showed"])
_DETERMINERS = frozenset(["the", "a", "an", "its", "his", "her", "their", "our", "this", "that"])
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you", "who", "which", "this", "that", "there"])
_SUBJECTS = frozenset(["he", "she", "they", "it", "we", "i"])
# "'" and "’" join too when they end a plural's possessive ("the grain traders' association").
_JOINERS = frozenset(["of", "for", "at", "in", "from", "'s", "’s", "-", "&", "'", "’"])
_CONTAINERS = frozenset(["statement", "report", "press", "release", "announcement", "post", "message",
                         "letter"])
# What "according to" may name before who is behind it: "according to data from X", "figures published by X".
_EVIDENCE = frozenset([*_CONTAINERS, "data", "figures", "estimates", "statistics", "numbers", "records", "survey",
                       "poll", "study", "documents", "published", "released", "compiled", "collected", "latest",
                       "new", "preliminary", "official", "initial"])
# Evidence that speaks for itself before a verb: "official data showed", "figures from the agency show".
_RECORDS = frozenset(["data", "figures", "statistics", "numbers", "records", "survey", "poll", "study", "estimates",
                      "documents"])
# A verb whose object is the person told, not the speaker: '"...," told X' is not an inversion.
_TOLD = frozenset(["told", "tells"])
ROLE_NOUNS = frozenset(["officials", "police", "residents", "witnesses", "analysts", "experts", "authorities",
                        "spokesman", "spokeswoman", "spokesperson", "sources", "prosecutors", "doctors",
                        "investigators", "officers", "researchers", "scientists", "economists", "observers",
                        "diplomats", "rescuers", "volunteers", "locals"])
_NOT_A_CLAUSE_START = frozenset(["on", "in", "at", "to", "for", "with", "during", "last", "this", "yesterday",
                              "today", "tonight", "earlier", "later", "reporters", "journalists", "media",
                              ",", ":", ";", ".", '"', "'", "“", "”", "(", ")"])
_QUOTES = frozenset(['"', "“", "”", "«", "»", "'", "‘", "’"])
_DOUBLE_QUOTES = frozenset(['"', "“", "”", "«", "»"])  # single ones are apostrophes too often to track
# The words a new clause may begin with after ", and": a determiner, a number or its hedge, a name.
_CLAUSE_OPENERS = frozenset([*_DETERMINERS, "about", "around", "more", "less", "fewer", "at", "up", "some", "between",
                             "nearly", "almost", "over", "roughly", "only", "no", "nobody", "none"])
_MAX_PHRASE = 12
# Words that open a clause a claim does not go on into: "has doubled, although installers are scarce".
_CONCESSIVE = frozenset(["although", "though", "whereas", "while"])
# Words that mark an opinion, a wish or an advice rather than a checkable claim.
_OUGHT = frozenset(["should", "must", "ought", "shouldn't", "mustn't"])
_WANTING = frozenset(["need", "needs", "needed", "want", "wants", "wanted", "deserve", "deserves"])
# What a first person does when the words are a stance ("We need ...", "We do not expect ...", "We are asking").
_STANCE = frozenset([*_WANTING, "expect", "hope", "think", "believe", "feel", "fear", "are", "am", "will", "do",
                     "don't", "urge", "ask"])


# Stop words that are part of a role: "a former board member", "the first deputy minister".
_ROLE_STOPS = frozenset(["former", "first", "last", "latter", "whole"])
# Reporting verbs that are never nouns: no phrase holds one ("Insurers said claims ...": "claims" is the noun).
_PAST_REPORTING = frozenset(w for w in REPORTING if w.endswith("ed") or w in ("said", "told", "wrote", "found"))
# How the plural of a noun of agents ends: "insurers", "forecasters", "economists", "physicians", "residents".
_AGENTS = ("ers", "ors", "ists", "ians", "ents", "ants")


def _content(token: Any) -> bool:
    """A word that can be part of a name or a role ("governor", "Dobrić", "NATO"), not a function word."""
    return ((not token.is_stop or token.lower_ in _ROLE_STOPS) and not token.is_punct and not token.like_num
            and any(c.isalpha() for c in token.text) and token.lower_ not in _PAST_REPORTING)


def _agents(doc: Any, start: int, end: int) -> bool:
    """Whether a phrase of one or two words names people by what they do ("Insurers", "weather forecasters")."""
    return end - start <= 2 and doc[end - 1].is_alpha and doc[end - 1].lower_.endswith(_AGENTS)


def phrase_left(doc: Any, end: int, floor: int, loose: bool = False) -> tuple[int, int] | None:
    """The noun phrase that ends just before token `end` (not before `floor`), as a token range; `loose` takes
    a role without a determiner or a name too ("head of the institute", in an apposition beside a name)."""
    i = end - 1
    start = end
    while i >= floor and end - i <= _MAX_PHRASE:
        token = doc[i]
        if _content(token) or _joins(doc, i) and i - 1 >= floor and _content(doc[i - 1]) and start == i + 1:
            start = i
        elif token.lower_ in _DETERMINERS and start == i + 1:
            start = i
            if not (i - 2 >= floor and _joins(doc, i - 1) and _content(doc[i - 2])):
                break
        else:
            break
        i -= 1
    return _valid(doc, start, end, loose, subject=True)


def phrase_right(doc: Any, start: int, ceiling: int, loose: bool = False) -> tuple[int, int] | None:
    """The noun phrase that begins at token `start` (a determiner, then names and role words)."""
    i = start
    if i < ceiling and doc[i].lower_ in _DETERMINERS:
        i += 1
    end = i
    while i < ceiling and i - start < _MAX_PHRASE:
        if _content(doc[i]) or _how_many(doc, i):
            end = i + 1
        elif not (_joins(doc, i) or doc[i].lower_ == "the" and doc[i - 1].lower_ in _JOINERS):
            break
        i += 1
    return _valid(doc, start, end, loose) if end > start and (_content(doc[end - 1]) or _how_many(doc, end - 1)) else None


def _how_many(doc: Any, i: int) -> bool:
    """A number word after "of" that ends a role: "a mother of two", "a father of three from Selmar"."""
    return i > 0 and doc[i].like_num and doc[i].is_alpha and doc[i - 1].lower_ == "of"


def _joins(doc: Any, i: int) -> bool:
    """Whether token `i` joins two parts of a name; an apostrophe only right after a plural ("traders'")."""
    token = doc[i]
    if token.text in ("'", "’"):
        return i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].lower_.endswith("s")
    return token.lower_ in _JOINERS


def _valid(doc: Any, start: int, end: int, loose: bool = False, subject: bool = False) -> tuple[int, int] | None:
    """The phrase [start, end) as a source's token range, if it can be one: named, a role, with a determiner, or
    `loose`; as the `subject` before a reporting verb, people named by what they do too ("Insurers said")."""
    while start < end and doc[start].lower_ in _JOINERS:
        start += 1
    if start >= end or doc[end - 1].lower_ in _JOINERS or doc[end - 1].lower_ in _DETERMINERS:
        return None
    words = doc[start:end]
    if all(t.lower_ in _PRONOUNS or t.lower_ in _DETERMINERS for t in words):
        return None
    named = any(t.is_title or t.is_upper and t.is_alpha for t in words)
    if (named or loose or doc[start].lower_ in _DETERMINERS or doc[end - 1].lower_ in ROLE_NOUNS
            or subject and (_agents(doc, start, end) or doc[end - 1].lower_ in _RECORDS)):
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
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text != "%" or doc[end - 1].is_space
                           or doc[end - 1].text in _QUOTES):  # "rose by 9%": the sign is the figure's
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
    return out + quoted_sentences(doc)


def _in_sentence(doc: Any, first: int, last: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []

    def add(rng: tuple[int, int] | None, role: str) -> None:
        if rng is not None:
            out.extend((s, e, role) for s, e in (claims(doc, *rng) if role == STATEMENT else [rng]))

    for i in range(first, last):
        token = doc[i]
        if token.lower_ == "according" and i + 2 < last and doc[i + 1].lower_ == "to":
            # after "according to" anything named is who it is according to: "according to court documents"
            source = _with_name(doc, phrase_right(doc, _past_evidence(doc, i + 2, last), last, loose=True), last)
            if source is not None and source[1] - source[0] == 1 and doc[source[0]].is_lower \
                    and not doc[source[0]].lower_.endswith("s"):
                source = None  # "according to plan", "according to schedule": a manner, nobody speaks
            add(source, SOURCE)
            if source is None:
                continue
            if i > first and doc[i - 1].text == ",":
                add(_trim(doc, first, i - 1), STATEMENT)
            elif _opens(doc, first, i) and source[1] < last and doc[source[1]].text == ",":
                add(_trim(doc, source[1] + 1, last), STATEMENT)
        elif token.lower_ in REPORTING:
            for start, end, role in _reporting(doc, first, last, i):
                add((start, end), role)
    return out


def _with_name(doc: Any, source: tuple[int, int] | None, last: int) -> tuple[int, int] | None:
    """A source with the name that follows it between commas: "the commission's chairman, Hendrik Vos, said"."""
    if source is None or source[1] + 2 >= last or doc[source[1]].text != ",":
        return source
    name = phrase_right(doc, source[1] + 1, last)
    if (name is not None and name[1] < last and doc[name[1]].text == "," and doc[name[0]].is_title
            and all(t.is_title or t.lower_ in _JOINERS for t in doc[name[0]:name[1]])):
        return source[0], name[1]
    return source


def plain_claims(doc: Any, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A STATEMENT for each sentence that no attribution or quotation touches, ends with a full stop and holds a
    FIGURE or a place: the reporter's own checkable statement ("A year ago the grid lost 40 per cent of its
    capacity.", "Production will move to a plant in Brno."). A sentence that opens with a pronoun ("It expects ...")
    goes on with someone's words, and one with a verb of saying holds someone's opinion or prediction (the
    attribution rules proposed nothing for it): not proposed."""
    out: list[tuple[int, int, str]] = []
    figures = [s for s, _, role in found if role in (FIGURE, LOCATION)]
    spoken = [(s, e) for s, e, role in found if role in (SOURCE, STATEMENT)]
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if (len(words) < 5 or not words[-1].text.endswith(".") or words[0].lower_ in _PRONOUNS
                or any(t.text in _DOUBLE_QUOTES or t.lower_ in _SAYING for t in words)
                or any(s < sent.end and sent.start < e for s, e in spoken)
                or not any(sent.start <= s < sent.end for s in figures)):
            continue
        claim = _trim(doc, sent.start, sent.end)
        if claim is not None:
            out.extend((s, e, STATEMENT) for s, e in claims(doc, *claim))
    return out


def _past_evidence(doc: Any, start: int, last: int) -> int:
    """Where the one behind the evidence begins: "according to [the latest data from] the ministry"."""
    for k in range(start, min(start + 6, last)):
        if doc[k].lower_ in ("from", "by", "of") and k > start:
            words = [t.lower_ for t in doc[start:k] if t.lower_ not in _DETERMINERS]
            if words and all(w in _EVIDENCE for w in words):
                return k + 1
        if doc[k].is_punct:
            break
    return start


def claims(doc: Any, start: int, end: int) -> list[tuple[int, int]]:
    """The claims in a claim's token range (_clauses), without the ones that are opinions or empty predictions."""
    return [(s, e) for s, e in _clauses(doc, start, end) if not _not_a_claim(doc, s, e)]


def _not_a_claim(doc: Any, start: int, end: int) -> bool:
    return opinion(doc, start, end) or _prediction(doc, start, end) or _judgement(doc, start, end)


def opinion(doc: Any, start: int, end: int) -> bool:
    """Whether a clause is an opinion, a wish or a condition rather than a claim one could check: it says what
    should be ("should also stop"), opens with "if", judges by "too" or "not enough" ("too little", "comes too
    late"), wants ("needed an independent auditor"), or is a first person's stance ("We need", "We do not expect").
    (A prediction is no claim either, but whoever makes it is still a source: _prediction.)"""
    words = [t.lower_ for t in doc[start:end]]
    if words[0] in ("if", "unless") or _OUGHT.intersection(words) or _WANTING.intersection(words[:4]):
        return True
    if any(a == "too" and b.isalpha() for a, b in zip(words, words[1:], strict=False)) or "not enough" in " ".join(
            words):
        return True
    return words[0] in ("we", "i") and len(words) > 1 and words[1] in _STANCE


# Modals of the future: "will", "would" (the future of reported speech), "'ll".
_FUTURE = frozenset(["will", "would", "'ll", "’ll", "wo"])
# Words of amount that are figures without a digit: "twice that amount", "dozens of homes".
_AMOUNTS = frozenset(["twice", "double", "triple", "thrice", "dozen", "dozens", "hundreds", "thousands", "millions",
                      *FRACTIONS])


def _prediction(doc: Any, start: int, end: int) -> bool:
    """Whether a clause says what will be and holds nothing one could check: no number, and no name, place or date
    after its first word ("the losses will be far higher", "he would not seek the presidency"); "Repairs will cost
    €1.8 million" and "the council would appeal to the Supreme Court" hold one."""
    tokens = doc[start:end]
    if not any(t.lower_ in _FUTURE for t in tokens):
        return False
    return _nothing_to_check(tokens)


def _judgement(doc: Any, start: int, end: int) -> bool:
    """Whether a clause judges rather than tells: a pronoun or a possessive, a copula, and words that are not a
    participle ("It is chaos", "This is a disgrace", "Our margins are thin"), with nothing in it to check
    ("Nobody was hurt" tells; "It is 40 per cent" holds a figure)."""
    words = [t.lower_ for t in doc[start:end]]
    if words[0] not in _JUDGING_SUBJECTS:
        return False
    at = next((k for k in (1, 2) if k < len(words) and words[k] in _COPULAS), None)
    if at is None or at + 1 >= len(words) or words[at + 1].endswith("ed") or words[at + 1] in ("not", "never"):
        return False
    return _nothing_to_check(doc[start:end])


_JUDGING_SUBJECTS = frozenset(["it", "this", "that", "these", "those", "our", "my", "their", "its", "your"])
_COPULAS = frozenset(["is", "are", "was", "were", "'s", "’s", "'re", "’re"])


def _nothing_to_check(tokens: Any) -> bool:
    """No number, amount, name, place or date after the first word."""
    return not any(t.like_num or t.is_currency or t.text == "%" or t.lower_ in _AMOUNTS for t in tokens) and not any(
        t.is_title or t.is_upper and t.is_alpha and len(t) > 1 for t in tokens[1:])


def _clauses(doc: Any, start: int, end: int) -> list[tuple[int, int]]:
    """A claim's token range cut where ", and" joins a clause with its own subject ("..., and about 2,300
    residents depend on ...") or "and that" (", but that") a second reported clause, into one claim per clause;
    "won 14 seats, and will lead" stays whole. A concession (", although ...", "while the panel examines") and
    the reporter's ", according to X" end a claim."""
    for i in range(start + 3, end - 1):
        concession = doc[i].lower_ in _CONCESSIVE and (doc[i - 1].text == "," or doc[i + 1].lower_ in _CLAUSE_OPENERS)
        if concession or doc[i].text == "," and doc[i + 1].lower_ == "according":
            left = _trim(doc, start, i)
            return _clauses(doc, *left) if left is not None else []
    for i in range(start + 3, end - 4):
        comma = doc[i].text == ","
        joiner = doc[i + 1].lower_ if comma else doc[i].lower_
        if joiner not in ("and", "but"):
            continue
        after = i + 2 if comma else i + 1  # the first word of the second clause
        if doc[after].lower_ == "that":
            after += 1
        elif joiner == "but" or not comma or not (doc[after].lower_ in _CLAUSE_OPENERS or doc[after].like_num
                                                  or doc[after].is_title):
            continue
        left, right = _trim(doc, start, i), _trim(doc, after, end)
        if left is not None and right is not None:
            return [left, *_clauses(doc, *right)]
    return [(start, end)]


def _opens(doc: Any, first: int, i: int) -> bool:
    """Whether token `i` opens its sentence (only spaces, quotes or brackets before it)."""
    return all(t.is_space or t.is_punct for t in doc[first:i])


def _reporting(doc: Any, first: int, last: int, verb: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    if doc[verb].lower_ in _TAKE_OBJECTS and verb + 1 < last and doc[verb + 1].lower_ in _OBJECTS:
        return out
    if doc[verb].lower_ in _FOUND and verb + 1 < last and not (doc[verb + 1].lower_ == "that" or doc[verb + 1].is_punct):
        return out  # "Police found the car": "found" reports "that ..." only, or after what was found
    before = verb - 1
    source = phrase_left(doc, verb, first)
    attribution = source[0] if source else verb
    if source is not None and source[0] - 2 > first and doc[source[0] - 1].lower_ == "by":
        # "..., a report by the charity X says": the report and its author stand where the attribution begins
        made = phrase_left(doc, source[0] - 1, first, loose=True)
        if made is not None and doc[made[1] - 1].lower_ in _CONTAINERS | _RECORDS:
            attribution = made[0]
    if source is None and before > first and doc[before].text == ",":
        # An apposition, taken whole: "a spokesman for the service, Marko Ilić, told reporters".
        name = phrase_left(doc, before, first, loose=True)
        if name is not None and name[0] > first and doc[name[0] - 1].text == ",":
            described = phrase_left(doc, name[0] - 1, first)
            if described is not None and doc[name[0]].is_lower and doc[name[0]].lower_.endswith("ed"):
                source, attribution = described, described[0]  # "A study by X, published in May, found"
            elif described is not None:
                source, attribution = (described[0], name[1]), described[0]
            elif _valid(doc, *name):
                source, attribution = name, name[0] - 1
        if source is None and before - 2 > first and _age(doc, before - 1):
            source = phrase_left(doc, before - 2, first)  # "Berg, 34, said"
            attribution = source[0] if source else attribution
        if source is None:
            source = _before_relative_clause(doc, first, before)
            attribution = source[0] if source else attribution
    inverted = False
    if (source is None and before >= first and (doc[before].text == "," or doc[before].text in _QUOTES)
            and doc[verb].lower_ not in _TOLD and doc[verb + 1].lower_ != "that"):
        source = phrase_right(doc, verb + 1, last)  # '"...," said Marko Ilić'
        inverted = source is not None
        if source is not None and source[1] + 1 < last and doc[source[1]].text == ",":
            # '"...," said Marko Ilić, a spokesman for the service' or '..., head of the service.': the
            # apposition belongs to the source (without a determiner only where it ends the sentence)
            described = phrase_right(doc, source[1] + 1, last, loose=True)
            if described is not None and (doc[source[1] + 1].lower_ in _DETERMINERS or described[1] == last
                                          or doc[described[1]].text in (".", "!")):
                source = (source[0], described[1])
    if source is not None:
        out.append((source[0], source[1], SOURCE))
    elif before >= first and doc[before].lower_ in _SUBJECTS:
        attribution = before  # "she said that ...": a claim without a source to propose
    elif before - 2 >= first and doc[before].lower_ in ("them", "us") and doc[before - 1].lower_ == "of":
        attribution = before - 2  # "..., one of them said": nobody named either
    else:
        return out
    claim = None if inverted else _claim_after(doc, verb, last)
    if claim is not None and all(_not_a_claim(doc, s, e) for s, e in _clauses(doc, *claim)):
        return []  # "Farm unions say the money is too little": an opinion, and nobody to propose for it
    if claim is None and attribution > first and (doc[attribution - 1].text in (",", *_QUOTES)):
        claim = _trim(doc, first, attribution)
    if claim is not None:
        out.append((claim[0], claim[1], STATEMENT))
    if verb + 3 < last and doc[verb + 1].text == "," and doc[verb + 2].lower_ == "and":
        # "..., the study found, and its surface fell by ...": the clause after the attribution is a claim too
        rest = _trim(doc, verb + 3, last)
        if rest is not None and (doc[rest[0]].lower_ in _CLAUSE_OPENERS or doc[rest[0]].like_num):
            out.append((rest[0], rest[1], STATEMENT))
    return out


def _age(doc: Any, i: int) -> bool:
    """Whether token `i` is an age between commas after a name ("Berg, 34, said")."""
    return (0 < i < len(doc) - 1 and doc[i].like_num and doc[i].is_digit and doc[i - 1].text == ","
            and doc[i + 1].text == "," and i > 1 and doc[i - 2].is_title)


def _before_relative_clause(doc: Any, first: int, comma: int) -> tuple[int, int] | None:
    """The name before ", who ...," or a participle's ", published in May," that ends at `comma` ("Dr Vesna Korać,
    who heads the ward, told")."""
    for i in range(comma - 1, max(first, comma - 16), -1):
        participle = doc[i].is_lower and doc[i].lower_.endswith("ed")  # "A study by X, published in May, found"
        if (doc[i].lower_ in ("who", "whose", "which") or participle) and doc[i - 1].text == ",":
            return phrase_left(doc, i - 1, first)
        if doc[i].text in (",", ";", ":") or doc[i].text in _QUOTES:
            return None
    return None


def _claim_after(doc: Any, verb: int, last: int) -> tuple[int, int] | None:
    for i in range(verb + 1, min(verb + 8, last)):
        if doc[i].lower_ == "that" and doc[i - 1].lower_ == "and":
            break  # "said the report was old and that ...": the first clause follows the verb directly
        if doc[i].lower_ == "that" and not _pointing(doc, i):
            return _trim(doc, i + 1, last)
        if doc[i].text == ":":  # 'said on Tuesday: "Engineers restored ..."': the quotation, or what follows
            return _quotation(doc, i + 1, last)
        if doc[i].is_punct:
            break
    nxt = verb + 1
    if doc[verb].lower_ in _SAYING and nxt < last and doc[nxt].lower_ not in _NOT_A_CLAUSE_START:
        if doc[nxt].is_title and not doc[nxt].is_stop and doc[nxt].lower_ not in _PRONOUNS:
            return None  # "said Marko Ilić": a name after the verb, not a clause
        return _trim(doc, nxt, last)
    if doc[verb].lower_ in _TOLD:
        told = phrase_right(doc, nxt, last, loose=True)  # "told the Courier they had seen fewer fish"
        if told is not None and told[1] - told[0] <= 4 and told[1] < last and doc[told[1]].lower_ in _SUBJECTS:
            return _trim(doc, told[1], last)
    return None


# Words after which "that" points at a thing rather than opening a clause: "twice that number", "by that time".
_POINTED = frozenset([*_AMOUNTS, "than", "of", "in", "on", "at", "by", "for", "with", "from", "like", "all", "about"])


def _pointing(doc: Any, i: int) -> bool:
    """Whether "that" at token `i` is a determiner ("would carry twice that number"), not the start of a clause."""
    return doc[i - 1].lower_ in _POINTED


def _quotation(doc: Any, start: int, last: int) -> tuple[int, int] | None:
    """The words from `start` to the quotation's closing mark (or the sentence's end), without the marks."""
    while start < last and doc[start].is_space:
        start += 1
    if start < last and doc[start].text in _DOUBLE_QUOTES:
        for k in range(start + 1, last):
            if doc[k].text in _DOUBLE_QUOTES:
                return _trim(doc, start + 1, k)
    return _trim(doc, start, last)


def quoted_sentences(doc: Any) -> list[tuple[int, int, str]]:
    """A STATEMENT for each sentence that begins inside a quotation, up to where the quotation closes: the
    sentences of '"S1. S2," X said' and of a quotation that goes on after its speaker's sentence. A line break
    ends a quotation (news style leaves a paragraph's quotation open when the next one goes on)."""
    out: list[tuple[int, int, str]] = []
    inside = False
    for sent in doc.sents:
        opens = inside
        start = sent.start
        while start < sent.end and (doc[start].is_space or doc[start].text in _DOUBLE_QUOTES and not opens):
            if doc[start].text in _DOUBLE_QUOTES:
                opens = inside = True
            start += 1
        close = None
        for token in doc[start:sent.end]:
            if "\n" in token.text or "\n" in token.whitespace_:
                inside = False
            if token.text in _DOUBLE_QUOTES:
                if inside and close is None and token.text != "“":
                    close = token.i
                inside = not inside if token.text == '"' else token.text in ("“", "«")
        if opens:
            claim = _trim(doc, start, close if close is not None else sent.end)
            if claim is not None and not _not_a_claim(doc, *claim):
                out.append((claim[0], claim[1], STATEMENT))
    return out

"""The `rules` source: FIGURE, SOURCE, LOCATION and STATEMENT (claim) spans from patterns, with no model to download.

Runs on the project language's tokens (annotator.nlp.tokens) with spaCy's Matcher and a sentencizer. English
gets every rule. Other languages get what does not depend on English words: the gazetteer of places (with
the names GeoNames has in their script) and numbers in digits or the language's own number words with the
word after them ("1200 людей"); no hedges, place patterns, sources or claims.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from annotator.domain.spans import Span
from annotator.nlp import load_spacy
from annotator.nlp.suggest import Request, figures, places
from annotator.nlp.suggest.attribution import attributions, plain_claims
from annotator.nlp.suggest.gazetteer import gazetteer
from annotator.nlp.suggest.roles import FIGURE, LOCATION, relabel, role_labels
from annotator.nlp.tokens import blank, tokenize

_LOCK = threading.Lock()
_SPACE = re.compile(r"\s")
_MATCHERS: dict[str, Any] = {}


def rules(request: Request) -> list[Span]:
    """The spans the rules propose for `request.text`, under the project labels that take their roles."""
    roles = role_labels(request.labels, request.mapping)
    if not roles or not request.text.strip():
        return []
    return sorted(set(relabel(propose(request.text, request.lang, request.pause), roles)))


def propose(text: str, lang: str, pause: Callable[[], None] = lambda: None) -> list[Span]:
    """The rules' spans with role names as labels; one label's spans never overlap (the longest is kept).

    The text is taken in blocks of about BLOCK characters cut after a line break (which ends a sentence for
    every rule), so that no single call into spaCy holds the GIL for long: a window running this in a worker
    thread stays responsive on a 1 MB article; `pause` is called before each block (Request.pause)."""
    out: list[Span] = []
    for offset, block in blocks(text):
        pause()
        out += [Span(s.start + offset, s.end + offset, s.label) for s in _propose(block, lang)]
    return out


BLOCK = 4_000


def blocks(text: str, size: int = BLOCK) -> list[tuple[int, str]]:
    """(offset, block) pieces of `text`, cut after a line break near every `size` characters, else after a
    full stop, else at white space (never inside a token: the tokenizer splits at white space first)."""
    out = []
    start = 0
    while start < len(text):
        end = len(text)
        if start + size < end:
            window = text[start:start + size]
            cut = window.rfind("\n")
            if cut <= 0:
                cut = window.rfind(". ") + 1
            if cut <= 0:
                cut = window.rfind(" ")
            if cut > 0:
                end = start + cut + 1
            else:  # a run of more than `size` characters without a space: cut at the next white space
                space = _SPACE.search(text, start + size)
                end = space.end() if space else len(text)
        out.append((start, text[start:end]))
        start = end
    return out


def _propose(text: str, lang: str) -> list[Span]:
    doc = tokenize(text, lang)
    if not len(doc):
        return []
    matcher, sentencizer = _tools(lang)
    sentencizer(doc)  # a component called on the Doc alone: no length limit, unlike nlp(text)
    _break_at_lines(doc)
    found: list[tuple[int, int, str]] = []
    english = lang == "en"
    for match_id, start, end in matcher(doc):
        # The matcher's own vocabulary names its patterns: blank(lang) is an LRU cache, and the doc may come from
        # a newer pipeline than the one the matcher was built on (hashes of token texts agree across them).
        kind = matcher.vocab.strings[match_id]
        if kind == FIGURE:
            if figures.keep(doc, start, end) and not (english and _in_headline(text, doc[start].idx)):
                stop = figures.figure_end(doc, start, end)
                first = figures.hedge_start(doc, figures.range_start(doc, start), stop) if english else start
                found.append((first, stop, FIGURE))
        elif kind == "PLACE_NAME":
            found += [(s, e, LOCATION) for s, e in places.trailing_names(doc, start, end) if not places.held(doc, s)]
        elif kind == "PLACE" and not places.body_after(doc, end):
            found.append((places.list_start(doc, start, end), end, LOCATION))
    places_of = gazetteer(lang)
    for s, e in places_of.spans(doc):
        if english and places.stands_alone(doc, s, e) and not (places.held(doc, s) or places.named_thing(doc, s)
                                                                or places.prefix(doc, e) or places.speaks(doc, e)):
            found.append((places.with_article(doc, s, e) if doc[s:e].text in places_of.countries else s, e, LOCATION))
        elif not english:
            found.append((s, e, LOCATION))
    if english:
        found += [(s, e, LOCATION) for s, e in places.scanned(doc) + places.based(doc) + places.described(doc)]
        found += [(s, e, LOCATION) for s, e in places.between(doc, [(s, e) for s, e, label in found if label == LOCATION])]
        found = [(s, places.hyphen_end(doc, e) if label == LOCATION else e, label) for s, e, label in found]
        found += attributions(doc)
        found += plain_claims(doc, found)
    return _longest(doc, found)


def _in_headline(text: str, at: int) -> bool:
    """Whether character `at` is on a headline: a line whose last character ends no sentence (no full stop, no
    quotation mark), such as "Blackouts hit three regions". (Doc.text joins every token anew: not used here.)"""
    end = text.find("\n", at)
    line = text[text.rfind("\n", 0, at) + 1:end if end >= 0 else len(text)].rstrip()
    return bool(line) and line[-1].isalnum()


def _break_at_lines(doc: Any) -> None:
    """A line break ends a sentence too: a headline has no full stop, and a paragraph starts anew."""
    load_spacy()
    from spacy.attrs import SENT_START

    starts = doc.to_array([SENT_START])
    for token in doc:
        if token.i + 1 < len(doc) and "\n" in (token.text if token.is_space else token.whitespace_):
            starts[token.i + 1] = 1
    doc.from_array([SENT_START], starts)


def _longest(doc: Any, found: list[tuple[int, int, str]]) -> list[Span]:
    """Per label, the longest of overlapping token ranges (the earlier one on a tie), as character spans."""
    out: list[Span] = []
    by_label: dict[str, list[tuple[int, int]]] = {}
    for start, end, label in found:
        by_label.setdefault(label, []).append((start, end))
    for label, ranges in by_label.items():
        taken: set[int] = set()
        for start, end in sorted(set(ranges), key=lambda r: (r[0] - r[1], r[0])):
            if taken.isdisjoint(range(start, end)):
                taken.update(range(start, end))
                out.append(Span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label))
    return out


def _tools(lang: str) -> tuple[Any, Any]:
    with _LOCK:
        tools = _MATCHERS.get(lang)
        if tools is None:
            tools = _MATCHERS[lang] = _build(lang)
        return tools


def _build(lang: str) -> tuple[Any, Any]:
    load_spacy()
    from spacy.matcher import Matcher
    from spacy.pipeline import Sentencizer

    matcher = Matcher(blank(lang).vocab)
    matcher.add(FIGURE, figures.patterns(), greedy="LONGEST")
    if lang == "en":
        place_patterns = places.patterns()
        matcher.add("PLACE", place_patterns["WHOLE"], greedy="LONGEST")
        matcher.add("PLACE_NAME", place_patterns["NAME"], greedy="LONGEST")
    return matcher, Sentencizer()

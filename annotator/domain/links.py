"""Link proposals: for each CLAIM, the relations a reader would draw, found by rules on the text.

The FIGUREs and LOCATIONs inside a claim are its `figure` and `where`. Its `said_by` is the SOURCE of the
reporting verb or quotation it belongs to: the speaker named after or before the quotation that holds it
(also when the quotation runs over a sentence boundary: '"... October. That is twice ...," port director A.
Kovalenko wrote'), the SOURCE of "according to X", a SOURCE beside a reporting verb in its sentence, or, for
"he said" / "she added" / a quotation that goes on, the SOURCE named last before it in its paragraph. A
claim with no attribution in its sentence gets none. Sentence boundaries come from the caller (annotator.nlp
makes them with spaCy's sentencizer); nothing here needs spaCy.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.domain.relations import Relation, RelationType
from annotator.domain.spans import Span

SAID_BY = "said_by"  # the relation type found through attribution; every other type by containment

_VERBS = ("said|says|say|told|tells|tell|wrote|writes|write|added|adds|stated|states|claimed|claims|reported|"
          "reports|announced|announces|noted|notes|estimated|estimates|confirmed|confirms|posted|tweeted|"
          "insisted|warned|warns|explained|explains|argued|argues|declared|admitted|acknowledged|stressed|"
          "quoted|cited")
_REPORTING = re.compile(rf"\b(?:{_VERBS}|according to)\b", re.I)
_ACCORDING_TO = re.compile(r"\baccording to\b(?:\s+(?:data|figures|estimates|a report|a statement)"
                           r"(?:\s+(?:from|by|of))?)?\s*$", re.I)
_PRONOUN_SPEAKER = re.compile(rf"\b(?:he|she|they|it|we)\s+(?:also\s+)?(?:{_VERBS})\b", re.I)
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“"}
_NEAR = 60  # characters between a SOURCE and its reporting verb ("X, the head of ..., said")


def propose_links(text: str, spans: Iterable[Span], sentences: Sequence[tuple[int, int]],
                  types: Iterable[RelationType]) -> list[Relation]:
    """The relations of `types` proposed for the head spans among `spans` (the claims), in text order;
    `sentences` are (start, end) pairs. The type named said_by is found by attribution, the others by
    containment."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    context = _Context(text, tuple(sorted(sentences)), _quotations(text), _paragraphs(text))
    proposals: list[Relation] = []
    types = tuple(types)
    for head in ordered:
        for kind in types:
            if head.label != kind.head_label:
                continue
            children = [s for s in ordered if s.label == kind.child_label and s.key() != head.key()]
            if kind.name == SAID_BY:
                source = context.speaker(head, children)
                found = [] if source is None else [source]
            else:
                found = [s for s in children if head.start <= s.start and s.end <= head.end]
            proposals.extend(Relation(head, child, kind.name) for child in found)
    return proposals


@dataclass(frozen=True)
class _Context:
    text: str
    sentences: tuple[tuple[int, int], ...]
    quotations: tuple[tuple[int, int], ...]  # (opening quote, closing quote) positions
    paragraphs: tuple[tuple[int, int], ...]

    def speaker(self, claim: Span, sources: list[Span]) -> Span | None:
        outside = [s for s in sources if s.end <= claim.start or s.start >= claim.end]
        quote = next((q for q in self.quotations if q[0] < claim.start and claim.end <= q[1] + 1), None)
        if quote is not None:
            return self._quoted_speaker(quote, outside) or self._last_before(quote[0], outside)
        first, last = self._sentence(claim.start), self._sentence(max(claim.start, claim.end - 1))
        here = [s for s in outside if first[0] <= s.start and s.end <= last[1] and not self._quoted(s)]
        according = next((s for s in here if _follows(_ACCORDING_TO, self.text, first[0], s.start)), None)
        if according is not None:
            return according
        beside_verb = [s for s in here if self._reports(s)]
        if beside_verb:
            return min(beside_verb, key=lambda s: _distance(s, claim))
        attribution = self.text[first[0]:claim.start] + " " + self.text[claim.end:last[1]]
        if _PRONOUN_SPEAKER.search(attribution):
            return self._last_before(claim.start, outside)
        return None

    def _quoted_speaker(self, quote: tuple[int, int], sources: list[Span]) -> Span | None:
        """The SOURCE named right after the closing quote in its sentence, else right before the opening one."""
        after_end = self._sentence(quote[1])[1]
        after = [s for s in sources if quote[1] < s.start and s.end <= after_end and not self._quoted(s)]
        if after and _REPORTING.search(self.text, quote[1], min(len(self.text), after[0].end + _NEAR)):
            return after[0]
        before_start = self._sentence(quote[0])[0]
        if before_start == quote[0]:  # the quotation opens its sentence: look in the sentence before
            before_start = self._sentence(max(0, quote[0] - 2))[0]
        before = [s for s in sources if before_start <= s.start and s.end <= quote[0] and not self._quoted(s)]
        if before and _REPORTING.search(self.text, before[-1].end, quote[0] + 1):
            return before[-1]
        return None

    def _reports(self, source: Span) -> bool:
        """Whether a reporting verb stands just after the SOURCE ("X said") or just before it ("said X")."""
        after = self.text[source.end: source.end + _NEAR + 40]
        before = self.text[max(0, source.start - 25): source.start]
        # An apposition or relative clause may stand between the two: "X, who heads the ward, told ...".
        return bool(re.match(rf"^(?:,[^,.]{{0,{_NEAR}}})?,?\s*(?:\w+\s+)?" + _REPORTING.pattern, after, re.I)
                    or re.search(_REPORTING.pattern + r"\s*(?:\w+\s+){0,2}$", before, re.I))

    def _last_before(self, position: int, sources: list[Span]) -> Span | None:
        paragraph = self._paragraph(position)
        earlier = [s for s in sources if paragraph[0] <= s.start and s.end <= position]
        return earlier[-1] if earlier else None

    def _quoted(self, span: Span) -> bool:
        return any(q[0] < span.start and span.end <= q[1] for q in self.quotations)

    def _sentence(self, position: int) -> tuple[int, int]:
        return _enclosing(self.sentences, position, len(self.text))

    def _paragraph(self, position: int) -> tuple[int, int]:
        return _enclosing(self.paragraphs, position, len(self.text))


def _enclosing(ranges: tuple[tuple[int, int], ...], position: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(ranges, (position, length + 1)) - 1
    if i >= 0 and ranges[i][0] <= position < max(ranges[i][1], ranges[i][0] + 1):
        return ranges[i]
    # Between sentences (white space): the gap itself, so nothing outside it is taken for the same sentence.
    before = ranges[i][1] if i >= 0 else 0
    after = ranges[i + 1][0] if i + 1 < len(ranges) else length
    return before, after


def _follows(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Whether `pattern` matches text[start:end] up to its very end ("according to" right before a SOURCE)."""
    match = pattern.search(text, start, end)
    return match is not None and match.end() == end


def _distance(span: Span, claim: Span) -> int:
    return claim.start - span.end if span.end <= claim.start else span.start - claim.end


def _quotations(text: str) -> tuple[tuple[int, int], ...]:
    """(opening, closing) positions of quotations; straight quotes pair up in order within a paragraph."""
    found = []
    for start, end in _paragraphs(text):
        opened: tuple[int, str] | None = None
        for i in range(start, end):
            char = text[i]
            if opened is None and char in _QUOTES:
                opened = (i, _QUOTES[char])
            elif opened is not None and char == opened[1]:
                found.append((opened[0], i))
                opened = None
    return tuple(found)


def _paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    return tuple((m.start(), m.end()) for m in re.finditer(r"[^\r\n\u2028\u2029]+", text))


@dataclass(frozen=True, slots=True)
class Score:
    """Proposals against gold for one relation type."""

    type: str
    proposed: int
    gold: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0


def score_links(proposed: Iterable[Relation], gold: Iterable[Relation]) -> dict[str, Score]:
    """Precision and recall per relation type; two relations match when head, child and type match."""
    proposed_keys, gold_keys = {r.key() for r in proposed}, {r.key() for r in gold}
    names = sorted({key[2] for key in proposed_keys | gold_keys})
    return {name: Score(name, sum(k[2] == name for k in proposed_keys), sum(k[2] == name for k in gold_keys),
                        sum(k[2] == name for k in proposed_keys & gold_keys)) for name in names}

"""The `occurrences` source: every other place in a document where a string the annotators tagged appears.

Case-sensitive and exact (white space included), on token boundaries of the project language: tagging
"Luhansk region" once proposes the other three. On overlapping matches the longest wins ("the Luhansk
region" over "Luhansk"). A string tagged with several labels is proposed with the one used most (the first
name in sorted order on a tie). A string of fewer than MIN_CHARS characters, or with no letter or digit, is not
looked for ("a", "-" would be everywhere), and a document gets at most MAX_HITS proposals (the first ones).

A project with thousands of documents has tens of thousands of tagged strings: `OccurrenceIndex` turns them
into one PhraseMatcher (a hash lookup per token, whatever the number of strings) once and keeps it, adding and
removing only the strings that came or went; a document then costs its tokenizing and one pass of the matcher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.domain.spans import Span
from annotator.nlp import load_spacy
from annotator.nlp.suggest import Request
from annotator.nlp.tokens import blank, tokenize

MIN_CHARS = 2
MAX_HITS = 500


@dataclass(frozen=True)
class Found:
    spans: list[Span]
    hits: int  # the proposals before the MAX_HITS cap (more than len(spans) when the cap cut them)


class OccurrenceIndex:
    """The tagged strings of one project as a matcher, kept up to date by `update` (not thread-safe: one owner)."""

    def __init__(self, lang: str) -> None:
        load_spacy()
        from spacy.matcher import PhraseMatcher

        self.lang = lang
        self._vocab = blank(lang).vocab
        self._matcher: Any = PhraseMatcher(self._vocab)
        self._labels: dict[str, str] = {}  # string -> the label it is proposed with

    def __len__(self) -> int:
        return len(self._labels)

    def update(self, tagged: Mapping[str, Mapping[str, int]], strings: Iterable[str] | None = None) -> None:
        """Look for the strings of `tagged` (text -> {label: times}) and no others; `strings`: only these changed
        (one missing from `tagged`, or at zero, is dropped), every other string stays as it is."""
        for string in set(tagged) | set(self._labels) if strings is None else set(strings):
            labels = {name: n for name, n in tagged.get(string, {}).items() if n > 0}
            label = _most_used(labels) if labels and worth_looking_for(string) else None
            had = self._labels.get(string)
            if label is None:
                if had is not None:
                    self._matcher.remove(string)
                    del self._labels[string]
                continue
            if had is None:
                self._matcher.add(string, [tokenize(string, self.lang)])
            self._labels[string] = label

    def __call__(self, request: Request) -> list[Span]:
        """As a suggestion source (annotator.nlp.suggest.Source): one index for every document of a run."""
        return self.find(request.text, request.existing, request.pause).spans

    def find(self, text: str, existing: Sequence[Span] = (), pause: Callable[[], None] = lambda: None) -> Found:
        """The spans of `text` that repeat a tagged string, less the spans in `existing` (the annotator's own);
        `pause` is called before each block (Request.pause)."""
        if not self._labels or not text:
            return Found([], 0)
        from annotator.nlp.suggest.rules import blocks

        strings = self._vocab.strings
        found = []
        # Block by block, as the rules do: no single call into spaCy holds the GIL for long on a 1 MB article, so a
        # window running this on its worker stays responsive (a string across a cut, after a line break, is missed).
        for offset, block in blocks(text):
            pause()
            doc = tokenize(block, self.lang)
            for match_id, start, end in self._matcher(doc):
                span = doc[start:end]
                string = strings[match_id]
                # Tokens match whatever white space lies between them; the string must match as written.
                if span.text == string and not span[0].is_space and not span[-1].is_space:
                    found.append((span.start_char + offset, span.end_char + offset, self._labels[string]))
        have = {s.key() for s in existing}
        kept: list[Span] = []
        taken = bytearray(len(text))  # characters under a longer match already kept
        for start, end, label in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if taken.find(1, start, end) >= 0:
                continue
            taken[start:end] = b"\x01" * (end - start)  # one the annotator has still wins over shorter ones inside
            if (start, end, label) not in have:
                kept.append(Span(start, end, label))
        kept.sort()
        return Found(kept[:MAX_HITS], len(kept))


def occurrences(lang: str, text: str, tagged: Mapping[str, Mapping[str, int]],
                existing: Sequence[Span] = ()) -> list[Span]:
    """The spans of `text` that repeat a tagged string, less the spans in `existing` (the annotator's own)."""
    if not text or not any(worth_looking_for(s) for s in tagged):
        return []
    index = OccurrenceIndex(lang)
    index.update(tagged)
    return index.find(text, existing).spans


def worth_looking_for(string: str) -> bool:
    return len(string.strip()) >= MIN_CHARS and any(c.isalnum() for c in string)


def _most_used(labels: Mapping[str, int]) -> str:
    return min(labels, key=lambda name: (-labels[name], name))

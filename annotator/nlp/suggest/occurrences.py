"""The `occurrences` source: every other place in a document where a string the annotators tagged appears.

Case-sensitive and exact (white space included), on token boundaries of the project language: tagging
"Luhansk region" once proposes the other three. On overlapping matches the longest wins ("the Luhansk
region" over "Luhansk"). A string tagged with several labels is proposed with the one used most (the first
name in sorted order on a tie).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from annotator.domain.spans import Span
from annotator.nlp import load_spacy
from annotator.nlp.tokens import blank, tokenize


def occurrences(lang: str, text: str, tagged: Mapping[str, Mapping[str, int]],
                existing: Sequence[Span] = ()) -> list[Span]:
    """The spans of `text` that repeat a tagged string, less the spans in `existing` (the annotator's own)."""
    load_spacy()
    from spacy.matcher import PhraseMatcher

    wanted = {s: _most_used(labels) for s, labels in tagged.items() if s.strip() and labels}
    if not wanted or not text:
        return []
    nlp = blank(lang)
    matcher = PhraseMatcher(nlp.vocab)
    for string in wanted:
        matcher.add(string, [tokenize(string, lang)])
    doc = tokenize(text, lang)
    found = []
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        string = nlp.vocab.strings[match_id]
        # Tokens match whatever white space lies between them; the string must match as written.
        if span.text == string and not span[0].is_space and not span[-1].is_space:
            found.append((span.start_char, span.end_char, wanted[string]))
    have = {s.key() for s in existing}
    kept: list[Span] = []
    taken: list[tuple[int, int]] = []
    for start, end, label in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))  # one the annotator has still wins over the shorter matches inside it
        if (start, end, label) not in have:
            kept.append(Span(start, end, label))
    return sorted(kept)


def _most_used(labels: Mapping[str, int]) -> str:
    return min(labels, key=lambda name: (-labels[name], name))

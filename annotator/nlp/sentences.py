"""Sentence boundaries of a text: spaCy's rule-based sentencizer on the language's tokenizer, split again at
line breaks (a headline or a paragraph ends a sentence even without a full stop)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from annotator.nlp import load_spacy
from annotator.nlp.tokens import tokenize

_OPENING_QUOTE = re.compile(r"\s[\"“«„‘']$")  # a quote after a space opens the next sentence's quotation
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|[\n\r\u2028\u2029\x0b\x0c\x85])\s*")


@cache
def _sentencizer() -> Any:
    load_spacy()
    from spacy.pipeline import Sentencizer

    return Sentencizer()


def sentence_bounds(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, in order, without the white space around it."""
    doc = _sentencizer()(tokenize(text, lang))
    cuts = []
    carried: int | None = None
    for sentence in doc.sents:
        start, end = sentence.start_char, sentence.end_char
        start = start if carried is None else carried
        # The sentencizer keeps punctuation after a full stop in the sentence before, which is right for a
        # closing quote ('... day."') but not for one that opens the next quotation ('... Dolinsk. "About').
        opening = _OPENING_QUOTE.search(text, start, end)
        carried = None if opening is None else opening.start() + 1
        cuts.append((start, end if opening is None else opening.start() + 1))
    if carried is not None:
        cuts.append((carried, len(text)))
    bounds = []
    for start, end in cuts:
        for match_start, match_end in _lines(text, start, end):
            piece = text[match_start:match_end]
            lead = len(piece) - len(piece.lstrip())
            trimmed = piece.strip()
            if trimmed:
                bounds.append((match_start + lead, match_start + lead + len(trimmed)))
    return bounds


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    for line_break in _LINE_BREAK.finditer(text, start, end):
        pieces.append((start, line_break.start()))
        start = line_break.end()
    pieces.append((start, end))
    return pieces

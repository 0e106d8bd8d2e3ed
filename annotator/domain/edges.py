"""Moving one edge of a span by one token: the rule behind the window's edge keys (issue 9).

An edge moves to the next token boundary in its direction, so a span that was imported off the token grid snaps
onto it with the first move. Tokens that are only whitespace (spaCy keeps a blank line as a token) are stepped
over: a span never starts or ends on whitespace. Pure: the caller gives the token bounds (spaCy's, read in nlp/).
"""

from __future__ import annotations

import bisect
import re
from enum import StrEnum

from annotator.domain.spans import TokenBounds
from annotator.errors import SpanEdgeError

WORD = re.compile(r"\S+")


class EdgeMove(StrEnum):
    GROW_END = "grow_end"  # the end takes the next token
    SHRINK_END = "shrink_end"  # the end gives its last token back
    GROW_START = "grow_start"  # the start takes the token before it
    SHRINK_START = "shrink_start"  # the start gives its first token back

    @property
    def words(self) -> str:
        return {EdgeMove.GROW_END: "its end one word further", EdgeMove.SHRINK_END: "its end one word back",
                EdgeMove.GROW_START: "its start one word earlier",
                EdgeMove.SHRINK_START: "its start one word later"}[self]


def words_of(text: str) -> TokenBounds:
    """Whitespace-separated words as token bounds: for a language without a tokenizer."""
    found = [(m.start(), m.end()) for m in WORD.finditer(text)]
    return TokenBounds(tuple(s for s, _ in found), tuple(e for _, e in found))


def moved(text: str, start: int, end: int, move: EdgeMove, bounds: TokenBounds | None,
          label: str) -> tuple[int, int]:
    """[start, end) with one edge moved by one token; SpanEdgeError when there is no token to take or the span
    would be empty. `label` names the span in the message. No bounds: words between whitespace."""
    tokens = bounds if bounds is not None and bounds.starts else words_of(text)
    starts, ends = tokens.starts, tokens.ends
    what = f"the {label} span [{start}:{end}]"

    def blank(i: int) -> bool:
        return text[starts[i]:ends[i]].isspace()

    if move is EdgeMove.GROW_END:
        i = bisect.bisect_right(ends, end)
        while i < len(ends) and blank(i):
            i += 1
        if i == len(ends):
            raise SpanEdgeError(f"{what} ends the text: there is no word after it to take", hint=_HINT)
        return start, ends[i]
    if move is EdgeMove.GROW_START:
        i = bisect.bisect_left(starts, start) - 1
        while i >= 0 and blank(i):
            i -= 1
        if i < 0:
            raise SpanEdgeError(f"{what} starts the text: there is no word before it to take", hint=_HINT)
        return starts[i], end
    if move is EdgeMove.SHRINK_END:
        i = bisect.bisect_left(ends, end) - 1
        while i >= 0 and blank(i):
            i -= 1
        if i < 0 or ends[i] <= start:
            raise SpanEdgeError(f"{what} holds one word: giving it back would leave an empty span", hint=_EMPTY)
        return start, ends[i]
    i = bisect.bisect_right(starts, start)
    while i < len(starts) and blank(i):
        i += 1
    if i == len(starts) or starts[i] >= end:
        raise SpanEdgeError(f"{what} holds one word: giving it back would leave an empty span", hint=_EMPTY)
    return starts[i], end


_HINT = "move the other edge, or the other way"
_EMPTY = "Delete removes the span"

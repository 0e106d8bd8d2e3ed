"""The tokenizer of a project's language and the token boundaries that snapping and alignment use."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from annotator.domain.spans import TokenBounds
from annotator.errors import UnknownLanguageError, UsageError
from annotator.nlp import load_spacy

if TYPE_CHECKING:
    from spacy.language import Language

_BLANK_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def blank(lang: str) -> Language:
    """`spacy.blank(lang)`, cached; spaCy is imported here, on first use, never at start-up."""
    # spaCy registers its factories when the first Language is made, which is not safe on two threads.
    with _BLANK_LOCK:
        return _make_blank(lang)


def _make_blank(lang: str) -> Language:
    load_spacy()
    import spacy

    try:
        return spacy.blank(lang)
    except (ImportError, OSError, KeyError, ValueError) as e:
        raise UsageError(f"spaCy has no tokenizer for language {lang!r}", hint="use an ISO code such as en, uk, ar") from e


def check_language(lang: str) -> str:
    """`lang` when spaCy can tokenize it here, else UnknownLanguageError; loads no model, only the tokenizer."""
    load_spacy()
    from spacy.util import get_lang_class

    hint = "use a spaCy language code such as en, uk, ru or ar; for any other language, xx (multi-language)"
    try:
        get_lang_class(lang)
    except ImportError as e:
        raise UnknownLanguageError(f"spaCy has no tokenizer for language {lang!r}", hint=hint) from e
    try:
        blank(lang)
    except UsageError as e:  # the language exists but its tokenizer needs a package that is not installed
        cause = re.split(r":?\s*\(?https?://|\. ", str(e.__cause__ or e))[0].strip()
        raise UnknownLanguageError(f"spaCy's tokenizer for {lang!r} cannot be used here: {cause}",
                                   hint="install what it needs, or use xx, the multi-language tokenizer") from e
    return lang


# The window tokenizes in a background thread while a key press may tokenize in the GUI thread; spaCy's
# tokenizer keeps a cache that is not safe to change from two threads at once.
_TOKENIZER_LOCK = threading.Lock()


def tokenize(text: str, lang: str) -> Any:
    """A spaCy Doc of `text` made by the language's tokenizer alone, whatever its length.

    `nlp.make_doc` refuses texts past `nlp.max_length` (1,000,000 characters), a guard for the memory of
    the parser and NER; the tokenizer alone needs little, and a long article is tokenized like any other.
    """
    nlp = blank(lang)
    with _TOKENIZER_LOCK:
        return nlp.tokenizer(text)


def bounds_of(doc: Any) -> TokenBounds:
    # One array of (idx, length, is_space) rows instead of a Python object per token: a 3 KB article has
    # about 600 tokens, and iterating over them cost more than tokenizing.
    load_spacy()
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    if not len(doc):
        return TokenBounds((), ())
    rows = doc.to_array([IDX, LENGTH, IS_SPACE])
    kept = rows[rows[:, 2] == 0]  # whitespace tokens are never span edges
    starts = kept[:, 0]
    return TokenBounds(tuple(starts.tolist()), tuple((starts + kept[:, 1]).tolist()))


def token_bounds(text: str, lang: str) -> TokenBounds:
    return bounds_of(tokenize(text, lang))


def misaligned(text: str, lang: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) pairs that do not fall on token boundaries."""
    if not spans:
        return []
    chunks = _chunk_boundaries(lang)
    if chunks is not None:
        found = chunks.misaligned(text, spans)
        if found is not None:
            return found
    bounds = token_bounds(text, lang)
    return [(s, e) for s, e in spans if not bounds.is_aligned(s, e)]


# spaCy's rule-based tokenizer splits a text at every change between whitespace and the rest, and tokenizes
# each run of non-space characters (a chunk) on its own: it caches tokens by chunk. So an edge inside a
# chunk is a token boundary exactly when it is one in that chunk tokenized alone, an edge at either end of a
# chunk always is, and an edge on whitespace never is. Checking a span then costs one cached look-up per
# edge instead of tokenizing the whole text. Not so for a tokenizer of another kind (Chinese, Japanese,
# Thai ...) or with special cases that hold a space (Spanish "EE. UU."): those take the whole text.
_RUN = re.compile(r"\S*")  # \S is what str.isspace() is not, as spaCy splits


def _run_end(text: str, pos: int, endpos: int) -> int:
    """Where the run of non-space characters from `pos` ends (before `endpos`)."""
    found = _RUN.match(text, pos, endpos)
    assert found is not None  # \S* matches the empty string too
    return found.end()
MAX_CHUNK = 200  # longer runs of non-space characters (a URL list, a base64 blob) take the whole text
_CHUNK_CACHE_SIZE = 50_000  # chunks repeat: news text holds a few tens of thousands of distinct ones


class _ChunkBoundaries:
    def __init__(self, nlp: Language) -> None:
        self._tokenizer = nlp.tokenizer
        self._cache: dict[str, tuple[frozenset[int], frozenset[int]]] = {}

    def _edges(self, chunk: str) -> tuple[frozenset[int], frozenset[int]]:
        edges = self._cache.get(chunk)
        if edges is None:
            with _TOKENIZER_LOCK:
                doc = self._tokenizer(chunk)
            bounds = bounds_of(doc)
            edges = (frozenset(bounds.starts), frozenset(bounds.ends))
            if len(self._cache) >= _CHUNK_CACHE_SIZE:
                self._cache.clear()
            self._cache[chunk] = edges
        return edges

    def _in_chunk(self, text: str, backwards: str, position: int, inside: int, *, start: bool) -> bool | None:
        """Whether an edge inside a chunk starts (or ends) a token there; None for a chunk too long.

        `backwards` is the text reversed: a match from `inside` there finds where the chunk begins."""
        mirrored = len(text) - 1 - inside  # `inside` in the reversed text, where a match runs leftwards
        left = inside + 1 - (_run_end(backwards, mirrored, mirrored + MAX_CHUNK + 1) - mirrored)
        right = _run_end(text, inside, inside + MAX_CHUNK + 1)
        if right - left > MAX_CHUNK:
            return None
        starts, ends = self._edges(text[left:right])
        return (position - left) in (starts if start else ends)

    def misaligned(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        """The spans off token boundaries; None when an edge lies in a chunk too long to look at alone."""
        out = []
        length = len(text)
        backwards = ""  # made when first needed
        for s, e in spans:
            # An edge on whitespace is never a token edge; one at either end of a chunk always is.
            if text[s].isspace() or text[e - 1].isspace():
                out.append((s, e))
                continue
            if s > 0 and not text[s - 1].isspace():
                backwards = backwards or text[::-1]
                head = self._in_chunk(text, backwards, s, s, start=True)
                if head is None:
                    return None
                if not head:
                    out.append((s, e))
                    continue
            if e < length and not text[e].isspace():
                backwards = backwards or text[::-1]
                tail = self._in_chunk(text, backwards, e, e - 1, start=False)
                if tail is None:
                    return None
                if not tail:
                    out.append((s, e))
        return out


@lru_cache(maxsize=8)
def _chunk_boundaries(lang: str) -> _ChunkBoundaries | None:
    load_spacy()
    from spacy.tokenizer import Tokenizer

    nlp = blank(lang)
    if type(nlp.tokenizer) is not Tokenizer:
        return None
    tokenizer: Tokenizer = nlp.tokenizer  # spaCy's Tokenizer is a Cython class without stubs: Any to mypy
    # A special case that mixes whitespace with other characters joins chunks; pure whitespace ones do not.
    if any(any(c.isspace() for c in rule) and not rule.isspace() for rule in (tokenizer.rules or {})):
        return None
    return _ChunkBoundaries(nlp)


def token_offsets(lang: str) -> Callable[[str], list[tuple[int, int]]]:
    """A function giving the (start, end) of every non-space token of a text: for token-based formats."""
    nlp = blank(lang)

    def offsets(text: str) -> list[tuple[int, int]]:
        with _TOKENIZER_LOCK:
            doc = nlp.tokenizer(text)  # not make_doc: see tokenize()
        bounds = bounds_of(doc)
        return list(zip(bounds.starts, bounds.ends, strict=True))

    return offsets


def token_arrays(lang: str) -> Callable[[str], tuple[Any, Any]]:
    """A function giving the starts and ends of every non-space token of a text as two numpy arrays."""
    load_spacy()
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    nlp = blank(lang)
    columns = [IDX, LENGTH, IS_SPACE]

    def arrays(text: str) -> tuple[Any, Any]:
        with _TOKENIZER_LOCK:
            doc = nlp.tokenizer(text)
        rows = doc.to_array(columns).reshape(-1, 3).astype("int64")
        kept = rows[rows[:, 2] == 0]
        return kept[:, 0], kept[:, 0] + kept[:, 1]

    return arrays

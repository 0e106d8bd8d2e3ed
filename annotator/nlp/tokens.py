"""The tokenizer of a project's language and the token boundaries that snapping and alignment use."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from annotator.domain.spans import TokenBounds
from annotator.errors import UnknownLanguageError, UsageError

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
    import spacy

    try:
        return spacy.blank(lang)
    except (ImportError, OSError, KeyError, ValueError) as e:
        raise UsageError(f"spaCy has no tokenizer for language {lang!r}", hint="use an ISO code such as en, uk, ar") from e


def check_language(lang: str) -> str:
    """`lang` when spaCy can tokenize it here, else UnknownLanguageError; loads no model, only the tokenizer."""
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
    starts = []
    ends = []
    for token in doc:
        if token.is_space:  # whitespace tokens are never span edges
            continue
        starts.append(token.idx)
        ends.append(token.idx + len(token.text))
    return TokenBounds(tuple(starts), tuple(ends))


def token_bounds(text: str, lang: str) -> TokenBounds:
    return bounds_of(tokenize(text, lang))


def misaligned(text: str, lang: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) pairs that do not fall on token boundaries."""
    if not spans:
        return []
    bounds = token_bounds(text, lang)
    return [(s, e) for s, e in spans if not bounds.is_aligned(s, e)]


def token_offsets(lang: str):  # type: ignore[no-untyped-def]
    """A function giving the (start, end) of every non-space token of a text: for token-based formats."""
    nlp = blank(lang)

    def offsets(text: str) -> list[tuple[int, int]]:
        with _TOKENIZER_LOCK:
            doc = nlp.tokenizer(text)  # not make_doc: see tokenize()
        return [(t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]

    return offsets

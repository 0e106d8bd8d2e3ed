"""The candidate spans a trained span categorizer scores (docs/adr/0013-entity-n-grams-and-statement-clauses.md).

Entities (SOURCE, LOCATION, FIGURE) are short: n-grams up to nlp.training.ENTITY_MAX_TOKENS cover them.
Statements (CLAIM) are clauses of 10 to 25 tokens: rather than every n-gram up to that length (about 23 candidates
a token, most of them cutting a clause in two), the suggester proposes clauses as punctuation draws them: within
each sentence, every run of up to MAX_PIECES pieces between clause marks (commas, colons, quotes, dashes,
brackets) and every suffix of such a run ("Marchuk said that [repairs would cost $4.5 million]"). Punctuation
only, no word lists: it serves every language the tokenizer splits.

Importing this module registers the suggester with spaCy: a model trained with it loads only in a process that
imported it first (nlp.suggest.pipeline does, before spacy.load; the frozen app bundles every annotator module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from annotator.nlp import load_spacy

load_spacy()  # this module imports spaCy as it loads: one thread at a time, as everywhere (annotator.nlp)
from spacy.util import registry  # noqa: E402

SUGGESTER = "annotator.entity_ngrams_and_statement_clauses.v1"
MAX_PIECES = 3  # a clause spans at most this many pieces between clause marks
# Tokens that end a sentence, and tokens that part clauses inside one (quotes and brackets are found by lexeme).
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "。", "！", "？", "؟", "।"})
_CLAUSE_MARKS = frozenset({",", ";", ":", "—", "–", "-", "--", "،", "、", "，", "；", "："})


def statement_clauses(doc: Any, longer_than: int = 0) -> list[tuple[int, int]]:
    """(first token, past the last) of every clause candidate of `doc` longer than `longer_than` tokens: the
    statement candidates."""
    out: list[tuple[int, int]] = []
    for first, past in _sentences(doc):
        pieces = _pieces(doc, first, past)
        for i, (start, _end) in enumerate(pieces):
            for j in range(i, min(i + MAX_PIECES, len(pieces))):
                end = pieces[j][1]
                # The run itself, and every suffix of it that starts inside its first piece.
                last_start = min(pieces[i][1], end - longer_than)
                out.extend((s, end) for s in range(start, last_start))
    return out


def _sentences(doc: Any) -> Iterable[tuple[int, int]]:
    first = 0
    for token in doc:
        if token.text in _SENTENCE_ENDS or (token.is_space and "\n" in token.text):
            if token.i > first:
                yield first, token.i
            first = token.i + 1
    if first < len(doc):
        yield first, len(doc)


def _pieces(doc: Any, first: int, past: int) -> list[tuple[int, int]]:
    """The runs of tokens between clause marks (and white space tokens) of the sentence [first, past)."""
    pieces = []
    start = None
    for i in range(first, past):
        token = doc[i]
        mark = token.is_space or token.is_quote or token.is_bracket or token.text in _CLAUSE_MARKS
        if mark:
            if start is not None:
                pieces.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        pieces.append((start, past))
    return pieces


def entity_ngrams(doc: Any, max_size: int) -> Any:
    """(first token, past the last) of every n-gram of 1 to `max_size` tokens, as spaCy's n-gram suggester makes
    them. Those that start or end on punctuation are kept: they are the near misses ("Velmora,") a model learns
    the edges of an entity from (leaving them out lost about 0.1 F on SOURCE and LOCATION on unseen texts)."""
    import numpy

    n = len(doc)
    starts = numpy.arange(n)
    grams = [numpy.stack((starts[: n - size + 1], starts[: n - size + 1] + size), axis=1)
             for size in range(1, min(max_size, n) + 1)]
    return numpy.concatenate(grams) if grams else numpy.zeros((0, 2), dtype=numpy.int64)


@registry.misc(SUGGESTER)
def build_statement_suggester(max_size: int, statements: bool = True) -> Callable[..., Any]:
    """The entity n-grams of 1 to `max_size` tokens and, with `statements`, every clause candidate longer than
    that; each span once."""

    def suggest(docs: Iterable[Any], *, ops: Any = None) -> Any:
        load_spacy()
        import numpy
        from thinc.api import get_current_ops
        from thinc.types import Ragged

        ops = ops or get_current_ops()
        rows = []
        lengths = []
        for doc in docs:
            found = entity_ngrams(doc, max_size)
            clauses = statement_clauses(doc, longer_than=max_size) if statements else []
            if clauses:
                found = numpy.concatenate((found, numpy.asarray(clauses, dtype=found.dtype)))
            rows.append(found)
            lengths.append(len(found))
        data = numpy.concatenate(rows) if rows else numpy.zeros((0, 2))
        return Ragged(ops.asarray2i(data.astype("int32")), ops.asarray1i(lengths))

    return suggest

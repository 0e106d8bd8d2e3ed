"""`DocBin.add` without its per-token Python loop and its per-document msgpack set-up: the same bytes, sooner.

spaCy's `DocBin.add` reads nine string attributes of every token one Python call at a time (a news article
has about 600 tokens), and every `srsly.msgpack_dumps` call builds a new Packer, which looks up the encoders
registered through entry points: a scan of the installed packages, about 2 ms, paid three times a document
(user data, the span groups, each group). `DocPacker.add` takes the token strings from one array of hashes
and packs with one Packer made once; tests/test_docbin_pack.py holds it to `DocBin.add`, byte for byte.
"""

from __future__ import annotations

import struct
from typing import Any

from annotator.nlp import load_spacy

# The token attributes whose strings `DocBin.add` keeps: text, tag_, lemma_, norm_, morph, dep_, ent_type_,
# ent_kb_id_, ent_id_ (a token's norm_ falls back to its lexeme's, as to_array's NORM does).
_STRING_ATTRS = ("ORTH", "TAG", "LEMMA", "NORM", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")
_SPAN = struct.Struct(">QQQllll")  # SpanGroup.to_bytes: id, kb_id, label, start, end, start_char, end_char


class DocPacker:
    """Adds Docs to spaCy DocBins as `DocBin.add` does, with one msgpack Packer for every document."""

    def __init__(self) -> None:
        load_spacy()
        import numpy
        import srsly.msgpack  # type: ignore[import-untyped]  # spaCy's serializer ships no type information
        from spacy.attrs import IDS, SPACY
        from spacy.tokens._dict_proxies import SpanGroups

        # srsly.msgpack_dumps is packb(data, use_bin_type=True), which makes this Packer on every call.
        self._pack = srsly.msgpack.Packer(use_bin_type=True).pack
        self._numpy = numpy
        self._string_attrs = [IDS[name] for name in _STRING_ATTRS]
        self._spacy = SPACY
        self._empty_groups = SpanGroups._EMPTY_BYTES

    def add(self, docbin: Any, doc: Any) -> None:
        """`docbin.add(doc)`: the same tokens, spaces, flags, strings, cats, user data and span groups."""
        numpy = self._numpy
        array = doc.to_array(docbin.attrs)
        if len(array.shape) == 1:
            array = array.reshape((array.shape[0], 1))
        docbin.tokens.append(array)
        spaces = doc.to_array(self._spacy)
        docbin.spaces.append(numpy.asarray(spaces.reshape((spaces.shape[0], 1)), dtype=bool))
        docbin.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        strings = doc.vocab.strings
        hashes: set[int] = set(doc.to_array(self._string_attrs).ravel().tolist()) if len(doc) else set()
        docbin.cats.append(doc.cats)
        if docbin.store_user_data:
            docbin.user_data.append(self._pack(doc.user_data))
        # SpanGroups.to_bytes(): each group's bytes, with the keys it is the value of; the spans' strings too
        groups: dict[bytes, list[str]] = {}
        for key, group in doc.spans.items():
            spans = list(group)  # a SpanGroup makes a new Span object each time it is read
            groups.setdefault(self._group_bytes(group, spans), []).append(key)
            for span in spans:
                hashes.add(span.label)
                hashes.update(h for h in (span.kb_id, span.id) if h in strings)
        docbin.span_groups.append(bytes(self._pack(groups)) if groups else bytes(self._empty_groups))
        docbin.strings.update(strings[h] for h in hashes)  # 0 is "", what an unset tag_ or kb_id_ gives

    def _group_bytes(self, group: Any, spans: list[Any]) -> bytes:
        """`SpanGroup.to_bytes()` of `group`, whose spans are `spans`."""
        pack = _SPAN.pack
        packed = [pack(s.id, s.kb_id, s.label, s.start, s.end, s.start_char, s.end_char) for s in spans]
        return bytes(self._pack({"name": group.name, "attrs": group.attrs, "spans": packed}))

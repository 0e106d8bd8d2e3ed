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

# The token attributes whose strings `DocBin.add` keeps: text, tag_, lemma_, norm_, morph, dep_, ent_type_,
# ent_kb_id_, ent_id_ (a token's norm_ falls back to its lexeme's, as to_array's NORM does).
_STRING_ATTRS = ("ORTH", "TAG", "LEMMA", "NORM", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")
_SPAN = struct.Struct(">QQQllll")  # SpanGroup.to_bytes: id, kb_id, label, start, end, start_char, end_char


class DocPacker:
    """Adds Docs to spaCy DocBins as `DocBin.add` does, with one msgpack Packer for every document."""

    def __init__(self) -> None:
        import numpy
        import srsly.msgpack
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
        if len(doc):
            hashes = numpy.unique(doc.to_array(self._string_attrs)).tolist()
            docbin.strings.update(strings[h] for h in hashes)  # 0 is "", what an unset tag_ or dep_ gives
        docbin.cats.append(doc.cats)
        if docbin.store_user_data:
            docbin.user_data.append(self._pack(doc.user_data))
        docbin.span_groups.append(self._groups_bytes(doc.spans))
        for group in doc.spans.values():
            for span in group:
                docbin.strings.add(span.label_)
                if span.kb_id in strings:
                    docbin.strings.add(span.kb_id_)
                if span.id in strings:
                    docbin.strings.add(span.id_)

    def _groups_bytes(self, groups: Any) -> bytes:
        """`SpanGroups.to_bytes()`: each group's bytes, with the keys it is the value of."""
        if len(groups) == 0:
            return bytes(self._empty_groups)
        msg: dict[bytes, list[str]] = {}
        for key, group in groups.items():
            msg.setdefault(self._group_bytes(group), []).append(key)
        return bytes(self._pack(msg))

    def _group_bytes(self, group: Any) -> bytes:
        """`SpanGroup.to_bytes()`."""
        pack = _SPAN.pack
        spans = [pack(s.id, s.kb_id, s.label, s.start, s.end, s.start_char, s.end_char) for s in group]
        return bytes(self._pack({"name": group.name, "attrs": group.attrs, "spans": spans}))

"""Hypothesis strategies of hostile files for every importer (tests/test_hostile_inputs.py runs them).

Each strategy makes the contents of one file: mostly the right structure, with any field sometimes replaced by
anything at all (huge numbers, NaN, lone surrogates, nesting 60,000 deep, labels in any script), keys repeated,
values cut off. JSON is written by `dump`, which can emit what json.dumps refuses to.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

DEEP = 60_000
LONG_NUMBER = "9" * 5000


def docbin_bytes(texts: list[str], damage: Callable[[dict], None] | None = None) -> bytes:
    """A .spacy file of `texts` (a FIGURE span on the first two tokens), its message changed by `damage`."""
    import spacy
    import srsly
    from spacy.tokens import DocBin, Span

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=False)
    for text in texts:
        doc = nlp(text)
        if len(doc) > 1:
            doc.spans["sc"] = [Span(doc, 0, 2, "FIGURE")]
        docbin.add(doc)
    data = docbin.to_bytes()
    if damage is None:
        return data
    message = srsly.msgpack_loads(zlib.decompress(data))
    damage(message)
    return zlib.compress(srsly.msgpack_dumps(message))


@dataclass(frozen=True)
class Raw:
    """JSON text written as it is: tokens json.dumps would refuse or cannot make (NaN, 5,000 digits)."""

    text: str


@dataclass(frozen=True)
class Obj:
    """A JSON object as key/value pairs, so that a key may repeat."""

    pairs: tuple[tuple[str, object], ...]


def dump(value: object) -> str:
    """JSON text of a value built by the strategies below (ASCII, so a lone surrogate stays an escape)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Obj):
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return dump(Obj(tuple(value.items())))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    return json.dumps(value)


SAMPLE = ["More than 17,000 people left Izium, the governor said.", "Izium", "ЛОКАЦИЯ Київ 🙂 e\u0301",
          "line one\r\nline two", "x"]
STRANGE_STRINGS = ["", " ", "\n", "\t \u00a0", "\ud800", "a\udfffb", "\x00", '"', "'\"\\", "L\nX", "x" * 10_000,
                   "ЛОКАЦИЯ", "مكان", "地点", "🙂", "B-LOC", "-DOCSTART-", "\u2028", "\ufeff"]
RAW_TOKENS = [Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e999"), Raw("-0"), Raw("1.5e300"),
              Raw(LONG_NUMBER), Raw("-" + "1" * 4400), Raw("99999999999999999999999"), Raw("[" * DEEP + "]" * DEEP),
              Raw('{"a":' * 3000 + "1" + "}" * 3000)]

strings = st.one_of(st.sampled_from(SAMPLE), st.sampled_from(STRANGE_STRINGS), st.text(max_size=15))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70),
                    st.floats(allow_nan=True, allow_infinity=True), strings, st.sampled_from(RAW_TOKENS))
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(strings, inner, max_size=3), max_leaves=6)
offsets = st.one_of(st.integers(-2, 60), st.sampled_from([-1, 0, 5, 54, 55, 2**31, 2**63, 10**23, 1.5, 5.0, "3",
                                                          None, True, Raw("NaN"), Raw(LONG_NUMBER)]))
labels = st.one_of(st.sampled_from(["LOCATION", "SOURCE", "FIGURE", "CLAIM"]), st.sampled_from(STRANGE_STRINGS),
                   st.text(min_size=1, max_size=20))


def either(good: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right kind of value, sometimes anything at all, so deeper fields are reached too."""
    return st.one_of(good, good, good, anything)


def obj(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """A JSON object with some of `fields` (each possibly wrong), sometimes an extra key, or a key twice with
    another value (json keeps the last)."""
    pairs = [st.tuples(st.just(k), either(v)) for k, v in fields.items()]
    extra = st.tuples(st.one_of(st.sampled_from(list(fields)), strings), anything)
    return st.tuples(st.lists(st.sampled_from(range(len(pairs))), max_size=len(pairs) + 1),
                     st.tuples(*pairs), st.lists(extra, max_size=1)).map(
        lambda t: Obj(tuple(t[1][i] for i in sorted(t[0])) + tuple(t[2])))


texts = st.one_of(st.sampled_from(SAMPLE), strings)
prodigy_tasks = obj(text=texts, spans=st.lists(obj(start=offsets, end=offsets, label=labels, text=strings),
                                               max_size=3),
                    meta=st.dictionaries(strings, anything, max_size=3), answer=st.sampled_from(["accept", "reject"]),
                    _annotator_id=strings)
doccano_examples = obj(text=texts, label=st.lists(st.tuples(offsets, offsets, labels), max_size=3),
                       entities=st.lists(obj(start_offset=offsets, end_offset=offsets, label=labels), max_size=2),
                       meta=anything)
results = obj(type=st.sampled_from(["labels", "choices"]),
              value=obj(start=offsets, end=offsets, text=strings, labels=st.lists(labels, max_size=2)))
labelstudio_tasks = obj(id=anything, data=obj(text=texts, title=strings),
                        annotations=st.lists(obj(result=st.lists(results, max_size=2), was_cancelled=st.booleans(),
                                                 completed_by=st.one_of(obj(email=strings), st.integers(),
                                                                        strings)), max_size=2),
                        predictions=st.lists(obj(result=st.lists(results, max_size=2), model_version=anything),
                                             max_size=1))
spacy_json_items = st.tuples(either(texts), either(obj(entities=st.lists(st.tuples(offsets, offsets, labels),
                                                                          max_size=3))))


def json_lines(records: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(records, min_size=1, max_size=3).map(lambda rs: "".join(dump(r) + "\n" for r in rs))


def json_array(records: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(records, min_size=1, max_size=3).map(lambda rs: "[\n" + ",\n".join(map(dump, rs)) + "\n]\n")


def cut(content: st.SearchStrategy) -> st.SearchStrategy:
    """The content, or the content cut off somewhere (an unclosed value, half a line)."""
    return st.one_of(content, content, st.tuples(content, st.floats(0, 1)).map(lambda t: t[0][: int(len(t[0]) * t[1])]))


def csv_text(rows: list[list[str]], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


cells = st.one_of(strings, st.sampled_from(["99999999999999999999999", LONG_NUMBER, "NaN", "1e999"]))
csv_files = st.one_of(
    st.builds(csv_text, st.lists(st.lists(cells, min_size=1, max_size=4), max_size=3),
              st.lists(st.sampled_from(["text", "title", "Body", "meta", "x", ""]), min_size=1, max_size=4)),
    st.lists(cells, max_size=6).map(lambda parts: "text,title\n" + ",".join(parts) + "\n"),
)
txt_files = st.one_of(texts, st.binary(max_size=40), st.sampled_from(["\ufeff", "\r\n", " \n\t", "\x00"]))
conll_tags = st.one_of(st.sampled_from(["O", "B-LOC", "I-LOC", "E-LOC", "S-X", "U-X"]),
                       labels.map(lambda label: "B-" + label), strings)
conll_files = st.lists(st.one_of(st.tuples(strings, conll_tags).map(lambda t: f"{t[0]} {t[1]}"),
                                 st.sampled_from(["", "-DOCSTART- -X- -X- O", "\t", "a\tb\tB-LOC"]), strings),
                       min_size=1, max_size=6).map(lambda lines: "\n".join(lines) + "\n")
brat_offsets = st.one_of(st.integers(-2, 60).map(str), st.sampled_from(["-1", "1.5", "99999999999999999999999",
                                                                        LONG_NUMBER, "", "a", "0 5;9 14", "3;"]))
brat_lines = st.one_of(
    st.tuples(labels, brat_offsets, brat_offsets, strings).map(lambda t: f"T1\t{t[0]} {t[1]} {t[2]}\t{t[3]}"),
    st.sampled_from(["R1\tRel Arg1:T1 Arg2:T2", "#1\tNote T1\tx", "T1\tLOC 0 5", "T1", "X1\tfoo"]), strings)
brat_files = st.tuples(texts, st.lists(brat_lines, max_size=3).map(lambda ls: "\n".join(ls) + "\n"))


def spacy_file(texts: list[str], how: str, where: float) -> bytes:
    """A .spacy file of `texts`, damaged `how` at `where` (0..1 of its bytes or keys). Built in the test, not in
    the strategy: spaCy touches the `random` module, which Hypothesis forbids inside strategies."""
    data = docbin_bytes(texts)
    if how == "intact":
        return data
    if how == "truncate":
        return data[: int(len(data) * where)]
    if how == "flip":
        at = int((len(data) - 1) * where)
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    import srsly

    message = srsly.msgpack_loads(zlib.decompress(data))
    keys = sorted(message)
    message[keys[int((len(keys) - 1) * where)]] = {"none": None, "empty": [], "bytes": b"\x00\x01"}[how]
    return zlib.compress(srsly.msgpack_dumps(message))


docbin_texts = st.lists(st.one_of(st.sampled_from(SAMPLE), st.text(alphabet=st.characters(codec="utf-8"),
                                                                     max_size=20)), min_size=1, max_size=3)
spacy_files = st.tuples(docbin_texts, st.sampled_from(["intact", "truncate", "flip", "none", "empty", "bytes"]),
                        st.floats(0, 1))  # made into bytes by spacy_file

# Each importer: (format, file name, strategy of file contents). brat contents are a (.txt, .ann) pair.
IMPORTERS: dict[str, tuple[str, st.SearchStrategy]] = {
    "txt": ("doc.txt", txt_files),
    "csv": ("table.csv", csv_files),
    "prodigy": ("tasks.jsonl", cut(json_lines(prodigy_tasks))),
    "doccano": ("doccano.jsonl", cut(st.one_of(json_lines(doccano_examples), json_array(doccano_examples)))),
    "labelstudio": ("export.json", cut(st.one_of(json_array(labelstudio_tasks), json_lines(labelstudio_tasks)))),
    "brat": ("brat", brat_files),
    "conll": ("tags.conll", conll_files),
    "spacy_json": ("train.json", cut(json_array(spacy_json_items))),
    "spacy": ("corpus.spacy", spacy_files),
}

# ruff: noqa: UP031  (JSON templates: %s reads better here than str.format with every brace doubled)
"""Importers against hostile content: every input ends in a success or in one coded line, and a failure leaves
the database exactly as it was.

The first half pins the inputs a hostile tester once turned into tracebacks (each failed before its fix; the
offsets too big for the database were already refused, and are pinned so they stay so). The
second half is a Hypothesis suite per importer with hostile structure: huge numbers, NaN, lone surrogates, deep
nesting, duplicate keys, wrong types in every field, edge offsets, labels in any script. It runs derandomized
with bounded example counts in CI; the long soak, with fresh random examples, is

    python -m pytest -m slow tests/test_hostile_inputs.py -k soak   # 2,000 per importer, about 12 minutes

Every example records its outcome in the tally that tests/conftest.py prints at the end of the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_strategies import DEEP, IMPORTERS, LONG_NUMBER, docbin_bytes, spacy_file
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator import formats
from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import AnnotatorError, ExportError
from annotator.services.importing import import_paths
from annotator.services.workspace import Workspace, ensure_project, open_workspace

ROOT = Path(__file__).resolve().parents[1]
CODED = re.compile(r"^\[A0\d\d\] ")


# ---- the database's content, and one import recorded in the tally -------------------------------------------

def checksum(ws: Workspace) -> str:
    """A hash over every row of every table: equal before and after means the import changed nothing."""
    from sqlalchemy import MetaData, select

    metadata = MetaData()
    metadata.reflect(ws.db.engine)
    digest = hashlib.sha256()
    with ws.db.engine.connect() as conn:
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(r)) for r in conn.execute(select(table))):
                digest.update(row.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def hostile_import(ws: Workspace, path: Path, fmt: str, tally: dict[str, int]) -> str | None:
    """Import `path`; record the outcome; return the coded error or None. Fails on anything but those two."""
    before = checksum(ws)
    tally["run"] += 1
    try:
        summary = import_paths(ws, [path], project="default", annotator="hostile", fmt=fmt)
    except AnnotatorError as e:
        error: str | None = str(e)
    except Exception:
        tally["tracebacks"] += 1
        raise
    else:
        error = summary.errors[0] if summary.errors else None
    tally["clean errors" if error else "successes"] += 1
    if error:
        assert CODED.match(error), error
        assert "\n" not in error, error  # one line
        if checksum(ws) != before:
            tally["data changed after a failure"] += 1
            raise AssertionError(f"the database changed although the import failed: {error}")
    return error


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "hostile.db")
    ensure_project(ws, "default")  # made by the first import otherwise, which the checksum would count
    yield ws
    ws.close()


@pytest.fixture
def pg_ws(pg_url: str) -> Iterator[Workspace]:
    ws = open_workspace(pg_url)
    ensure_project(ws, "default")
    yield ws
    ws.close()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return path


# ---- the inputs that once gave tracebacks -----------------------------------------------------------------

TEXT = "More than 17,000 people left Izium, the governor said."
# (file name, content, format, the code it must end in). "{n}" is replaced by a number.
NUMBER_CASES = [
    ("prodigy.jsonl", '{"text": "%s", "spans": [{"start": 0, "end": {n}, "label": "FIGURE"}]}\n' % TEXT, "prodigy"),
    ("meta.jsonl", '{"text": "%s", "meta": {"views": {n}}}\n' % TEXT, "prodigy"),
    ("doccano.jsonl", '{"text": "%s", "label": [[{n}, 4, "FIGURE"]]}\n' % TEXT, "doccano"),
    ("labelstudio.json", '[{"data": {"text": "%s"}, "annotations": [{"result": [{"type": "labels", '
     '"value": {"start": 0, "end": {n}, "labels": ["FIGURE"]}}]}]}]\n' % TEXT, "labelstudio"),
    ("spacy_json.json", '[["%s", {"entities": [[0, {n}, "FIGURE"]]}]]\n' % TEXT, "spacy_json"),
    ("pretty.json", '[\n  {"text": "%s",\n   "label": [[0, {n}, "FIGURE"]]}\n]\n' % TEXT, "doccano"),
]


@pytest.mark.parametrize(("name", "content", "fmt"), NUMBER_CASES)
def test_numbers_over_pythons_digit_limit_are_a_coded_line(sqlite_ws: Workspace, tmp_path: Path,
                                                          hostile_tally: dict[str, int], name: str, content: str,
                                                          fmt: str) -> None:
    path = write(tmp_path, name, content.replace("{n}", LONG_NUMBER))
    error = hostile_import(sqlite_ws, path, fmt, hostile_tally)
    assert error is not None and error.startswith("[A014]") and name in error and "4300 digits" in error


@pytest.mark.parametrize(("name", "content", "fmt"), NUMBER_CASES)
def test_offsets_too_big_for_the_database_are_a_coded_line(sqlite_ws: Workspace, tmp_path: Path,
                                                          hostile_tally: dict[str, int], name: str, content: str,
                                                          fmt: str) -> None:
    path = write(tmp_path, name, content.replace("{n}", "99999999999999999999999"))
    error = hostile_import(sqlite_ws, path, fmt, hostile_tally)
    if name == "meta.jsonl":  # a big number in meta is kept: JSON and both databases hold it
        assert error is None
        with sqlite_ws.unit() as repo:
            assert [meta for *_, meta in repo.documents.batch(repo.documents.ids(1))] == [
                {"views": 99999999999999999999999}]
    else:
        assert error is not None and error.startswith("[A010]") and "outside the text" in error
        assert len(error) < 300  # the number is cut short, not printed whole


def test_brat_and_csv_with_huge_numbers(sqlite_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int]) -> None:
    write(tmp_path / "brat", "a.txt", TEXT)
    write(tmp_path / "brat", "a.ann", f"T1\tFIGURE 0 {LONG_NUMBER}\tx\n")
    error = hostile_import(sqlite_ws, tmp_path / "brat", "brat", hostile_tally)
    assert error is not None and error.startswith("[A014]") and 'a.ann, line 1, field "offsets"' in error
    write(tmp_path / "brat2", "a.txt", TEXT)
    write(tmp_path / "brat2", "a.ann", "T1\tFIGURE 0 99999999999999999999999\tx\n")
    assert hostile_import(sqlite_ws, tmp_path / "brat2", "brat", hostile_tally).startswith("[A014]")
    # leading zeros are still an ordinary offset
    write(tmp_path / "brat3", "a.txt", TEXT)
    write(tmp_path / "brat3", "a.ann", "T1\tFIGURE 0000000000000000000000 0000000000000000000000004\tMore\n")
    assert hostile_import(sqlite_ws, tmp_path / "brat3", "brat", hostile_tally) is None
    # CSV and CoNLL keep numbers as text
    path = write(tmp_path, "t.csv", f'text,views\n"{TEXT}",{LONG_NUMBER}\n')
    assert hostile_import(sqlite_ws, path, "csv", hostile_tally) is None
    path = write(tmp_path, "t.conll", f"{LONG_NUMBER} B-FIGURE\npeople O\n")
    assert hostile_import(sqlite_ws, path, "conll", hostile_tally) is None


SURROGATE_CASES = [
    ("text", '{"text": "Izium \\ud800 is far"}'),
    ("title", '{"text": "%s", "meta": {"title": "Izium \\udfff"}}' % TEXT),
    ("meta.source[1]", '{"text": "%s", "meta": {"source": ["ok", "\\udc80"]}}' % TEXT),
    ("meta.k\\udc00", '{"text": "%s", "meta": {"k\\udc00": 1}}' % TEXT),
    ("spans[0].label", '{"text": "%s", "spans": [{"start": 29, "end": 34, "label": "LOC\\ud800"}]}' % TEXT),
    ("annotator", '{"text": "%s", "_annotator_id": "ana\\udbff", "spans": [{"start": 29, "end": 34, '
     '"label": "LOCATION"}]}' % TEXT),
]


def check_surrogates(ws: Workspace, tmp_path: Path, tally: dict[str, int], field: str, line: str) -> None:
    # The record sits on line 2 after a good one, which must not be written either.
    path = write(tmp_path, "surrogate.jsonl", json.dumps({"text": "A good first record."}) + "\n" + line + "\n")
    error = hostile_import(ws, path, "prodigy", tally)
    assert error is not None and error.startswith("[A015]"), error
    assert f'surrogate.jsonl, line 2, field "{field}"' in error
    error.encode("utf-8")  # the message itself can be printed and shown


@pytest.mark.parametrize(("field", "line"), SURROGATE_CASES)
def test_lone_surrogates_are_refused_on_sqlite(sqlite_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int],
                                              field: str, line: str) -> None:
    check_surrogates(sqlite_ws, tmp_path, hostile_tally, field, line)


@pytest.mark.postgres
@pytest.mark.parametrize(("field", "line"), SURROGATE_CASES)
def test_lone_surrogates_are_refused_on_postgres(pg_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int],
                                                field: str, line: str) -> None:
    check_surrogates(pg_ws, tmp_path, hostile_tally, field, line)


NUL_CASES = [
    ("text", '{"text": "Nul \\u0000 here in Kyiv."}'),
    ("title", '{"text": "%s", "meta": {"title": "Izium\\u0000"}}' % TEXT),
    ("spans[0].label", '{"text": "%s", "spans": [{"start": 29, "end": 34, "label": "LOC\\u0000"}]}' % TEXT),
]


@pytest.mark.parametrize("database", ["sqlite", pytest.param("pg", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("field", "line"), NUL_CASES)
def test_a_nul_character_is_refused_the_same_on_both_databases(request: pytest.FixtureRequest, tmp_path: Path,
                                                               hostile_tally: dict[str, int], database: str,
                                                               field: str, line: str) -> None:
    """SQLite took a NUL and PostgreSQL refused it with a line that named no file: now both refuse it, by name."""
    ws = request.getfixturevalue(f"{database}_ws")
    path = write(tmp_path, "nul.jsonl", json.dumps({"text": "A good first record."}) + "\n" + line + "\n")
    error = hostile_import(ws, path, "prodigy", hostile_tally)
    assert error is not None and error.startswith("[A010]") and "NUL" in error, error
    assert f'nul.jsonl, line 2, field "{field}"' in error


def test_lone_surrogates_in_other_formats(sqlite_ws: Workspace, tmp_path: Path,
                                          hostile_tally: dict[str, int]) -> None:
    cases = [
        ("d.jsonl", '{"text": "%s", "label": [[29, 34, "\\ud800"]]}\n' % TEXT, "doccano", "label[0].label"),
        ("l.json", '[{"data": {"text": "Izium \\ud800"}}]\n', "labelstudio", "text"),
        ("l2.json", '[{"data": {"text": "%s"}, "annotations": [{"completed_by": {"email": "\\udc00@x"}, '
         '"result": [{"type": "labels", "value": {"start": 29, "end": 34, "labels": ["L"]}}]}]}]\n' % TEXT,
         "labelstudio", "annotator"),
        ("s.json", '[["%s", {"entities": [[29, 34, "\\udfff"]]}]]\n' % TEXT, "spacy_json", "spans[0].label"),
    ]
    for name, content, fmt, field in cases:
        error = hostile_import(sqlite_ws, write(tmp_path, name, content), fmt, hostile_tally)
        assert error is not None and error.startswith("[A015]") and name in error, (name, error)
        assert f'field "{field}"' in error or field == "label[0].label", error


def test_annotator_names_longer_than_the_database_holds(sqlite_ws: Workspace, tmp_path: Path,
                                                       hostile_tally: dict[str, int]) -> None:
    # PostgreSQL refuses them with a database error that names no file; SQLite would keep them whole.
    line = json.dumps({"text": TEXT, "_annotator_id": "a" * 201, "spans": [{"start": 29, "end": 34, "label": "L"}]})
    error = hostile_import(sqlite_ws, write(tmp_path, "long.jsonl", line + "\n"), "prodigy", hostile_tally)
    assert error is not None and error.startswith("[A017]") and 'long.jsonl, line 1, field "annotator"' in error


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json", "unclosed.jsonl", "deep_meta.jsonl", "lines.json"])
def test_json_nested_50000_levels_is_a_coded_line(sqlite_ws: Workspace, tmp_path: Path,
                                                  hostile_tally: dict[str, int], name: str) -> None:
    content = {
        "deep.jsonl": "[" * DEEP + "]" * DEEP + "\n",
        "deep.json": "[" + "{\"a\": [" * DEEP + "]}" * DEEP + "]\n",
        "unclosed.jsonl": "[" * DEEP + "\n",
        "deep_meta.jsonl": '{"text": "%s", "meta": %s1%s}\n' % (TEXT, '{"a":' * DEEP, "}" * DEEP),
        "lines.json": "[\n" + "[\n" * DEEP,
    }[name]
    error = hostile_import(sqlite_ws, write(tmp_path, name, content), "prodigy", hostile_tally)
    assert error is not None and error.startswith("[A013]") and name in error, error


def test_meta_nested_deeper_than_stored_is_refused(sqlite_ws: Workspace, tmp_path: Path,
                                                   hostile_tally: dict[str, int]) -> None:
    # 150 levels: Python reads it, but it is past what annotator stores (JSON writers recurse per level).
    line = '{"text": "%s", "meta": %s1%s}\n' % (TEXT, '{"a":' * 150, "}" * 150)
    error = hostile_import(sqlite_ws, write(tmp_path, "m.jsonl", line), "prodigy", hostile_tally)
    assert error is not None and error.startswith("[A013]") and 'field "meta.a.a.a' in error


DOCBIN_DAMAGE: dict[str, Callable[[dict], None]] = {
    "no strings": lambda m: m.__setitem__("strings", []),
    "no strings key": lambda m: m.pop("strings"),
    "span groups": lambda m: m.__setitem__("span_groups", [b"\x81\xc4\x01"] * len(m["span_groups"])),
    "spaces": lambda m: m.__setitem__("spaces", b""),
    "tokens": lambda m: m.__setitem__("tokens", b"\x00" * 5),
}


@pytest.mark.parametrize("damage", [*DOCBIN_DAMAGE, "truncated", "empty", "not a docbin"])
def test_damaged_docbin_is_a_coded_line(sqlite_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int],
                                        damage: str) -> None:
    good = docbin_bytes([TEXT, "Second story about Velmora."])
    data = {"truncated": good[: len(good) // 2], "empty": b"", "not a docbin": b"hello"}.get(damage)
    if data is None:
        data = docbin_bytes([TEXT, "Second story about Velmora."], DOCBIN_DAMAGE[damage])
    error = hostile_import(sqlite_ws, write(tmp_path, "corpus.spacy", data), "spacy", hostile_tally)
    assert error is not None and error.startswith("[A018]") and "corpus.spacy" in error, error


def test_nan_and_infinity_in_meta_are_refused(sqlite_ws: Workspace, tmp_path: Path,
                                              hostile_tally: dict[str, int]) -> None:
    for token, field in (("NaN", "meta.score"), ("Infinity", "meta.score"), ("-Infinity", "meta.score"),
                         ("1e999", "meta.score"), ("[1, NaN]", "meta.score[1]")):
        line = '{"text": "%s", "meta": {"score": %s}}\n' % (TEXT, token)
        error = hostile_import(sqlite_ws, write(tmp_path, "nan.jsonl", line), "prodigy", hostile_tally)
        assert error is not None and error.startswith("[A016]") and f'field "{field}"' in error, error
    # doccano puts other keys in meta; Label Studio's task id goes there too
    for name, content, fmt in (("d.jsonl", '{"text": "%s", "score": NaN}\n' % TEXT, "doccano"),
                               ("l.json", '[{"id": Infinity, "data": {"text": "%s"}}]\n' % TEXT, "labelstudio")):
        error = hostile_import(sqlite_ws, write(tmp_path, name, content), fmt, hostile_tally)
        assert error is not None and error.startswith("[A016]"), error


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_no_exporter_writes_invalid_json(tmp_path: Path, fmt: str) -> None:
    # A database written before NaN was refused may still hold one: the export stops, naming the document.
    records = [DocumentRecord(text=TEXT, spans=(SpanRecord(29, 34, "LOCATION"),), title="ok"),
               DocumentRecord(text="Second story.", title="the bad one", meta={"score": float("nan")})]
    out = tmp_path / "out.jsonl"
    with pytest.raises(ExportError, match="the bad one.*NaN"):
        formats.write(records, out, fmt)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    formats.write(records[:1], out, fmt)
    for line in out.read_text(encoding="utf-8").splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "labelstudio"])
def test_a_stored_lone_surrogate_exports_as_an_escape(tmp_path: Path, fmt: str) -> None:
    # SQLite databases took them in meta before imports refused them; UTF-8 cannot hold one, a \u escape can.
    record = DocumentRecord(text=TEXT, title="t\ud800", meta={"x": "\udc00"})
    out = tmp_path / "out.json"
    formats.write([record], out, fmt)
    assert "\\udc00" in out.read_text(encoding="utf-8") or fmt == "labelstudio"
    assert [r.text for r in formats.read(out, fmt)] == [TEXT]


WHITESPACE = " \n\t\u00a0\u2028 "


def whitespace_inputs(folder: Path) -> list[tuple[Path, str]]:
    """A document whose text is only whitespace, in every importer's format."""
    brat = folder / "brat"
    write(brat, "a.txt", WHITESPACE)
    write(brat, "a.ann", "")
    return [
        (write(folder, "w.txt", WHITESPACE), "txt"),
        (write(folder, "w.csv", f'text\n"{WHITESPACE}"\n'), "csv"),
        (write(folder, "w.jsonl", json.dumps({"text": WHITESPACE}) + "\n"), "prodigy"),
        (write(folder, "w2.jsonl", json.dumps({"text": "", "spans": []}) + "\n"), "prodigy"),
        (write(folder, "d.jsonl", json.dumps({"text": WHITESPACE, "label": []}) + "\n"), "doccano"),
        (write(folder, "l.json", json.dumps([{"data": {"text": WHITESPACE}}])), "labelstudio"),
        (write(folder, "s.json", json.dumps([[WHITESPACE, {"entities": []}]])), "spacy_json"),
        (brat, "brat"),
        (write(folder, "c.conll", "\u00a0 O\n"), "conll"),
        (write(folder, "w.spacy", docbin_bytes([WHITESPACE])), "spacy"),
    ]


def test_whitespace_only_texts_are_refused_by_every_importer(sqlite_ws: Workspace, tmp_path: Path,
                                                             hostile_tally: dict[str, int]) -> None:
    for path, fmt in whitespace_inputs(tmp_path):
        error = hostile_import(sqlite_ws, path, fmt, hostile_tally)
        assert error is not None and error.startswith("[A010]") and "empty" in error, (fmt, error)


def test_cli_gives_one_coded_line_per_hostile_file(tmp_path: Path) -> None:
    files = [write(tmp_path, f"n{i}.jsonl", c.replace("{n}", LONG_NUMBER)) for i, (_, c, _) in enumerate(NUMBER_CASES)]
    files += [write(tmp_path, f"s{i}.jsonl", line + "\n") for i, (_, line) in enumerate(SURROGATE_CASES)]
    files += [write(tmp_path, "deep.jsonl", "[" * DEEP), write(tmp_path, "nan.jsonl", '{"text": "a", "meta": {"x": NaN}}')]
    files += [write(tmp_path, "bad.spacy", docbin_bytes([TEXT], DOCBIN_DAMAGE["no strings"]))]
    files += [path for path, _ in whitespace_inputs(tmp_path / "ws")]
    proc = subprocess.run([sys.executable, "-m", "annotator", "--db", str(tmp_path / "cli.db"), "import",
                           *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == len(files), proc.stderr
    for path, line in zip(files, lines, strict=True):
        assert re.match(r"^annotator: not imported: \[A0\d\d\] ", line) and path.name in line, line
    assert "documents added: 0" in proc.stdout


# ---- Hypothesis: hostile structure for every importer (tests/hostile_strategies.py) ------------------------
# Inputs that once gave a traceback, kept as examples: (format, contents).
ONCE_FAILED = [
    ("prodigy", '{"text": "Izium", "meta": {"n": %s}}\n' % LONG_NUMBER),
    ("prodigy", '{"text": "Izium \\ud800"}\n'),
    ("prodigy", '{"text": "Izium", "meta": {"title": "\\udfff"}}\n'),
    ("prodigy", "[" * DEEP + "\n"),
    ("prodigy", '{"text": "Izium", "meta": {"x": NaN}}\n'),
    ("prodigy", '{"text": " \\n "}\n'),
    ("doccano", '{"text": "Izium", "label": [[0, %s, "L"]]}\n' % LONG_NUMBER),
    ("labelstudio", '[{"data": {"text": "Izium"}, "id": %s}]' % ("[" * DEEP + "]" * DEEP)),
    ("spacy_json", '[["Izium", {"entities": [[0, 5, "\\ud800"]]}]]'),
    # found by the soak: a key with a line break, quoted in the message, made it two lines
    ("labelstudio", '[\n{"data": {"a": "Izium", "line one\\r\\nline two": "Izium"}}\n]\n'),
    ("brat", ("Izium", f"T1\tLOC 0 {LONG_NUMBER}\tIzium\n")),
]


def example_path(folder: Path, fmt: str, content: object) -> Path:
    """The example's file (a brat pair's folder) in a new folder under `folder`."""
    name = IMPORTERS[fmt][0]
    folder = folder / uuid.uuid4().hex
    if fmt == "brat":
        text, ann = content  # type: ignore[misc]
        write(folder / name, "doc.txt", text)
        return write(folder / name, "doc.ann", ann).parent
    if fmt == "spacy":
        content = spacy_file(*content)  # type: ignore[misc]
    return write(folder, name, content)  # type: ignore[arg-type]


def run_example(ws: Workspace, folder: Path, fmt: str, content: object, tally: dict[str, int]) -> None:
    hostile_import(ws, example_path(folder, fmt, content), fmt, tally)


def fuzz(fmt: str, examples: int, *, derandomize: bool = True) -> Callable:
    """A Hypothesis test of one importer against the hostile contents IMPORTERS gives it."""
    contents = IMPORTERS[fmt][1]

    @settings(max_examples=examples, deadline=None, derandomize=derandomize, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(content=contents)
    def check(sqlite_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int], content: object) -> None:
        run_example(sqlite_ws, tmp_path, fmt, content, hostile_tally)

    for once_fmt, once in ONCE_FAILED:
        if once_fmt == fmt:
            check = example(content=once)(check)
    return check


# Sized so the whole file runs in about a minute on one core; the soak below runs many more.
CI_EXAMPLES = {"txt": 30, "csv": 40, "prodigy": 90, "doccano": 70, "labelstudio": 70, "brat": 60, "conll": 40,
               "spacy_json": 60, "spacy": 30}

test_fuzz_txt = fuzz("txt", CI_EXAMPLES["txt"])
test_fuzz_csv = fuzz("csv", CI_EXAMPLES["csv"])
test_fuzz_prodigy = fuzz("prodigy", CI_EXAMPLES["prodigy"])
test_fuzz_doccano = fuzz("doccano", CI_EXAMPLES["doccano"])
test_fuzz_labelstudio = fuzz("labelstudio", CI_EXAMPLES["labelstudio"])
test_fuzz_brat = fuzz("brat", CI_EXAMPLES["brat"])
test_fuzz_conll = fuzz("conll", CI_EXAMPLES["conll"])
test_fuzz_spacy_json = fuzz("spacy_json", CI_EXAMPLES["spacy_json"])
test_fuzz_spacy_docbin = fuzz("spacy", CI_EXAMPLES["spacy"])


@pytest.mark.postgres
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(case=st.sampled_from(["prodigy", "doccano", "labelstudio"]).flatmap(
    lambda fmt: st.tuples(st.just(fmt), IMPORTERS[fmt][1])))
def test_fuzz_json_on_postgres(pg_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int],
                                  case: tuple[str, object]) -> None:
    run_example(pg_ws, tmp_path, *case, hostile_tally)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(IMPORTERS))
def test_fuzz_soak(fmt: str, sqlite_ws: Workspace, tmp_path: Path, hostile_tally: dict[str, int]) -> None:
    """Fresh random examples, many of them: `python -m pytest -m slow tests/test_hostile_inputs.py -k soak`
    (HOSTILE_SOAK_EXAMPLES sets how many per importer, 2,000 by default)."""
    examples = int(os.environ.get("HOSTILE_SOAK_EXAMPLES", "2000"))
    fuzz(fmt, examples, derandomize=False)(sqlite_ws=sqlite_ws, tmp_path=tmp_path, hostile_tally=hostile_tally)


any_importer = st.sampled_from(list(IMPORTERS)).flatmap(lambda fmt: st.tuples(st.just(fmt), IMPORTERS[fmt][1]))


@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(cases=st.lists(any_importer, min_size=8, max_size=15))
@example(cases=ONCE_FAILED)
def test_fuzz_cli(tmp_path: Path, hostile_tally: dict[str, int], cases: list[tuple[str, object]]) -> None:
    """Hostile files of every kind through the real command, format detected: per file, one coded line or none."""
    paths = [example_path(tmp_path, fmt, content) for fmt, content in cases]
    hostile_tally["run"] += len(paths)
    try:
        proc = subprocess.run([sys.executable, "-m", "annotator", "--db", str(tmp_path / f"{uuid.uuid4().hex}.db"),
                               "import", *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        raise AssertionError("the import hung") from None  # counted as hangs: no outcome recorded
    lines = proc.stderr.splitlines()
    if "Traceback" in proc.stderr:
        hostile_tally["tracebacks"] += len(paths)
        raise AssertionError(proc.stderr)
    if len(lines) == 1 and re.match(r"^annotator: \[A0\d\d\] ", lines[0]):  # refused before any import began
        hostile_tally["clean errors"] += len(paths)
        assert proc.returncode == 2 and "documents added" not in proc.stdout
        return
    failed = [p for p in paths if any(line.startswith("annotator: not imported: [A0") and f"] {p}" in line
                                      for line in lines)]
    hostile_tally["clean errors"] += len(failed)
    hostile_tally["successes"] += len(paths) - len(failed)
    assert len(lines) == len(failed), proc.stderr  # one line per failed file, nothing else
    assert proc.returncode == (2 if failed else 0), proc.stderr

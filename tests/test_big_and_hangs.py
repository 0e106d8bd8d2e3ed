"""Long articles and inputs that used to hang: documents past spaCy's max_length, symlink loops, FIFOs and
devices, file names that are not UTF-8."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = ("More than 17,000 people have left Izium since March, deputy governor Irena Dobric wrote on "
             "Telegram.\n")
TWO_MB = 2_000_000
# A wait for a walk or a read that used to never end; generous for a busy machine, finite.
HANG_TIMEOUT = 60


def long_text(size: int = TWO_MB) -> str:
    text = PARAGRAPH * (size // len(PARAGRAPH) + 1)
    return text[: text.rfind("\n", 0, size) + 1]


def spans_near_the_end(text: str) -> list[dict[str, object]]:
    """A FIGURE on token boundaries and a SOURCE that is not (it starts inside "deputy")."""
    last = text.rfind("More than 17,000")
    deputy = text.rfind("deputy governor Irena Dobric")
    return [{"start": last, "end": last + len("More than 17,000"), "label": "FIGURE"},
            {"start": deputy + 2, "end": deputy + len("deputy governor Irena Dobric"), "label": "SOURCE"}]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = HANG_TIMEOUT,
            cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=cwd, env=full_env, capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


# -- 1. documents over 1,000,000 characters -----------------------------------------------------------


@pytest.fixture
def big_jsonl(tmp_path: Path) -> tuple[Path, str]:
    text = long_text()
    assert len(text) > 1_000_000  # past spaCy's nlp.max_length
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": text, "spans": spans_near_the_end(text)}) + "\n", encoding="utf-8")
    return path, text


def test_a_2_mb_document_imports_with_its_spans_counted_against_tokens(ws, big_jsonl) -> None:
    from annotator.services.importing import import_paths

    path, text = big_jsonl
    summary = import_paths(ws, [path], project="p", annotator="ana")
    assert summary.errors == []
    assert summary.total("documents_added") == 1
    assert summary.total("spans_added") == 2
    assert summary.total("spans_misaligned") == 1  # the SOURCE that starts inside a word


def test_a_2_mb_document_is_tagged_snapped_to_tokens(ws, big_jsonl) -> None:
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project

    path, text = big_jsonl
    import_paths(ws, [path], project="p", annotator="ana")
    annotations = Annotations(ws, ensure_project(ws, "p").id, "ana")
    document = annotations.document(annotations.first_document())
    where = text.rfind("Telegram")
    assert annotations.snapped(document, where + 2, where + 5) == (where, where + len("Telegram"))
    assert annotations.snapped(document, where + 3, where + 3) == (where, where + len("Telegram"))


def test_a_2_mb_document_exports_to_spacy_and_conll_and_reads_back(ws, big_jsonl, tmp_path: Path) -> None:
    from annotator import formats
    from annotator.nlp.docbin import read_docbin
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths

    path, text = big_jsonl
    import_paths(ws, [path], project="p", annotator="ana")
    with pytest.raises(Exception, match=r"A030.*1 span\(s\) do not fall on token boundaries"):
        export(ws, fmt="spacy", out=tmp_path / "strict", project="p")
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", align="expand", split=1.0)
    assert (summary.documents, summary.spans, summary.moved) == (1, 2, 1)
    [record] = list(read_docbin(tmp_path / "corpus" / "train.spacy"))
    assert record.text == text
    deputy = text.rfind("deputy governor Irena Dobric")
    last = text.rfind("More than 17,000")
    assert sorted((s.label, s.start, s.end) for s in record.spans) == [
        ("FIGURE", last, last + len("More than 17,000")),
        ("SOURCE", deputy, deputy + len("deputy governor Irena Dobric")),
    ]

    summary = export(ws, fmt="conll", out=tmp_path / "big.conll", project="p", align="expand")
    assert (summary.documents, summary.moved) == (1, 1)
    [back] = list(formats.read(tmp_path / "big.conll", "conll"))
    assert sorted((s.label, back.text[s.start : s.end]) for s in back.spans) == [
        ("FIGURE", "More than 17,000"), ("SOURCE", "deputy governor Irena Dobric")]
    assert back.text.count("Izium") == text.count("Izium")  # every paragraph, as tokens


# -- 2. symbolic link loops ---------------------------------------------------------------------------


def folder_with_link_loops(root: Path) -> Path:
    """Two articles, and in every folder two links back up: without a guard the walk branches forever."""
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("An article about Izium.\n", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("Another article, about Velmora.\n", encoding="utf-8")
    for name in ("loop1", "loop2"):
        (root / name).symlink_to(".", target_is_directory=True)
        (root / "sub" / name).symlink_to("..", target_is_directory=True)
    return root


def test_a_folder_with_link_loops_is_walked_once_and_the_loops_are_named(tmp_path: Path) -> None:
    root = folder_with_link_loops(tmp_path / "articles")
    result = run_cli("--db", str(tmp_path / "t.db"), "import", str(root))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "documents added: 2" in out
    assert "Traceback" not in err
    skipped = [line for line in err.splitlines() if line.startswith("annotator: skipped: [A061]")]
    assert len(skipped) == 4, err  # every link that leads back, once
    assert any(f"{root / 'sub' / 'loop1'}: leads to the folder {root}" in line for line in skipped)


def test_the_walk_reads_each_folder_once(tmp_path: Path) -> None:
    from annotator.formats.detect import walk

    root = folder_with_link_loops(tmp_path / "articles")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.txt").write_text("Third.\n", encoding="utf-8")
    (root / "x1").symlink_to(tmp_path / "elsewhere")
    (root / "x2").symlink_to(tmp_path / "elsewhere")
    skipped: list = []
    assert [p.relative_to(root).as_posix() for p in walk(root, skipped)] == ["a.txt", "sub/b.txt", "x1/c.txt"]
    assert sorted(e.path.relative_to(root).as_posix() for e in skipped) == [
        "loop1", "loop2", "sub/loop1", "sub/loop2", "x2"]
    assert {e.code for e in skipped} == {"A061"}


# -- 3. pipes, devices and sockets --------------------------------------------------------------------


def limited_memory() -> None:
    """For a child that might read /dev/zero forever: it stops at 4 GB instead of taking the machine."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def test_a_fifo_given_as_input_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)
    for fmt in ("auto", "txt", "prodigy", "html"):
        result = run_cli("--db", str(tmp_path / "t.db"), "import", "--format", fmt, str(fifo))
        err = result.stderr.decode()
        assert result.returncode == 2, (fmt, err)
        assert err.strip() == (f"annotator: [A062] {fifo}: is a named pipe (FIFO), not a regular file; it was not "
                               "opened (import regular files only (a pipe or a device may never end))"), fmt


def test_dev_zero_and_a_socket_given_as_input_are_refused(tmp_path: Path) -> None:
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "s.txt"))
    try:
        for path, kind in ((zero, "a character device"), (Path("/dev/zero"), "a character device"),
                           (tmp_path / "s.txt", "a socket")):
            full_env = {**os.environ, "PYTHONPATH": str(ROOT)}
            result = subprocess.run([sys.executable, "-m", "annotator", "--db", str(tmp_path / "t.db"), "import",
                                     "--format", "txt", str(path)], cwd=ROOT, env=full_env, capture_output=True,
                                    timeout=HANG_TIMEOUT, preexec_fn=limited_memory)
            err = result.stderr.decode()
            assert result.returncode == 2, err
            assert err.startswith(f"annotator: [A062] {path}: is {kind}, not a regular file"), err
    finally:
        server.close()


def test_a_fifo_in_a_folder_is_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("An article about Izium.\n", encoding="utf-8")
    os.mkfifo(folder / "b.txt")
    os.mkfifo(folder / "other.jsonl")  # not a .txt: not what this import looks for, so not worth a word
    (folder / "c.txt").symlink_to("/dev/zero")
    result = run_cli("--db", str(tmp_path / "t.db"), "import", str(folder))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "documents added: 1" in out
    assert err.splitlines() == [
        f"annotator: skipped: [A062] {folder / 'b.txt'}: is a named pipe (FIFO), not a regular file; it was not "
        "opened (import regular files only (a pipe or a device may never end))",
        f"annotator: skipped: [A062] {folder / 'c.txt'}: is a character device, not a regular file; it was not "
        "opened (import regular files only (a pipe or a device may never end))",
    ]


def test_readers_refuse_a_fifo_before_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    # In a child process: a reader that opens the FIFO would block there for ever.
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from annotator import formats\n"
            "for fmt in ('auto', 'prodigy', 'doccano', 'csv', 'conll', 'txt', 'html', 'labelstudio', 'spacy_json'):\n"
            "    try:\n"
            "        list(formats.read(Path(sys.argv[1]), fmt))\n"
            "    except Exception as e:\n"
            "        print(fmt, type(e).__name__, e)\n")
    result = subprocess.run([sys.executable, "-c", code, str(fifo)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=HANG_TIMEOUT)
    lines = result.stdout.splitlines()
    assert len(lines) == 9, result.stderr
    for line in lines:
        fmt, kind, message = line.split(" ", 2)
        assert (kind, message) == ("NotRegularFileError", f"[A062] {fifo}: is a named pipe (FIFO), not a regular "
                                   "file; it was not opened (import regular files only (a pipe or a device may "
                                   "never end))"), fmt


# -- 4. file names that are not UTF-8 -----------------------------------------------------------------

LOCALES = {
    "utf-8 locale": {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"},
    "C locale": {"LC_ALL": "C"},
    "ASCII locale": {"LC_ALL": "C", "PYTHONUTF8": "0"},
}


@pytest.mark.parametrize("locale", list(LOCALES))
def test_file_names_that_are_not_utf8_are_imported_and_named(tmp_path: Path, locale: str) -> None:
    import sqlite3

    folder = tmp_path / "articles"
    folder.mkdir()
    raw_folder = os.fsencode(folder)
    with open(raw_folder + b"/\xff caf\xc3\xa9.txt", "wb") as f:
        f.write(b"An article about Izium.\n")
    bad = raw_folder + b"/bad \xfe.jsonl"
    with open(bad, "wb") as f:
        f.write(b'{"text": 1}\n')
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONIOENCODING", "LANG", "LC_ALL")}
    env.update(LOCALES[locale], PYTHONPATH=str(ROOT))
    db = str(tmp_path / "t.db")

    def cli(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "annotator", "--db", db, *args], cwd=ROOT, env=env,
                              capture_output=True, timeout=HANG_TIMEOUT, stdin=subprocess.DEVNULL)

    result = cli("import", "--format", "txt", raw_folder)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"documents added: 1" in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT source, title FROM document").fetchall() == [
            ("\\xff café.txt", "\\xff café")]

    result = cli("import", bad)
    err = result.stderr.decode("ascii", "backslashreplace")
    assert result.returncode == 2, err
    assert "Traceback" not in err
    assert err.startswith("annotator: not imported: [A010] ") and "bad \\xfe.jsonl, line 1" in err, err

    out = raw_folder + b"/caf\xc3\xa9 \xff.jsonl"
    result = cli("export", "--format", "prodigy", "--out", out)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    said = result.stdout.decode("utf-8").strip()
    assert said.startswith("wrote 1 documents and 0 spans to ")
    assert said.endswith(" \\xff.jsonl")
    assert said.endswith(("café \\xff.jsonl", "caf\\xe9 \\xff.jsonl"))  # é itself, or escaped for ASCII
    assert os.path.exists(out)


def test_printable_names() -> None:
    from annotator.domain.names import printable

    assert printable("plain.txt") == "plain.txt"
    assert printable("Київ.txt") == "Київ.txt"
    assert printable(os.fsdecode(b"\xff caf\xc3\xa9.txt")) == "\\xff café.txt"
    assert printable("lone \ud800") == "lone \\ud800"

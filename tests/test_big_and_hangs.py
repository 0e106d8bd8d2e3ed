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
def ws(database: str):  # type: ignore[no-untyped-def]
    """The long documents go into a SQLite file and into PostgreSQL."""
    from annotator.services.workspace import open_workspace

    workspace = open_workspace(database)
    yield workspace
    workspace.close()


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


# -- 5. very long HTML pages --------------------------------------------------------------------------


def news_page(parts: list[str]) -> str:
    return ("<html><head><meta charset='utf-8'><title>Flood | Example News</title></head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/about'>About us</a></nav></header>"
            "<div id='content'><article><header><h1>Flood in Velmora</h1></header>" + "".join(parts) +
            "</article></div><aside class='comments'><h3>Leave a Comment</h3><form><textarea></textarea></form>"
            "</aside><footer><p>It is strictly forbidden to use the information.</p></footer></body></html>")


def mixed_parts(n: int) -> list[str]:
    shapes = (
        "<h2>Section {i}</h2>",
        "<p>Officials in <b>Izium</b> said that about {i:,} residents remained, <a href='/x'>the report</a> said.</p>",
        "<blockquote><p>“Buses leave every morning,” coordinator {i} said.</p></blockquote>",
        "<ul><li>First point {i}</li><li>Second point {i}</li><li></li></ul>",
        "<p>Line one {i}<br>line two {i}</p><!-- a comment {i} -->",
        "<div class='para'>Plain div text {i} about the port of Velmora.</div><p>And a paragraph {i}.</p>",
    )
    return [shapes[i % len(shapes)].format(i=i) for i in range(n)]


def test_a_large_page_keeps_every_line_trafilatura_keeps_and_drops_the_furniture(tmp_path: Path) -> None:
    from annotator.formats import html_page

    path = tmp_path / "big.html"
    path.write_text(news_page(mixed_parts(html_page.LARGE_PAGE_PARAGRAPHS)), encoding="utf-8")
    (record,) = html_page.read(path)
    lines = record.text.split("\n")
    # What trafilatura itself takes from the page (it is quadratic, but at this size it finishes).
    theirs = html_page._extract(path.read_bytes(), path)["text"].split("\n")
    found = iter(lines)
    assert all(line in found for line in theirs)  # every line of theirs, in the same order
    assert record.title == "Flood in Velmora"
    assert lines[:3] == ["Flood in Velmora", "Section 0",
                         "Officials in Izium said that about 1 residents remained, the report said."]
    assert "- Second point 3" in lines and "-" not in lines and "line two 4" in lines
    for furniture in ("About us", "Leave a Comment", "strictly forbidden", "a comment", "<"):
        assert furniture not in record.text


def test_a_page_of_160000_paragraphs_is_read_whole(tmp_path: Path) -> None:
    """trafilatura alone took minutes here (its XPath queries are quadratic in the paragraphs)."""
    path = tmp_path / "huge.html"
    n = 160_000
    path.write_text(news_page([f"<p>Paragraph {i}: more than {i * 7:,} residents have left Velmora.</p>\n"
                               for i in range(n)]), encoding="utf-8")
    code = ("import sys\nfrom pathlib import Path\nfrom annotator import formats\n"
            "(record,) = formats.read(Path(sys.argv[1]))\n"
            "lines = record.text.split('\\n')\n"
            "print(len(lines), lines[1], lines[-1], record.title, 'About us' in record.text, sep='|')\n")
    result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=HANG_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        str(n + 1), "Paragraph 0: more than 0 residents have left Velmora.",
        f"Paragraph {n - 1}: more than {(n - 1) * 7:,} residents have left Velmora.", "Flood in Velmora", "False"]

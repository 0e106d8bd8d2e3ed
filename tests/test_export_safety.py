"""Exports never destroy data: what --out may be, --replace, the spaCy folder replaced as one unit, and
exports that the system will not let us write (read-only folders, /proc, a full disk)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_runners import cli, run
from db_fixtures import rows

from annotator.cli import main

FILE_FORMATS = {"prodigy": "out.jsonl", "doccano": "out.jsonl", "labelstudio": "out.json", "conll": "out.conll"}
FOLDER_FORMATS = {"spacy": "corpus", "brat": "brat"}
ALL_FORMATS = {**FILE_FORMATS, **FOLDER_FORMATS}
LINUX_ROOT = sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0


def make_db(folder: Path, n: int = 3, *, name: str = "d.db", words: int = 12, seed: int = 0,
            at: str | None = None) -> Path | str:
    """A database of `n` documents with token-aligned spans (so that spaCy and CoNLL exports are strict-clean):
    the file `name` in `folder`, or the new database `at` (a path or URL)."""
    rng = random.Random(seed)
    source = folder / f"{name}.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i in range(n):
            filler = " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(words))
            text = f"Document {i} says Velmora has {filler} more."
            spans = [{"start": 0, "end": 8, "label": "SOURCE"}, {"start": text.index("Velmora"),
                                                                  "end": text.index("Velmora") + 7, "label": "LOCATION"}]
            f.write(json.dumps({"text": text, "spans": spans}) + "\n")
    db = folder / name if at is None else at
    assert main(["--db", str(db), "import", str(source)]) == 0
    source.unlink()
    return db


def export_args(db: Path | str, fmt: str, out: Path, *extra: str) -> list[str]:
    return ["--db", str(db), "export", "--format", fmt, "--out", str(out), *extra]


def snapshot(path: Path) -> object:
    """What is at `path`, byte for byte: a file's bytes, a folder's tree, a link's target, or None."""
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return {p.relative_to(path).as_posix(): snapshot(p) for p in sorted(path.iterdir())}
    if path.exists():
        mode = path.lstat().st_mode
        return path.read_bytes() if stat.S_ISREG(mode) else ("special", stat.S_IFMT(mode))
    return None


def leftovers(folder: Path, out_name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{out_name}."))


def one_coded_line(err: str, code: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"annotator: [{code}]"), err
    assert "Traceback" not in err


# -- 1. an export never writes over the database, nor over a file or folder it did not make ----------------
# The tests that take `database` or `new_database` run on SQLite and on PostgreSQL. The others stay on a SQLite
# file: they are about that file and its companions, or about the file system at --out (links, devices, read-only
# folders, /proc, a full disk), which the database does not change.


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("replace", [False, True])
def test_export_onto_the_database_or_its_companions_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               suffix: str, replace: bool) -> None:
    db = make_db(tmp_path)
    capsys.readouterr()
    target = Path(f"{db}{suffix}")
    before = {p.name: snapshot(p) for p in tmp_path.iterdir()}
    code, out, err = run(capsys, *export_args(db, "prodigy", target, *(["--replace"] if replace else [])))
    assert code == 2 and "wrote" not in out
    one_coded_line(err, "A035")
    assert str(target) in err
    assert {p.name: snapshot(p) for p in tmp_path.iterdir()} == before
    with sqlite3.connect(db) as conn:  # still the database, with its documents
        assert conn.execute("SELECT count(*) FROM document").fetchone()[0] == 3


def test_the_database_is_known_through_a_link_to_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    real = make_db(tmp_path / "data")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    before = real.read_bytes()
    for target in (real, Path(f"{real}-journal")):  # the file behind the name given to --db, and its journal
        code, _, err = run(capsys, *export_args(link, "prodigy", target))
        assert code == 2
        one_coded_line(err, "A035")
    assert real.read_bytes() == before and not Path(f"{real}-journal").exists()


@pytest.mark.parametrize("fmt", sorted(FOLDER_FORMATS))
def test_a_folder_export_never_takes_the_database_or_its_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                fmt: str) -> None:
    db = make_db(tmp_path)
    capsys.readouterr()
    before = snapshot(tmp_path)
    for target in (db, tmp_path):
        code, _, err = run(capsys, *export_args(db, fmt, target, "--replace"))
        assert code == 2
        one_coded_line(err, "A035")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_an_existing_file_is_kept_and_only_a_previous_export_is_replaced(
        tmp_path: Path, new_database: Callable[[str], str], capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    db = make_db(tmp_path, at=new_database("d"))
    out = tmp_path / FILE_FORMATS[fmt]
    out.write_text("my own notes\n", encoding="utf-8")
    for extra in ([], ["--replace"]):  # not an export: kept, asked or not
        code, _, err = run(capsys, *export_args(db, fmt, out, *extra))
        assert code == 2 and out.read_text(encoding="utf-8") == "my own notes\n"
        one_coded_line(err, "A033")
        assert str(out) in err
    out.unlink()
    assert run(capsys, *export_args(db, fmt, out))[0] == 0
    previous = out.read_bytes()
    code, _, err = run(capsys, *export_args(db, fmt, out))  # a previous export, but no --replace
    assert code == 2 and out.read_bytes() == previous
    one_coded_line(err, "A032")
    assert str(out) in err and "--replace" in err
    other = "doccano" if fmt == "prodigy" else "prodigy"
    code, _, err = run(capsys, *export_args(db, other, out, "--replace"))  # --replace is for the same format only
    assert code == 2 and out.read_bytes() == previous
    one_coded_line(err, "A033")
    more = make_db(tmp_path, 4, at=new_database("more"))
    code, printed, _ = run(capsys, *export_args(more, fmt, out, "--replace"))
    assert code == 0 and "wrote 4 documents" in printed
    assert out.read_bytes() != previous and leftovers(tmp_path, out.name) == []


@pytest.mark.parametrize("fmt", sorted(FOLDER_FORMATS))
def test_an_existing_folder_is_kept_and_only_a_previous_export_is_replaced(
        tmp_path: Path, new_database: Callable[[str], str], capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    db = make_db(tmp_path, at=new_database("d"))
    out = tmp_path / FOLDER_FORMATS[fmt]
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    for extra in ([], ["--replace"]):
        code, _, err = run(capsys, *export_args(db, fmt, out, *extra))
        assert code == 2 and snapshot(out) == {"notes.txt": b"mine"}
        one_coded_line(err, "A033")
    (out / "notes.txt").unlink()
    assert run(capsys, *export_args(db, fmt, out))[0] == 0  # an empty folder takes the export
    previous = snapshot(out)
    code, _, err = run(capsys, *export_args(db, fmt, out))
    assert code == 2 and snapshot(out) == previous
    one_coded_line(err, "A032")
    (out / "model").mkdir()  # what `spacy train --output model/` leaves: the folder is no longer only ours
    (out / "model" / "meta.json").write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, *export_args(db, fmt, out, "--replace"))
    assert code == 2 and "model" in err and (out / "model" / "meta.json").read_text(encoding="utf-8") == "{}"
    one_coded_line(err, "A033")
    (out / "model" / "meta.json").unlink()
    (out / "model").rmdir()
    more = make_db(tmp_path, 4, at=new_database("more"))
    code, printed, _ = run(capsys, *export_args(more, fmt, out, "--replace"))
    assert code == 0 and "wrote 4 documents" in printed
    assert snapshot(out) != previous and leftovers(tmp_path, out.name) == []


def test_a_sharded_spacy_export_is_replaced_as_a_whole(tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import docbin

    monkeypatch.setattr(docbin, "SHARD_DOCS", 3)  # train.spacy and dev.spacy become folders of shards
    db = make_db(tmp_path, 12, at=database)
    out = tmp_path / "corpus"
    assert run(capsys, *export_args(db, "spacy", out, "--split", "0.5"))[0] == 0
    assert (out / "train.spacy").is_dir() and (out / "dev.spacy").is_dir()
    (out / "dev.spacy" / "notes.txt").write_text("mine", encoding="utf-8")  # not a shard: not ours to replace
    code, _, err = run(capsys, *export_args(db, "spacy", out, "--split", "0.9", "--replace"))
    assert code == 2 and "dev.spacy" in err
    one_coded_line(err, "A033")
    (out / "dev.spacy" / "notes.txt").unlink()
    code, printed, err = run(capsys, *export_args(db, "spacy", out, "--split", "0.9", "--replace"))
    assert code == 0, err
    assert "train: 11 documents, dev: 1 documents" in printed
    assert (out / "dev.spacy").is_file() and len(list((out / "train.spacy").iterdir())) == 4
    assert leftovers(tmp_path, "corpus") == []


def test_leftovers_of_killed_exports_are_cleaned_by_the_next_one(tmp_path: Path, database: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path, at=database)
    out, corpus = tmp_path / "out.jsonl", tmp_path / "corpus"
    assert run(capsys, *export_args(db, "spacy", corpus))[0] == 0
    # What a killed export left: a .part file beside --out (this version's and earlier ones' naming), a
    # staging folder, and inside an older spaCy export its hidden staging folder and renamed-aside part.
    (tmp_path / ".out.jsonl.k2j4_x.part").write_text('{"text": "half', encoding="utf-8")
    (tmp_path / ".out.jsonl.export-abc123.part").mkdir()
    (corpus / ".export-q1w2e3").mkdir()
    (corpus / ".export-q1w2e3" / "00000.spacy").write_bytes(b"half")
    (corpus / ".train.spacy.old").write_bytes(b"old")
    assert run(capsys, *export_args(db, "prodigy", out))[0] == 0
    assert leftovers(tmp_path, "out.jsonl") == []
    assert run(capsys, *export_args(db, "spacy", corpus, "--replace"))[0] == 0
    assert sorted(p.name for p in corpus.iterdir()) == ["config.cfg", "dev.spacy", "train.spacy"]


# -- 3. no symbolic link is followed, no device or pipe replaced ---------------------------------------------


@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_a_symbolic_link_at_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    db = make_db(tmp_path)
    real = tmp_path / "elsewhere" / ALL_FORMATS[fmt]
    real.parent.mkdir()
    assert run(capsys, *export_args(db, fmt, real))[0] == 0  # a previous export: even that is not reached through a link
    link = tmp_path / f"link-{ALL_FORMATS[fmt]}"
    link.symlink_to(real, target_is_directory=real.is_dir())
    before = snapshot(real.parent)
    for extra in ([], ["--replace"]):
        code, _, err = run(capsys, *export_args(db, fmt, link, *extra))
        assert code == 2
        one_coded_line(err, "A034")
        assert "symbolic link" in err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert snapshot(real.parent) == before


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_a_device_or_pipe_at_out_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str,
                                                   kind: str) -> None:
    db = make_db(tmp_path)
    out = tmp_path / "special"
    try:
        if kind == "fifo":
            os.mkfifo(out)
        else:  # a node like /dev/null (character device 1,3), made here so the real one is never at risk
            os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError) as e:
        pytest.skip(f"cannot make a {kind} here: {e}")
    mode = stat.S_IFMT(out.lstat().st_mode)
    for extra in ([], ["--replace"]):
        code, _, err = run(capsys, *export_args(db, fmt, out, *extra))
        assert code == 2
        one_coded_line(err, "A034")
        assert stat.S_IFMT(out.lstat().st_mode) == mode
    assert leftovers(tmp_path, out.name) == []


@pytest.mark.parametrize("fmt, inside", [("brat", "000001.txt"), ("spacy", "train.spacy"), ("spacy", "config.cfg")])
def test_a_link_inside_a_previous_export_folder_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                fmt: str, inside: str) -> None:
    db = make_db(tmp_path)
    out = tmp_path / "export"
    assert run(capsys, *export_args(db, fmt, out))[0] == 0
    precious = tmp_path / "precious.txt"
    precious.write_text("not an export", encoding="utf-8")
    (out / inside).unlink()
    (out / inside).symlink_to(precious)
    before = snapshot(out)
    code, _, err = run(capsys, *export_args(db, fmt, out, "--replace"))
    assert code == 2 and inside in err
    one_coded_line(err, "A033")
    assert snapshot(out) == before and precious.read_text(encoding="utf-8") == "not an export"


# -- 4. an export the system will not let us write: one coded line, nothing left behind ----------------------


@contextlib.contextmanager
def read_only_folder(folder: Path, tmp_path: Path) -> Iterator[Path]:
    """`folder` as a user without write access sees it: a read-only bind mount as root, else modes."""
    if not LINUX_ROOT:
        folder.chmod(0o555)
        try:
            if os.access(folder, os.W_OK):
                pytest.skip("this user can write to a read-only folder")
            yield folder
        finally:
            folder.chmod(0o755)
        return
    view = tmp_path / "ro-view"
    view.mkdir()
    try:
        subprocess.run(["mount", "--bind", str(folder), str(view)], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(["umount", str(view)], capture_output=True)
        pytest.skip("cannot make a read-only mount here")
    try:
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True)


@pytest.mark.skipif(sys.platform != "linux", reason="read-only mounts are set up the Linux way")
@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_export_into_a_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    db = make_db(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    name = ALL_FORMATS[fmt]
    assert run(capsys, *export_args(db, fmt, shared / name))[0] == 0
    before = snapshot(shared)
    with read_only_folder(shared, tmp_path) as view:
        for target, extra in ((view / f"new-{name}", []), (view / name, ["--replace"])):
            code, _, err = run(capsys, *export_args(db, fmt, target, *extra))
            assert code == 2
            one_coded_line(err, "A036")
            assert str(target) in err
    assert snapshot(shared) == before


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_export_under_proc(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    db = make_db(tmp_path)
    for target in (Path("/proc") / f"annotator-export-{ALL_FORMATS[fmt]}", Path("/proc/self/annotator-export")):
        code, _, err = run(capsys, *export_args(db, fmt, target))
        assert code == 2
        one_coded_line(err, "A036")
        assert not target.exists()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if not LINUX_ROOT:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(disk)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_a_full_disk_during_export(tmp_path: Path, small_disk: Path, capsys: pytest.CaptureFixture[str],
                                   fmt: str) -> None:
    small = make_db(tmp_path, 2, name="small.db")
    big = make_db(tmp_path, 600, name="big.db", words=40)
    name = ALL_FORMATS[fmt]
    assert run(capsys, *export_args(small, fmt, small_disk / name))[0] == 0
    before = snapshot(small_disk)
    for target, extra in ((small_disk / f"new-{name}", []), (small_disk / name, ["--replace"])):
        code, _, err = run(capsys, *export_args(big, fmt, target, *extra))
        assert code == 2
        one_coded_line(err, "A036")
        assert "full" in err or "space" in err
        assert snapshot(small_disk) == before  # the previous export whole, no staging folder, no .part file


# -- 2. a spaCy re-export replaces train, dev and config as one unit, even when killed ------------------------


def spacy_export(folder: Path) -> tuple[frozenset[str], frozenset[str], str]:
    """The train texts, dev texts and config of a spaCy export folder."""
    from annotator.nlp.docbin import read_docbin

    def texts(part: str) -> frozenset[str]:
        path = folder / part
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        return frozenset(r.text for f in files for r in read_docbin(f))

    return texts("train.spacy"), texts("dev.spacy"), (folder / "config.cfg").read_text(encoding="utf-8")


def wait_for(predicate, what: str, limit: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    # A safety net against a hang, not a timing assertion.
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


# Two exports that differ in every part: split, seed, and the spans key named in config.cfg.
OLD = ("--seed", "1", "--split", "0.5", "--spans-key", "old")
NEW = ("--seed", "2", "--split", "0.7")


@pytest.fixture(scope="module")
def two_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A database, and two reference spaCy exports of it that split it differently (seed 1 and seed 2)."""
    folder = tmp_path_factory.mktemp("two-exports")
    db = make_db(folder, 300, words=30)
    old, new = folder / "old", folder / "new"
    assert main(export_args(db, "spacy", old, *OLD)) == 0
    assert main(export_args(db, "spacy", new, *NEW)) == 0
    return db, old, new


@pytest.mark.parametrize("step, swap", [("writing", "exchange"), ("staged", "exchange"), ("swapped", "exchange"),
                                        ("moved-aside", "rename"), ("swapped", "rename")])
def test_a_killed_spacy_re_export_leaves_one_whole_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          two_exports: tuple[Path, Path, Path], step: str,
                                                          swap: str) -> None:
    db, old_ref, new_ref = two_exports
    old, new = spacy_export(old_ref), spacy_export(new_ref)
    assert old[0] & new[1] and old[2] != new[2]  # a mix of the two would put documents in both train and dev
    corpus = tmp_path / "corpus"
    assert main(export_args(db, "spacy", corpus, *OLD)) == 0
    assert spacy_export(corpus) == old
    marker = tmp_path / "paused"
    env = {"ANNOTATOR_TEST_SWAP": swap}
    if step != "writing":
        env["ANNOTATOR_TEST_PAUSE_AT"] = f"{step}:{marker}"
    proc = cli(*export_args(db, "spacy", corpus, *NEW, "--replace"), env=env)
    try:
        if step == "writing":  # kill it while it writes its shards into the staging folder
            wait_for(lambda: any((p / "corpus").exists() for p in tmp_path.glob(".corpus.export-*.part"))
                     or proc.poll() is not None, "the export to start writing")
        else:
            wait_for(lambda: marker.exists() or proc.poll() is not None, f"the export to reach {step}")
        assert proc.poll() is None, proc.communicate()  # the fault lands while the export runs
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    if step == "moved-aside":  # the one moment with no export at --out: the previous one is whole beside it
        assert not corpus.exists() and spacy_export(tmp_path / ".corpus.replaced.part") == old
    else:
        found = spacy_export(corpus)
        assert not found[0] & found[1]
        assert found == (new if step == "swapped" else old)
    assert leftovers(tmp_path, "corpus")  # the kill left a staging folder or the previous export aside
    # The next run cleans up (and puts a previous export moved aside back) before anything else, even when it
    # is refused: --out holds an export and --replace was not given.
    code, _, err = run(capsys, *export_args(db, "spacy", corpus, *NEW))
    assert code == 2 and "[A032]" in err
    assert leftovers(tmp_path, "corpus") == []
    assert spacy_export(corpus) == (new if step == "swapped" else old)
    code, _, _ = run(capsys, *export_args(db, "spacy", corpus, *NEW, "--replace"))
    assert code == 0 and spacy_export(corpus) == new and leftovers(tmp_path, "corpus") == []


def test_conll_export_with_expand_still_snaps_spans(tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path, 1, at=database)
    rows(database, "UPDATE span SET start = 1 WHERE start = 0")  # "ocument": off the token boundaries
    out = tmp_path / "out.conll"
    code, printed, err = run(capsys, *export_args(db, "conll", out, "--align", "expand"))
    assert code == 0, err
    assert "1 span(s) were snapped outward" in printed and "Document B-SOURCE" in out.read_text(encoding="utf-8")


def test_a_second_export_to_the_same_place_leaves_a_running_one_alone(tmp_path: Path, database: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = make_db(tmp_path, at=database)
    out = tmp_path / "out.jsonl"
    marker = tmp_path / "paused"
    first = cli(*export_args(db, "prodigy", out), env={"ANNOTATOR_TEST_PAUSE_AT": f"staged:{marker}"})
    try:
        wait_for(lambda: marker.exists() or first.poll() is not None, "the first export to finish writing")
        assert first.poll() is None, first.communicate()
        staging = leftovers(tmp_path, out.name)
        assert len(staging) == 1
        # The second export cleans leftovers of killed exports, but not the staging folder of a running one.
        code, _, err = run(capsys, *export_args(db, "prodigy", out))
        assert code == 0, err
        assert leftovers(tmp_path, out.name) == staging and first.poll() is None
        first.send_signal(signal.SIGKILL)
    finally:
        first.kill()
        first.communicate(timeout=60)
    code, _, err = run(capsys, *export_args(db, "prodigy", out, "--replace"))
    assert code == 0, err
    assert leftovers(tmp_path, out.name) == []


@pytest.mark.gui
def test_the_window_replaces_a_previous_export_only_when_asked(qtbot: Any, gui_ws: Any, open_window: Any,
                                                               tmp_path: Path, dialogs: list) -> None:
    from gui_fixtures import add_documents
    from PySide6.QtCore import Qt

    from annotator.gui.dialogs.export_dialog import ExportDialog

    add_documents(gui_ws, tmp_path / "texts", ["Floods in Velmora today.", "The port of Izium is closed."])
    window = open_window(gui_ws)
    out = tmp_path / "export-prodigy.jsonl"

    def export_with(dialog: ExportDialog) -> None:
        with qtbot.waitSignal(window.transfers.export_finished, timeout=None):
            window.transfers.start_export(dialog.options())

    dialog = ExportDialog(tmp_path, window)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("prodigy"))
    assert dialog.options().out == out and not dialog.options().replace
    export_with(dialog)
    assert dialogs[-1][0] == "information" and "wrote 2 documents" in dialogs[-1][1]
    first = out.read_bytes()
    export_with(dialog)  # the same place again, not asked to replace: refused, the file as it was
    assert dialogs[-1][0] == "warning" and dialogs[-1][1].startswith("[A032]") and str(out) in dialogs[-1][1]
    assert out.read_bytes() == first
    dialog.show()
    dialog.replace.setFocus()
    qtbot.keyClick(dialog.replace, Qt.Key.Key_Space)  # tick "replace a previous export" from the keyboard
    assert dialog.options().replace
    add_documents(gui_ws, tmp_path / "more", ["A third article about Dorvan."])
    export_with(dialog)
    assert "wrote 3 documents" in dialogs[-1][1] and out.read_bytes() != first

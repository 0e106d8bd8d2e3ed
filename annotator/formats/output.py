"""Where an export goes: what `--out` may be, a staging folder beside it, and the move into place.

An export never writes over what it did not make. `check()` takes a new path, an empty folder (for the
folder formats), or, with `replace`, a plain file or folder that is recognisably a previous export of the
same format; never a symbolic link, a device or pipe, the database or its -wal/-shm/-journal files.
`staged()` gives a path inside a private staging folder `.NAME.export-XXXX.part` beside `--out`; when the
block ends the export is moved into place in one step (a folder by an atomic exchange where the system
has one), else the staging folder is removed and `--out` is as it was. docs/adr/0005 has the design.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import (
    ExportError,
    ImportFormatError,
    NotAnExportError,
    OutputExistsError,
    OutputWriteError,
    ProtectedOutputError,
    UnsafeOutputError,
)
from annotator.formats._common import kind_of
from annotator.formats._json import iter_json_values
from annotator.formats.detect import _looks_like_conll, classify_record

FOLDER_FORMATS = frozenset({"spacy", "brat"})
SPACY_ENTRIES = frozenset({"train.spacy", "dev.spacy", "config.cfg"})
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")
_BRAT_FILE = re.compile(r"\d{6}\.(?:txt|ann)|annotation\.conf|annotator-labels\.json")
_SHARD = re.compile(r"\d{5}\.spacy")
# What the spaCy exporter of earlier versions left inside its folder when it was killed.
_OLD_LEFTOVER = re.compile(r"\.export-.+|\.(?:train|dev)\.spacy\.old|\.config\.cfg\..+\.part")
_SNIFF_BYTES = 64 * 1024
# Test-only hooks: pause at a named step of the move into place ("staged", "moved-aside", "swapped")
# after writing the process id to a marker file (ANNOTATOR_TEST_PAUSE_AT=step:marker), so that a fault
# test can kill it exactly there; force the two-rename swap instead of the atomic exchange.
PAUSE_ENV = "ANNOTATOR_TEST_PAUSE_AT"
SWAP_ENV = "ANNOTATOR_TEST_SWAP"
_PAUSE_SECONDS = 300


@dataclass(frozen=True)
class Target:
    """A checked `--out`: where the export goes and which previous export (device, inode) it replaces."""

    out: Path
    fmt: str
    folder: bool
    replacing: tuple[int, int] | None = None
    ledger: Path | None = None  # where the exports annotator wrote are recorded (see `record_export`)


def check(out: Path, fmt: str, *, replace: bool = False, protect: Iterable[Path] = (),
          ledger: Path | None = None) -> Target:
    """The target for an export to `out`, or an ExportError (A032-A036) that says why not.

    Leftovers of an earlier export to `out` that was killed are cleaned first (see `recover`). With
    `replace`, what is at `out` must look like an export of `fmt` AND be recorded in `ledger` as an export
    annotator wrote there, unchanged since: another tool's file of the same format (a corpus, the file the
    project was imported from) is never replaced. Without a ledger nothing is replaced.
    """
    target = _check(out, fmt, replace=replace, protect=protect)
    if fmt == "conll":
        _check_names_file(target.out, protect)
    if target.replacing is not None and not _recorded(ledger, target.out):
        raise NotAnExportError(
            f"{target.out} looks like a {fmt} file, but annotator did not export it there (or it changed since); "
            "nothing was written", hint="choose a new name, or move that file or folder away yourself")
    return Target(target.out, target.fmt, target.folder, target.replacing, ledger)


def _check_names_file(out: Path, protect: Iterable[Path]) -> None:
    """A CoNLL export keeps its label names in `OUT.labels.json` beside it: that place must be free or hold a
    names file of ours, else the export could not be imported back as it was written."""
    from annotator.formats._label_names import CONLL_SUFFIX, is_names_file

    beside = out.with_name(out.name + CONLL_SUFFIX)
    _refuse_database(beside, False, protect)
    if os.path.lexists(beside) and not is_names_file(beside):
        raise NotAnExportError(f"{beside} is in the way: a CoNLL export keeps its label names there, and that file "
                               "is not annotator's; nothing was written",
                               hint="choose another name for the export, or move that file away")


def _check(out: Path, fmt: str, *, replace: bool, protect: Iterable[Path]) -> Target:
    out = Path(os.path.abspath(out))
    folder = fmt in FOLDER_FORMATS
    if not out.name:
        raise UnsafeOutputError(f"{out} is not a file or folder an export can write", hint="give a new name")
    _refuse_database(out, folder, protect)
    recover(out)
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        if not out.parent.is_dir():
            raise OutputWriteError(f"cannot write {out}: the folder {out.parent} does not exist; nothing was written",
                                   hint="create the folder first, or choose another") from None
        return Target(out, fmt, folder)
    except OSError as e:
        raise write_error(out, e) from e
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeOutputError(f"{out} is a symbolic link; nothing was written",
                                hint="give the real path, or a new name")
    if folder:
        return _check_folder(out, fmt, st, replace)
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeOutputError(f"{out} is a folder; a {fmt} export writes one file", hint="give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeOutputError(f"{out} is {kind_of(st.st_mode)}, not a plain file; nothing was written",
                                hint="give the name of a new file")
    if not _is_file_export(out, fmt):
        raise NotAnExportError(f"{out} already exists and is not a previous {fmt} export; nothing was written",
                               hint="choose a new name")
    if not replace:
        raise OutputExistsError(f"{out} already exists; nothing was written",
                                hint=f"choose a new name, or replace this previous {fmt} export with --replace")
    return Target(out, fmt, False, (st.st_dev, st.st_ino))


def _check_folder(out: Path, fmt: str, st: os.stat_result, replace: bool) -> Target:
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeOutputError(f"{out} is {kind_of(st.st_mode)}; a {fmt} export writes a folder",
                                hint="give the name of a new folder")
    try:
        names = sorted(os.listdir(out))
    except OSError as e:
        raise write_error(out, e) from e
    if not names:
        return Target(out, fmt, True)  # an empty folder takes the export
    try:
        foreign = _foreign_entries(out, names, fmt)
    except OSError as e:
        raise write_error(out, e) from e
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise NotAnExportError(f"the folder {out} holds {shown}, which a {fmt} export did not write; nothing was "
                               "written", hint="choose a new or empty folder, or move those out first")
    if not replace:
        raise OutputExistsError(f"the folder {out} holds a previous {fmt} export; nothing was written",
                                hint="choose a new folder, or replace that export with --replace")
    return Target(out, fmt, True, (st.st_dev, st.st_ino))


def _foreign_entries(out: Path, names: list[str], fmt: str) -> list[str]:
    """The entries of `out` that a previous export of `fmt` would not hold (all of them if it is not one)."""
    if fmt == "brat":
        foreign = [n for n in names if not (_BRAT_FILE.fullmatch(n) and _is_plain_file(out / n))]
        return foreign or ([] if "annotation.conf" in names else names)
    names = [n for n in names if not _OLD_LEFTOVER.fullmatch(n)]
    foreign = [n for n in names if n not in SPACY_ENTRIES]
    if foreign:
        return foreign
    if set(names) != SPACY_ENTRIES or not _is_plain_file(out / "config.cfg"):
        return names
    for part in ("train.spacy", "dev.spacy"):
        path = out / part
        if _is_plain_file(path):
            continue
        st = os.lstat(path)
        shards = os.listdir(path) if stat.S_ISDIR(st.st_mode) else [""]
        if not shards or not all(_SHARD.fullmatch(s) and _is_plain_file(path / s) for s in shards):
            return [part]
    with (out / "config.cfg").open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return [] if b"[paths]" in head and b"train.spacy" in head else ["config.cfg"]


def _is_plain_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_file_export(path: Path, fmt: str) -> bool:
    """True when the file reads as an export of `fmt`: its first record, whatever the file is called."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    if b"\0" in head:  # a database, an archive: never an export of ours
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # only a character cut off at the end of the sample is allowed
            return False
    if fmt == "conll":
        return _looks_like_conll(path)
    try:
        first = next(iter(iter_json_values(path)), None)
    except (ImportFormatError, OSError, UnicodeError, ValueError):
        return False
    return first is not None and classify_record(first[1], strict=False) == fmt


def database_part(path: Path, database: Path) -> str | None:
    """"the database" or "the database's -wal file" (-shm, -journal) when `path` is one of them, by any name
    (a link, a hard link, `..`), else None."""
    real_path, real_db = _real(path), _real(Path(database))
    for suffix in DATABASE_COMPANIONS:
        companion = real_db.with_name(real_db.name + suffix)
        same = real_path == companion
        with contextlib.suppress(OSError):
            same = same or os.path.samefile(path, companion)
        if same:
            return f"the database's {suffix} file" if suffix else "the database"
    return None


def _refuse_database(out: Path, folder: bool, protect: Iterable[Path]) -> None:
    real_out = _real(out)
    for db in protect:
        what = database_part(out, db)
        if what is not None:
            raise ProtectedOutputError(f"{out} is {what}; an export never writes over it; nothing was written",
                                       hint="give a new file name for the export")
        real_db = _real(Path(db))
        if folder and real_out in real_db.parents:
            raise ProtectedOutputError(f"the database {db} is inside {out}; nothing was written",
                                       hint="export into a new folder")


def _real(path: Path) -> Path:
    """The path with its folder's symbolic links resolved, but not its last part."""
    return Path(os.path.normcase(Path(os.path.realpath(path.parent)) / path.name))


def recover(out: Path) -> None:
    """Finish what a killed export to `out` left: put a previous export moved aside back, remove staging."""
    out = Path(os.path.abspath(out))
    aside = _aside(out)
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(os.lstat(aside).st_mode):
            if not os.path.lexists(out):  # killed between the two renames of a swap: the old export is whole
                os.rename(aside, out)
            else:
                _remove(aside)
    try:
        names = os.listdir(out.parent)
    except OSError:
        return
    prefix = f".{out.name}."
    for name in names:
        if name.startswith(prefix) and name.endswith(".part") and not _in_use(out.parent / name):
            _remove(out.parent / name)


def _lock(folder: Path) -> int | None:
    """Hold an advisory lock on a staging folder while the export that owns it runs (POSIX only)."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def _in_use(path: Path) -> bool:
    """True for the staging folder of an export that is still running (another process to the same --out)."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        fd = _lock(path)
    except OSError:
        return True  # locked by its owner
    if fd is not None:
        os.close(fd)
    return False


def _aside(out: Path) -> Path:
    return out.with_name(f".{out.name}.replaced.part")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


@contextlib.contextmanager
def staged(target: Target) -> Iterator[Path]:
    """A path to write the export at (a new file or folder name in a private staging folder).

    When the block ends without an error the export takes the place of `target.out` in one step; when it
    fails, or when writing fails for want of space or permission (then an OutputWriteError), the staging
    folder is removed and `target.out` is left as it was.
    """
    out = target.out
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", suffix=".part", dir=out.parent))
    except OSError as e:
        raise write_error(out, e) from e
    lock = None
    try:
        lock = _lock(staging)
        yield staging / out.name
        _pause("staged")
        if target.ledger is not None:
            # Recorded before the move, which keeps every inode and time: a kill just after it still leaves
            # an export that the next --replace knows as annotator's.
            record_export(target.ledger, staging / out.name, at=out)
        _move_into_place(staging / out.name, target)
        if not target.folder:
            _place_companions(staging, out)
    except OSError as e:
        raise write_error(out, e) from e
    except ExportError as e:
        # The writers' own atomic helpers name their temporary file; the user gave `out`.
        if type(e) is ExportError and isinstance(e.__cause__, OSError):
            raise write_error(out, e.__cause__) from e
        raise
    finally:
        _remove(staging)
        if lock is not None:
            os.close(lock)


def _move_into_place(new: Path, target: Target) -> None:
    out = target.out
    try:
        now = os.lstat(out)
    except FileNotFoundError:
        now = None
    if target.replacing is None:
        if now is not None and not (target.folder and stat.S_ISDIR(now.st_mode) and not os.listdir(out)):
            raise OutputExistsError(f"{out} appeared while the export was written; nothing was written",
                                    hint="choose a new name, or run the export again")
        if not target.folder:
            os.replace(new, out)
            return
        try:
            os.rename(new, out)  # over an empty folder on POSIX
        except OSError:
            if now is None:
                raise
            os.rmdir(out)
            os.rename(new, out)
        return
    if now is None or stat.S_ISLNK(now.st_mode) or (now.st_dev, now.st_ino) != target.replacing:
        raise OutputExistsError(f"{out} changed while the export was written; nothing was replaced",
                                hint="run the export again")
    if not target.folder:
        os.replace(new, out)  # one step: readers see the previous file or the new one
        return
    if _exchange(new, out):  # one step: `out` holds the new export and `new` the previous one
        _pause("swapped")
        return
    # No atomic exchange here: move the previous export aside, then the new one in. A kill between the
    # two leaves `out` missing and the previous export whole beside it; recover() puts it back.
    aside = _aside(out)
    os.rename(out, aside)
    _pause("moved-aside")
    os.rename(new, out)
    _pause("swapped")
    _remove(aside)


# -- the ledger of exports annotator wrote: what --replace may replace -------------------------------------------
_LEDGER_ENTRIES = 2_000


def _fingerprint(path: Path) -> list[object]:
    """What must be unchanged for `path` to still be the export annotator wrote: the file's (or every file
    of the folder's) identity, size and modification time. No link is followed."""
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        return ["file", st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
    files = []
    for root, dirs, names in os.walk(path):
        if root == str(path):  # what a killed export of an older version left inside is not part of the export
            dirs[:] = [d for d in dirs if not _OLD_LEFTOVER.fullmatch(d)]
            names = [n for n in names if not _OLD_LEFTOVER.fullmatch(n)]
        for name in names:
            entry = os.lstat(os.path.join(root, name))
            files.append([os.path.relpath(os.path.join(root, name), path), entry.st_size, entry.st_mtime_ns])
    return ["folder", st.st_dev, st.st_ino, sorted(files)]


def _load_ledger(ledger: Path) -> dict[str, list[object]]:
    try:
        data = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: nothing is known to be ours, so nothing is replaced
    return data if isinstance(data, dict) else {}


def _recorded(ledger: Path | None, out: Path) -> bool:
    # Matched by what it is, not where: the same export seen through a bind mount or another path is ours too.
    if ledger is None:
        return False
    try:
        return _fingerprint(out) in _load_ledger(ledger).values()
    except OSError:
        return False


def record_export(ledger: Path, made: Path, *, at: Path) -> None:
    """Note that the export `made` (about to be moved to `at`) is annotator's. A record that cannot be written
    only means that a later --replace of it is refused."""
    with contextlib.suppress(OSError):
        entries = _load_ledger(ledger)
        fingerprint = _fingerprint(made)
        # The previous export's record stays: a kill in the middle of the swap may leave it in place.
        entries[f"{os.path.realpath(at)} {fingerprint[1]}:{fingerprint[2]}"] = fingerprint
        kept = dict(list(entries.items())[-_LEDGER_ENTRIES:])
        ledger.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=ledger.parent, prefix=f".{ledger.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(kept, handle)
            os.replace(tmp, ledger)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _place_companions(staging: Path, out: Path) -> None:
    """Move what a file export wrote beside its file (CoNLL's label names) next to `out`.

    A names file of ours left beside `out` by an earlier export that this one does not need is removed: it
    would rename this export's labels on the way back in. A file of that name that is not ours stays.
    """
    from annotator.formats._label_names import CONLL_SUFFIX, is_names_file

    name = out.name + CONLL_SUFFIX
    made, beside = staging / name, out.with_name(name)
    if made.exists():
        if os.path.lexists(beside) and not is_names_file(beside):
            return  # never over a file we did not write; the export itself is in place
        os.replace(made, beside)
    elif is_names_file(beside):
        beside.unlink()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    if sys.platform != "linux" or os.environ.get(SWAP_ENV) == "rename":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):  # a file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def write_error(out: Path, error: OSError) -> OutputWriteError:
    """The one line for an export that the system would not let us write."""
    hints = {
        errno.ENOSPC: "the disk is full: free some space or choose another disk",
        errno.EDQUOT: "the disk quota is used up: free some space or choose another disk",
        errno.EROFS: "the disk is read-only: choose another folder",
        errno.EACCES: "choose a folder you can write to",
        errno.EPERM: "choose a folder you can write to",
    }
    reason = error.strerror or str(error)
    return OutputWriteError(f"cannot write {out}: {reason}; nothing was written, a previous export is as it was",
                            hint=hints.get(error.errno or 0, "choose another folder"))


def _pause(step: str) -> None:
    wanted, _, marker = os.environ.get(PAUSE_ENV, "").partition(":")
    if wanted == step and marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(_PAUSE_SECONDS)  # the fault test kills the process here; bounded so a stray run ends

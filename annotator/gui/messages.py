"""The one sink for what the user is told: plain dialogs, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.errors import AnnotatorError, DatabaseBusyError, DatabaseLockedError

TITLE = "annotator"


BUSY = "database busy: another program or an import is writing; not saved, press again"


def plain(error: AnnotatorError) -> AnnotatorError:
    """The error as the window words it: a locked database only means "not now" to someone at the keyboard."""
    if isinstance(error, DatabaseLockedError) and not isinstance(error, DatabaseBusyError):
        return DatabaseBusyError(BUSY)
    return error


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """An AnnotatorError as its one coded line; anything else as a plain sentence."""
    if isinstance(error, AnnotatorError):
        error = plain(error)
        text = str(error)
    else:
        text = f"Something went wrong: {type(error).__name__}. Nothing shown in the window was lost."
    QMessageBox.warning(parent, TITLE, text)


def show_unexpected(parent: QWidget | None, log_file: str) -> None:
    QMessageBox.critical(
        parent, TITLE,
        "An unexpected error happened. Your work up to the last change is saved.\n"
        f"The details were written to {log_file}; please send that file with a report.",
    )


def show_lines(parent: QWidget | None, title: str, lines: Iterable[str], *, problem: bool = False) -> None:
    text = "\n".join(lines)
    if problem:
        QMessageBox.warning(parent, title, text)
    else:
        QMessageBox.information(parent, title, text)


@contextmanager
def reported(parent: QWidget | None) -> Iterator[None]:
    """Show an AnnotatorError raised inside the block instead of letting it escape into Qt."""
    try:
        yield
    except AnnotatorError as e:
        show_error(parent, e)

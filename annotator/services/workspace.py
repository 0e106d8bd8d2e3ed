"""Opening the database, the default project and its labels, who is annotating."""

from __future__ import annotations

import functools
import getpass
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from annotator import APP_NAME, ORG_NAME
from annotator.domain.documents import Project
from annotator.domain.labels import LabelSet, labels_from_json
from annotator.domain.relations import RelationType, relation_types_from_json
from annotator.errors import DatabaseConflictError, NotFoundError
from annotator.resources import resource
from annotator.storage.engine import Database, open_database
from annotator.storage.probe import SEEN_FILE_NAME
from annotator.storage.repository import Repository
from annotator.storage.unit import in_one_transaction, one_transaction, unit_of_work

DEFAULT_PROJECT = "default"
DEFAULT_LANG = "en"
CONFLICT_ATTEMPTS = 4  # a serialization failure or deadlock is tried again this many times in all
P = ParamSpec("P")
R = TypeVar("R")
ENV_DB = "ANNOTATOR_DB"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, ORG_NAME))


def log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, ORG_NAME))


def state_dir() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME, ORG_NAME))


def default_database() -> Path:
    return data_dir() / "annotator.db"


def default_annotator() -> str:
    try:
        return os.environ.get("ANNOTATOR_USER") or getpass.getuser() or "annotator"
    except (KeyError, OSError):  # no user name in a container without /etc/passwd entry
        return "annotator"


def default_labels() -> LabelSet:
    return labels_from_json(resource("labels.json").read_text(encoding="utf-8"))


def default_relation_types() -> tuple[RelationType, ...]:
    return relation_types_from_json(resource("labels.json").read_text(encoding="utf-8"))


@dataclass
class Workspace:
    """An open database; every service takes one."""

    db: Database
    busy_timeout_ms: int | None = None  # None: the engine's (long) wait for another writer

    @property
    def where(self) -> str:
        """The database file, or the server's URL with its password masked."""
        return self.db.where

    def close(self) -> None:
        self.db.dispose()

    def unit(self) -> AbstractContextManager[Repository]:
        return unit_of_work(self.db, self.busy_timeout_ms)

    def bulk_unit(self) -> AbstractContextManager[Repository]:
        """A unit whose rows refer only to rows it read or wrote itself (an import): see unit_of_work's `bulk`."""
        return unit_of_work(self.db, self.busy_timeout_ms, bulk=True)

    def together(self, write: Callable[[], R]) -> R:
        """Run `write`, whose service calls each open units of work, as ONE transaction: all of it is saved or
        none (an error rolls it all back), and the change journal holds it as one undo step (ADR 0015). Tried
        again whole after a serialization failure or deadlock, as a single service call is."""
        return retried(self._together)(write)

    def _together(self, write: Callable[[], R]) -> R:
        with one_transaction(self.db, self.busy_timeout_ms):
            return write()

    def waiting_at_most(self, milliseconds: int) -> Workspace:
        """The same database, whose writes wait at most `milliseconds` for another writer (SQLite): the window
        says "busy" at once instead of freezing. Closing it closes the database for both."""
        return Workspace(self.db, milliseconds)


def retried(call: Callable[P, R]) -> Callable[P, R]:
    """Run one unit of work again after a serialization failure or deadlock (its transaction rolled back
    whole), with a short growing pause; the last failure reaches the user as its coded line. Inside
    `Workspace.together` it is not run again alone: the whole is (its transaction was rolled back whole)."""

    @functools.wraps(call)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if in_one_transaction():  # a part of a larger transaction: the conflict rolled all of it back
            return call(*args, **kwargs)
        for attempt in range(CONFLICT_ATTEMPTS - 1):
            try:
                return call(*args, **kwargs)
            except DatabaseConflictError:
                time.sleep(0.05 * 2**attempt)
        return call(*args, **kwargs)

    return run


def open_workspace(target: str | os.PathLike[str] | None = None) -> Workspace:
    """Open the database named by `target`, else $ANNOTATOR_DB, else the default file in the user data folder."""
    if target is None:
        target = os.environ.get(ENV_DB) or None
    if target is None:
        path = default_database()
        path.parent.mkdir(parents=True, exist_ok=True)
        target = path
    # A file that changed since annotator last closed it gets an integrity check before anything writes to it.
    return Workspace(open_database(target, seen_file=state_dir() / SEEN_FILE_NAME))


@retried
def ensure_project(ws: Workspace, name: str = DEFAULT_PROJECT, lang: str = DEFAULT_LANG) -> Project:
    """The project called `name`, created with the default labels when it does not exist yet.

    A new project's language is checked first: spaCy must have a tokenizer for it (UnknownLanguageError).
    """
    with ws.unit() as repo:
        found = repo.projects.by_name(name)
    if found is not None:
        return found
    if lang != DEFAULT_LANG:  # "en" always has one; the window's first start stays free of spaCy
        from annotator.nlp.tokens import check_language

        check_language(lang)
    with ws.unit() as repo:
        return repo.projects.by_name(name) or repo.projects.create(name, lang, default_labels(),
                                                                   default_relation_types())


def count_documents(ws: Workspace, project_id: int) -> int:
    """How many documents the project holds (one count, whoever annotates them)."""
    with ws.unit() as repo:
        return repo.documents.total(project_id)


def get_project(ws: Workspace, name: str) -> Project:
    with ws.unit() as repo:
        found = repo.projects.by_name(name)
        names = [p.name for p in repo.projects.all()] if found is None else []
    if found is None:
        raise NotFoundError(f"there is no project {name!r}", hint=f"projects: {', '.join(names) or 'none yet'}")
    return found


def list_projects(ws: Workspace) -> list[Project]:
    with ws.unit() as repo:
        return repo.projects.all()

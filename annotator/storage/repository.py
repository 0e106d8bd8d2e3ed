"""The repositories of one unit of work: every aggregate's queries and writes over one session.

`unit_of_work(db)` yields a Repository; a service reaches each aggregate through it (`repo.spans.add(...)`,
`repo.documents.page(...)`), all in the one transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from annotator.storage.repositories.bulk import BulkWrites
from annotator.storage.repositories.documents import DocumentRepository
from annotator.storage.repositories.labels import LabelRepository
from annotator.storage.repositories.owners import OwnerRepository
from annotator.storage.repositories.projects import ProjectRepository
from annotator.storage.repositories.spans import SpanRepository
from annotator.storage.repositories.statuses import StatusRepository


class Repository:
    """One session's repositories. Portable SQL only: it runs on SQLite and PostgreSQL alike."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.owners = OwnerRepository(session)
        self.labels = LabelRepository(session)
        self.projects = ProjectRepository(session, self.labels)
        self.spans = SpanRepository(session)
        self.documents = DocumentRepository(session, self.spans)
        self.statuses = StatusRepository(session, self.documents)
        self.bulk = BulkWrites(session)

"""Repositories per aggregate, each over the one session of a unit of work (see annotator.storage.repository).

owners (people, gold, models), projects, labels, documents, statuses, spans (one span query) and bulk (the
import's many-row writes). Rows become domain objects here and never leave. Portable SQL only: every query
runs on SQLite and PostgreSQL alike.
"""

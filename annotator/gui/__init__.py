"""The desktop window (PySide6). Talks to the services only; never to storage, nlp or SQLAlchemy."""

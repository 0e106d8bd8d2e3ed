"""SQLAlchemy models, the engine with its SQLite pragmas, repositories and the Alembic upgrade."""

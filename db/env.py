"""Alembic environment: run by annotator.storage.engine.upgrade with a connection in config.attributes."""

from alembic import context
from sqlalchemy import create_engine

from annotator.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line: -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///annotator.db")
        with create_engine(url).connect() as conn:
            _migrate(conn)
            conn.commit()
        return
    _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()

"""Alembic environment for the history store.

At run time :meth:`solewatch.store.Store.migrate` passes its open connection in
``config.attributes["connection"]`` (no alembic.ini needed). From the developer command
(``alembic -c solewatch/store/alembic.ini ...``) the database is ``SOLEWATCH_DB_URL`` or the
default SQLite file, resolved the same way as ``Store.open()``.
"""

from __future__ import annotations

from alembic import context

from solewatch.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    from solewatch.store.store import resolve_url

    context.configure(
        url=config.get_main_option("sqlalchemy.url") or resolve_url(None),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from solewatch.store.store import Store

    with Store.open(config.get_main_option("sqlalchemy.url") or None) as store:
        with store.engine.begin() as conn:
            _configure_and_run(conn)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

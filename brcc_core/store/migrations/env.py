"""Alembic's entry to the app-state migrations. ``brcc_core.store.migrate`` runs it with
the connection it holds the migration lock on (``config.attributes["connection"]``); there
is no alembic.ini and no offline (``--sql``) mode."""

from __future__ import annotations

from alembic import context

from brcc_core.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("The app-state migrations run through brcc_core.store.migrate.upgrade.")

# The connection is already in the caller's transaction: alembic adds to it, and the
# caller commits once every revision has run.
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

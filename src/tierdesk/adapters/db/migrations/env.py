"""Alembic environment: runs on the connection `tierdesk.adapters.db.migrate` passes in
`config.attributes["connection"]` (there is no alembic.ini; the config is built in code)."""

from __future__ import annotations

from alembic import context

from tierdesk.adapters.db.tables import in_metadata, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `tierdesk db upgrade` (there is no alembic.ini)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    include_name=in_metadata,  # full-text indexes are made outside `metadata`
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

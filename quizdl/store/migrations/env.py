"""Alembic environment: quizdl always passes an open connection (see quizdl.store.migrate)."""

from __future__ import annotations

from alembic import context

from quizdl.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables instead
    # The caller (quizdl.store.engine.upgrade) holds one transaction around all revisions.
)
with context.begin_transaction():
    context.run_migrations()

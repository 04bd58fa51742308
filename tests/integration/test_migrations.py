"""Every migration applies to an empty database, and applying again changes nothing."""

from __future__ import annotations

import os

import psycopg

from app.db.migrations import apply_migrations, migration_files
from tests import infra


def test_migrations_apply_to_an_empty_database_then_are_a_no_op() -> None:
    name = f"tocsin_migrations_{os.getpid()}"
    url = infra.create_database(name)  # applies them all
    try:
        with psycopg.connect(url) as conn:
            applied = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
            tables = {r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
            postgis = conn.execute("SELECT postgis_version()").fetchone()
        assert applied == [p.name for p in migration_files()]
        assert {"stations", "devices", "places", "follows", "alerts", "deliveries", "api_tokens"} <= tables
        assert postgis is not None
        assert apply_migrations(url) == []
    finally:
        infra.drop_database(name)

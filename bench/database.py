"""The benchmark's own PostgreSQL database (``vchata_perf`` unless DATABASE_URL says otherwise)."""

import os

import dj_database_url
import psycopg
from psycopg import sql


def database_name() -> str:
    return dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]


def _maintenance_connection() -> psycopg.Connection:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(*, fresh: bool) -> bool:
    """Create the database (dropping it first when ``fresh``); True when it was created now."""
    name = database_name()
    with _maintenance_connection() as connection:
        if fresh:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True

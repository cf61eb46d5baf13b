"""gridgov-postgres: the ``postgresql://`` store (psycopg 3)."""

from gridgov_postgres.store import PostgresStore, split_url

__all__ = ["PostgresStore", "split_url"]

"""The PostgreSQL server for these tests: skip visibly when absent, fail when required."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("GRIDGOV_TEST_POSTGRES_URL", DEFAULT_URL)


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The server URL; every schema made through ``pg_schema`` is dropped at the end."""
    url = server_url()
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"no PostgreSQL server answers at {url}: {str(exc).strip()}"
        if os.environ.get("GRIDGOV_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (GRIDGOV_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    made: list[str] = []
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in made + _SCHEMAS:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


_SCHEMAS: list[str] = []


def new_schema() -> str:
    """A unique schema name for this run (dropped at the end of the session)."""
    name = f"gridgov_test_{uuid.uuid4().hex[:12]}"
    _SCHEMAS.append(name)
    return name


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> str:
    """A store URL in this run's own schema."""
    return with_schema(pg_server, new_schema())


@pytest.fixture
def fresh_url(pg_server: str) -> str:
    """A store URL in a schema of its own, for one test."""
    return with_schema(pg_server, new_schema())

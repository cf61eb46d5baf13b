"""The relational schema of the SQL stores and its migrations.

``MIGRATIONS[v - 1]`` holds the statements that take a database from version
``v - 1`` to version ``v``. A store applies what is pending when it opens, in
one transaction, and refuses a database whose version is newer than it knows.
The SQL is the common subset of SQLite and PostgreSQL, except ``{SERIAL}``: a
backend's auto-numbered primary key (see ``SqlStore._ddl``). Migrations whose
data must be rewritten in Python (digests of visits) name a step in
:data:`DATA_STEPS` that the store runs in the same transaction.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: hierarchy, sweep data, duty documents, events
    (
        "CREATE TABLE units (id TEXT PRIMARY KEY, parent TEXT, level TEXT NOT NULL,"
        " pos BIGINT NOT NULL, size BIGINT NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX units_pos ON units (pos)",
        "CREATE TABLE households (id TEXT PRIMARY KEY, building TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX households_building ON households (building)",
        "CREATE TABLE sweeps (id TEXT PRIMARY KEY, scope TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE TABLE visits (id TEXT PRIMARY KEY,"
        " sweep TEXT NOT NULL REFERENCES sweeps (id),"
        " household TEXT NOT NULL REFERENCES households (id),"
        " outcome TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX visits_sweep_household ON visits (sweep, household)",
        "CREATE TABLE problems (id TEXT PRIMARY KEY, unit TEXT, doc TEXT NOT NULL)",
        "CREATE TABLE rosters (id TEXT NOT NULL, version INTEGER NOT NULL,"
        " status TEXT NOT NULL, unit TEXT, doc TEXT NOT NULL, PRIMARY KEY (id, version))",
        "CREATE TABLE events (id TEXT PRIMARY KEY, unit TEXT NOT NULL,"
        " at_seconds DOUBLE PRECISION NOT NULL, doc TEXT NOT NULL)",
    ),
    # 2: per-channel deliveries of the outbox; visits by household
    (
        "CREATE TABLE deliveries (event_id TEXT NOT NULL REFERENCES events (id),"
        " channel TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,"
        " next_attempt DOUBLE PRECISION NOT NULL, last_error TEXT NOT NULL,"
        " PRIMARY KEY (event_id, channel))",
        "CREATE INDEX deliveries_due ON deliveries (status, next_attempt)",
        "CREATE INDEX visits_household ON visits (household)",
    ),
    # 3: outbox leases (concurrent flushers share the work), Retry-After deferrals,
    #    per-recipient progress, due-time order; roster versions allocated by the database
    (
        "ALTER TABLE deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE deliveries ADD COLUMN lease_until DOUBLE PRECISION NOT NULL DEFAULT 0",
        "ALTER TABLE deliveries ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE deliveries ADD COLUMN done TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE deliveries ADD COLUMN at_seconds DOUBLE PRECISION NOT NULL DEFAULT 0",
        "UPDATE deliveries SET at_seconds ="
        " (SELECT e.at_seconds FROM events e WHERE e.id = deliveries.event_id)",
        "CREATE INDEX deliveries_claim ON deliveries (channel, status, next_attempt)",
        "CREATE TABLE roster_counters (id TEXT PRIMARY KEY, last_version INTEGER NOT NULL)",
        "INSERT INTO roster_counters (id, last_version)"
        " SELECT id, MAX(version) FROM rosters GROUP BY id",
    ),
    # 4: append-only visits (every version kept, decided in the database), resolutions,
    #    the columns the coverage roll-up reads
    (
        "CREATE TABLE visit_ids (sweep TEXT NOT NULL REFERENCES sweeps (id),"
        " id TEXT NOT NULL, PRIMARY KEY (sweep, id))",
        "CREATE TABLE visit_versions (seq {SERIAL}, sweep TEXT NOT NULL, id TEXT NOT NULL,"
        " digest TEXT NOT NULL, household TEXT NOT NULL REFERENCES households (id),"
        " t_us BIGINT, code INTEGER NOT NULL, persons BIGINT NOT NULL,"
        " returnees BIGINT NOT NULL, doc TEXT NOT NULL, UNIQUE (sweep, id, digest),"
        " FOREIGN KEY (sweep, id) REFERENCES visit_ids (sweep, id))",
        "CREATE INDEX visit_versions_sweep_household ON visit_versions (sweep, household)",
        "CREATE INDEX visit_versions_household ON visit_versions (household)",
        "CREATE TABLE visit_resolutions (seq {SERIAL}, sweep TEXT NOT NULL, id TEXT NOT NULL,"
        " digest TEXT NOT NULL, note TEXT NOT NULL)",
        "CREATE INDEX visit_resolutions_id ON visit_resolutions (sweep, id)",
        "CREATE TABLE central_links (household TEXT PRIMARY KEY)",
        "ALTER TABLE households ADD COLUMN discovered INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE households ADD COLUMN register_invalid INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sweeps ADD COLUMN start_us BIGINT",
        "ALTER TABLE sweeps ADD COLUMN end_us BIGINT",
    ),
    # 5: one household index on visit versions instead of two: (household, sweep) serves
    #    look-ups by household (with or without the sweep) and the households' foreign
    #    key; by sweep alone the (sweep, id, digest) key serves. Each index costs every
    #    ingested visit a B-tree insert.
    (
        "DROP INDEX visit_versions_sweep_household",
        "DROP INDEX visit_versions_household",
        "CREATE INDEX visit_versions_household_sweep ON visit_versions (household, sweep)",
    ),
    # 6: a backend may check the visits' references once a batch instead of row by row
    #    (``SqlStore._data_set_based_references``: PostgreSQL drops the foreign keys of
    #    the visit tables; SQLite keeps them, its bulk path switches them off per batch)
    (),
    # 7: a backend may keep visit ids in a smaller structure (``SqlStore._data_compact_ids``:
    #    SQLite rebuilds ``visit_ids`` WITHOUT ROWID, one B-tree instead of a table and
    #    its key; PostgreSQL keeps its heap and key)
    (),
)

DATA_STEPS: dict[int, str] = {
    4: "append_only_visits",
    6: "set_based_references",
    7: "compact_ids",
}
"""``{version: name}``: after the statements of a migration, ``SqlStore._data_<name>``
rewrites what SQL alone cannot (digests, flags read from documents)."""

LATEST_VERSION = len(MIGRATIONS)
"""The schema version this gridgov writes."""

META_TABLE = "CREATE TABLE IF NOT EXISTS gridgov_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

"""Replace one application's partition of a large table: load a new table, index it, swap it in.

``security_rights_users`` and ``security_rights_snapshot`` are partitioned by ``apps_id`` (one
partition per application, migration 0005): a large site has tens of millions of user rights,
and DELETE + INSERT would maintain every index row by row (measured: over 10 minutes for 39M
rights, against about 2.5 minutes to load a bare table and build its indexes in bulk).

:func:`replace_partition` runs inside the step's transaction: the new rows go into a plain table
``<table>_a<apps_id>_new`` with the parent's columns and constraints, its indexes are built like
the parent's, a ``CHECK (apps_id = N)`` lets ATTACH skip its validation scan, then the old
partition is detached and dropped and the new one renamed and attached. Readers see the previous
rows while the new partition is loaded and indexed (minutes on a large site); DETACH locks the
whole table for the last instants before the commit, so readers wait that long, never for the
load. A failure leaves the previous partition in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from airflow_provider_nomasx1.sqlident import checked, quote

_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ ")


def _parent_indexes(cur: Any, schema: str, table: str) -> list[tuple[str, str, bool]]:
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass
           ORDER BY i.relname""",
        (schema, table),
    )
    return list(cur.fetchall())


def _exists(cur: Any, schema: str, name: str) -> bool:
    cur.execute("SELECT to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) IS NOT NULL", (schema, name))
    return bool(cur.fetchone()[0])


def replace_partition(cur: Any, schema: str, table: str, apps_id: int, fill: Callable[[str], int]) -> int:
    """Swap in a new partition of ``schema.table`` for ``apps_id``; ``fill(qualified_new_table)``
    loads it and returns the rows written. Returns that count."""
    apps_id = int(apps_id)
    s, t = quote(schema, "schema"), quote(table, "table")
    part = checked(f"{table}_a{apps_id}", "partition name")
    new = checked(f"{part}_new", "partition name")
    cur.execute(f"DROP TABLE IF EXISTS {s}.{new}")
    cur.execute(f"CREATE TABLE {s}.{new} (LIKE {s}.{t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    rows = fill(f"{s}.{new}")
    for number, (_name, definition, primary) in enumerate(_parent_indexes(cur, schema, table)):
        columns = definition[definition.index("(") :]
        if primary:
            cur.execute(f"ALTER TABLE {s}.{new} ADD CONSTRAINT {new}_pkey PRIMARY KEY {columns}")
        else:
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            cur.execute(_INDEX_HEAD.sub(f"CREATE {unique}INDEX {new}_ix{number} ON {s}.{new} ", definition))
    cur.execute(f"ALTER TABLE {s}.{new} ADD CONSTRAINT {new}_apps CHECK (apps_id = {apps_id})")
    cur.execute(f"ANALYZE {s}.{new}")  # before the swap: the parent stays locked from DETACH to commit
    if _exists(cur, schema, part):
        cur.execute(f"ALTER TABLE {s}.{t} DETACH PARTITION {s}.{part}")
        cur.execute(f"DROP TABLE {s}.{part}")
    cur.execute(f"ALTER TABLE {s}.{new} RENAME TO {part}")
    cur.execute(f"ALTER TABLE {s}.{part} RENAME CONSTRAINT {new}_apps TO {part}_apps")
    cur.execute(
        "SELECT c.relname, x.indisprimary FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
        "WHERE x.indrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass",
        (schema, part),
    )
    for index, primary in cur.fetchall():
        renamed = checked(index.replace(new, part, 1), "index name")
        if primary:
            cur.execute(f"ALTER TABLE {s}.{part} RENAME CONSTRAINT {index} TO {renamed}")
        else:
            cur.execute(f"ALTER INDEX {s}.{index} RENAME TO {renamed}")
    default = checked(f"{table}_default", "partition name")
    if _exists(cur, schema, default):  # rows written straight into the table before it had a partition
        cur.execute(f"DELETE FROM {s}.{default} WHERE apps_id = {apps_id}")
    cur.execute(f"ALTER TABLE {s}.{t} ATTACH PARTITION {s}.{part} FOR VALUES IN ({apps_id})")
    return rows

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
load. A failure leaves the previous partition in place. The stage and swap mechanics are
:mod:`airflow_provider_nomasx1.pg.swap`'s; this module names the partition of an application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_nomasx1.pg import swap
from airflow_provider_nomasx1.pg.identifiers import checked, quote


def replace_partition(cur: Any, schema: str, table: str, apps_id: int, fill: Callable[[str], int]) -> int:
    """Swap in a new partition of ``schema.table`` for ``apps_id``; ``fill(qualified_new_table)``
    loads it and returns the rows written. Returns that count."""
    apps_id = int(apps_id)
    s = quote(schema, "schema")
    part = checked(f"{table}_a{apps_id}", "partition name")
    new = checked(f"{part}_new", "partition name")
    swap.drop_stage(cur, schema, new)
    swap.create_stage(cur, schema, table, new, including=("DEFAULTS", "CONSTRAINTS"))
    rows = fill(f"{s}.{new}")
    swap.build_partition_indexes(cur, schema, table, new)
    cur.execute(f"ALTER TABLE {s}.{new} ADD CONSTRAINT {new}_apps CHECK (apps_id = {apps_id})")
    cur.execute(f"ANALYZE {s}.{new}")  # before the swap: the parent stays locked from DETACH to commit
    swap.swap_partition(cur, schema, table, new, part, "apps_id", apps_id)
    return rows

"""Stage then swap, written once: a table (or one list partition) is replaced by a stage loaded
beside it, in the caller's transaction, so readers see the previous rows until the commit and an
interrupted load leaves them in place.

- :func:`create_stage`: a bare table like the target (no index: loading is faster without, and the
  indexes are built afterwards in bulk);
- :func:`rename_into_place`: a stage with no previous table becomes the table (key added);
- :func:`swap_table`: the stage replaces an existing table, which keeps its indexes (same names),
  grants and comment; a table that views read keeps its identity, its rows replaced in place;
- :func:`swap_partition`: the stage replaces one list partition of a partitioned table.

Every name is validated and quoted (:mod:`~airflow_provider_nomasx1.pg.identifiers`). Callers hold
a psycopg cursor or a SQLAlchemy connection in an open transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql as psycopg_sql

from airflow_provider_nomasx1.pg import catalogue
from airflow_provider_nomasx1.pg.admin import grant_sql
from airflow_provider_nomasx1.pg.handle import Handle, execute
from airflow_provider_nomasx1.pg.identifiers import checked, qualified, quote

#: what ``CREATE TABLE ... (LIKE ...)`` may copy
_LIKE_OPTIONS = frozenset({"COMMENTS", "COMPRESSION", "CONSTRAINTS", "DEFAULTS", "GENERATED", "IDENTITY", "STORAGE"})
#: PostgreSQL's identifier length (NAMEDATALEN - 1)
MAX_NAME = 63


def stage_name(name: str, suffix: str) -> str:
    """``name`` with ``suffix`` (cut to fit 63 characters); a name already ending in it is kept."""
    return name if name.endswith(suffix) else name[: MAX_NAME - len(suffix)] + suffix


def drop_stage(conn: Handle, schema: str, stage: str) -> None:
    """Drop the stage left by an earlier failed run, if any."""
    execute(conn, f"DROP TABLE IF EXISTS {qualified(schema, stage)}")


def create_stage(conn: Handle, schema: str, target: str, stage: str, including: Sequence[str]) -> None:
    """``CREATE TABLE stage (LIKE target INCLUDING ...)`` in ``schema``: same columns, no index."""
    unknown = set(including) - _LIKE_OPTIONS
    if unknown:
        raise ValueError(f"unknown LIKE option(s) {sorted(unknown)}")
    options = "".join(f" INCLUDING {option}" for option in including)
    execute(conn, f"CREATE TABLE {qualified(schema, stage)} (LIKE {qualified(schema, target)}{options})")


def rename_into_place(conn: Handle, schema: str, stage: str, target: str, key: Sequence[str] = ()) -> None:
    """A stage with no table to replace becomes ``target``, with ``key`` as its primary key."""
    stage_q = qualified(schema, stage)
    if key:
        columns = ", ".join(quote(k) for k in key)
        execute(conn, f"ALTER TABLE {stage_q} ADD CONSTRAINT {quote(target + '_pkey')} PRIMARY KEY ({columns})")
    execute(conn, f"ALTER TABLE {stage_q} RENAME TO {quote(target)}")
    execute(conn, f"ANALYZE {qualified(schema, target)}")


def swap_table(conn: Handle, schema: str, target: str, stage: str, columns: Sequence[str], suffix: str) -> bool:
    """Replace ``target`` by ``stage`` (both in ``schema``, same ``columns``); True when the rows
    were replaced in place because views read the target.

    Otherwise the target's indexes are built on the stage under temporary names (``suffix``),
    primary key and unique constraints included, then the target is dropped, the stage renamed, the
    indexes renamed back and the grants and comment given back."""
    target_q, stage_q = qualified(schema, target), qualified(schema, stage)
    if catalogue.has_dependent_views(conn, schema, target):
        _replace_rows(conn, target_q, stage_q, ", ".join(quote(c, "column name") for c in columns))
        return True
    renames = [
        (_build_index(conn, index, stage_q, stage_name(index.name, suffix)), index.name)
        for index in catalogue.index_definitions(conn, schema, target)
    ]
    grants = catalogue.table_grants(conn, schema, target)
    comment = catalogue.table_comment(conn, schema, target)
    # readers keep the previous snapshot until the caller commits
    execute(conn, f"LOCK TABLE {target_q} IN ACCESS EXCLUSIVE MODE")
    execute(conn, f"DROP TABLE {target_q}")
    execute(conn, f"ALTER TABLE {stage_q} RENAME TO {quote(target)}")
    for temporary, name in renames:
        execute(conn, f"ALTER INDEX {qualified(schema, temporary)} RENAME TO {quote(name)}")
    for grant in grants:
        execute(conn, grant_sql(grant, target_q))
    if comment:
        execute(conn, psycopg_sql.SQL("COMMENT ON TABLE {} IS {}").format(psycopg_sql.SQL(target_q), comment))
    execute(conn, f"ANALYZE {target_q}")
    return False


def _replace_rows(conn: Handle, target_q: str, stage_q: str, columns_sql: str) -> None:
    """Keep the table views depend on; swap its content in this transaction."""
    execute(conn, f"LOCK TABLE {target_q} IN ACCESS EXCLUSIVE MODE")
    execute(conn, f"TRUNCATE {target_q}")
    execute(conn, f"INSERT INTO {target_q} ({columns_sql}) SELECT {columns_sql} FROM {stage_q}")
    execute(conn, f"DROP TABLE {stage_q}")
    execute(conn, f"ANALYZE {target_q}")


def _build_index(conn: Handle, index: catalogue.IndexDefinition, table_q: str, name: str) -> str:
    """``index`` rebuilt on ``table_q`` as ``name``, with its primary key or unique constraint."""
    execute(conn, index.create_sql(quote(name), table_q))
    if index.constraint in ("p", "u"):
        kind = "PRIMARY KEY" if index.constraint == "p" else "UNIQUE"
        execute(conn, f"ALTER TABLE {table_q} ADD CONSTRAINT {quote(name)} {kind} USING INDEX {quote(name)}")
    return name


def build_partition_indexes(conn: Handle, schema: str, parent: str, stage: str) -> None:
    """The parent's indexes on a stage that will become one of its partitions: the primary key
    as ``<stage>_pkey``, the others ``<stage>_ix<n>`` (n: rank among the parent's indexes by name),
    so ATTACH finds them and builds none."""
    stage_q = qualified(schema, stage)
    for number, index in enumerate(catalogue.index_definitions(conn, schema, parent)):
        if index.primary:
            execute(conn, f"ALTER TABLE {stage_q} ADD CONSTRAINT {quote(stage + '_pkey')} PRIMARY KEY {index.key}")
        else:
            execute(conn, index.create_sql(quote(f"{stage}_ix{number}"), stage_q))


def swap_partition(conn: Handle, schema: str, parent: str, stage: str, partition: str, column: str, value: int) -> None:
    """Make ``stage`` the partition ``partition`` of ``parent`` (list-partitioned on ``column``)
    for ``FOR VALUES IN (value)``.

    The previous partition is detached and dropped (DETACH locks the parent until the commit), the
    stage renamed, its CHECK constraints and indexes named after the stage renamed after the
    partition, rows of ``value`` written into the DEFAULT partition before the partition existed
    removed, and the stage attached (a CHECK matching ``value`` lets ATTACH skip its scan)."""
    value = int(value)
    parent_q, partition_q = qualified(schema, parent), qualified(schema, partition)
    if catalogue.table_exists(conn, schema, partition):
        execute(conn, f"ALTER TABLE {parent_q} DETACH PARTITION {partition_q}")
        execute(conn, f"DROP TABLE {partition_q}")
    execute(conn, f"ALTER TABLE {qualified(schema, stage)} RENAME TO {quote(partition)}")
    for name in catalogue.check_constraints(conn, schema, partition):
        if name.startswith(stage):
            renamed = quote(name.replace(stage, partition, 1), "constraint name")
            execute(conn, f"ALTER TABLE {partition_q} RENAME CONSTRAINT {quote(name)} TO {renamed}")
    for index in catalogue.index_definitions(conn, schema, partition):
        renamed = quote(checked(index.name.replace(stage, partition, 1), "index name"))
        if index.primary:
            execute(conn, f"ALTER TABLE {partition_q} RENAME CONSTRAINT {quote(index.name)} TO {renamed}")
        else:
            execute(conn, f"ALTER INDEX {qualified(schema, index.name)} RENAME TO {renamed}")
    default = f"{parent}_default"
    if catalogue.table_exists(conn, schema, default):
        execute(conn, f"DELETE FROM {qualified(schema, default)} WHERE {quote(column, 'column name')} = {value}")
    execute(conn, f"ALTER TABLE {parent_q} ATTACH PARTITION {partition_q} FOR VALUES IN ({value})")

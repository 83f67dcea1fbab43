"""A hand-built JDE source for step LICENSE_JDE_USERS (nomasx1-license-1): the object librarian
F9860 and transaction tables with audit columns, in a PostgreSQL JDE database.

The schemas are the connection's default schema map in lower case (``JdeSchemaMap().lower()``):
F9860 in ``ol920``, business tables in ``ps920dta``, control tables in ``ps920ctl``. Columns are
typed as the synthetic generator types them (``sql/jde_generate/01_ddl.sql``): blank-padded
CHAR strings, Julian CYYDDD numbers ``numeric(6,0)`` with 0 for "no date".

A transaction table is described by :class:`TxTable` (name, column prefix, schema); its audit
columns are ``<prefix>USER`` / ``<prefix>UPMJ`` unless given (an override, or none at all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from airflow_provider_nomasx1.jde.julian import from_julian, to_julian
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap

#: the default schema map as a PostgreSQL source spells it
SCHEMAS = JdeSchemaMap().lower()
DATA, CONTROL, OBJECT_LIBRARIAN, SYSTEM = SCHEMAS.data, SCHEMAS.control, SCHEMAS.object_librarian, SCHEMAS.system

F9860_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {OBJECT_LIBRARIAN};
CREATE SCHEMA IF NOT EXISTS {DATA};
CREATE SCHEMA IF NOT EXISTS {CONTROL};
CREATE SCHEMA IF NOT EXISTS {SYSTEM};
DROP TABLE IF EXISTS {OBJECT_LIBRARIAN}.f9860;
CREATE TABLE {OBJECT_LIBRARIAN}.f9860 (
    siobnm char(10) NOT NULL DEFAULT ' ',
    simd   char(60) NOT NULL DEFAULT ' ',
    sisy   char(4)  NOT NULL DEFAULT ' ',
    sifuno char(4)  NOT NULL DEFAULT ' ',
    sipfx  char(4)  NOT NULL DEFAULT ' '
)
"""


@dataclass(frozen=True)
class TxTable:
    """A JDE transaction table of the source: F9860 object ``name``, column prefix ``prefix``
    (F9860.SIPFX), in ``schema``; its physical audit columns (None: the table has none)."""

    name: str
    prefix: str
    schema: str = DATA
    system_code: str = "04"
    user_column: str | None = ""  # "" = <prefix>USER
    date_column: str | None = ""  # "" = <prefix>UPMJ
    #: a numeric key column ("" = <prefix>UKID; None: none, as in the generator's tables)
    key_column: str | None = ""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name.lower()}"

    @property
    def user(self) -> str | None:
        """Physical audit user column (lower case), None when the table has none."""
        return _column(self.user_column, self.prefix + "user")

    @property
    def date(self) -> str | None:
        """Physical audit date column (lower case), None when the table has none."""
        return _column(self.date_column, self.prefix + "upmj")

    @property
    def key(self) -> str | None:
        return _column(self.key_column, self.prefix + "ukid")


def create_source(engine: sa.Engine) -> None:
    """The schemas of the default map and an empty F9860."""
    _run(engine, F9860_DDL)


def register(
    engine: sa.Engine,
    name: str,
    prefix: str = "",
    system_code: str = "04",
    kind: str = "TBLE",
    description: str = "",
) -> None:
    """An F9860 object (a table by default), written as JDE does: blank-padded."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO {OBJECT_LIBRARIAN}.f9860 (siobnm, simd, sisy, sifuno, sipfx) "
                "VALUES (:name, :md, :sy, :kind, :pfx)"
            ),
            {"name": name, "md": description or name, "sy": system_code, "kind": kind, "pfx": prefix or " "},
        )


def create_table(engine: sa.Engine, table: TxTable, *, registered: bool = True) -> TxTable:
    """(Re)create ``table``: a key column, a business column, its audit columns (user char(10),
    date numeric(6,0), plus PID and UPMT as JDE has them), and its F9860 entry unless not
    ``registered``."""
    p = table.prefix.lower()
    columns = [f"{table.key} numeric NOT NULL DEFAULT 0"] if table.key else []
    columns.append(f"{p}dsc1 char(30) NOT NULL DEFAULT ' '")
    if table.user:
        columns.append(f"{table.user} char(10) NOT NULL DEFAULT ' '")
    columns.append(f"{p}pid char(10) NOT NULL DEFAULT ' '")
    if table.date:
        columns.append(f"{table.date} numeric(6,0) NOT NULL DEFAULT 0")
    columns.append(f"{p}upmt numeric(6,0) NOT NULL DEFAULT 0")
    _run(engine, f"DROP TABLE IF EXISTS {table.qualified}; CREATE TABLE {table.qualified} ({', '.join(columns)})")
    if registered:
        register(engine, table.name, table.prefix, table.system_code)
    return table


def add_rows(engine: sa.Engine, table: TxTable, user: str, day: dt.date | int, n: int = 1) -> None:
    """``n`` rows of ``table`` last written by ``user`` on ``day`` (a date, or a raw CYYDDD
    number such as 0), numbered after the table's highest key when it has one."""
    assert table.user and table.date, f"{table.name} has no audit columns"
    julian = day if isinstance(day, int) else to_julian(day)
    columns, values = f"{table.user}, {table.date}, {table.prefix.lower()}pid", ":usr, :d, 'EP0411'"
    with engine.begin() as conn:
        start = 0
        if table.key:
            columns, values = f"{table.key}, {columns}", f":start + g, {values}"
            start = int(
                conn.exec_driver_sql(f"SELECT coalesce(max({table.key}), 0) FROM {table.qualified}").scalar_one()
            )
        conn.execute(
            sa.text(f"INSERT INTO {table.qualified} ({columns}) SELECT {values} FROM generate_series(1, :n) AS g"),
            {"start": start, "usr": user, "d": julian, "n": n},
        )


def add_many(engine: sa.Engine, table: TxTable, rows: Iterable[tuple[str, dt.date | int, int]]) -> None:
    """:func:`add_rows` for each (user, day, n)."""
    for user, day, n in rows:
        add_rows(engine, table, user, day, n)


def delete_rows(engine: sa.Engine, table: TxTable, day: dt.date, user: str | None = None) -> None:
    """Remove the table's rows of ``day`` (of ``user`` only, when given): a restore, a purge."""
    assert table.date
    where = f"{table.date} = {to_julian(day)}" + (f" AND {table.user} = :usr" if user else "")
    with engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {table.qualified} WHERE {where}"), {"usr": user})


def drop_table(engine: sa.Engine, table: TxTable) -> None:
    """Drop the physical table (its F9860 entry stays)."""
    _run(engine, f"DROP TABLE IF EXISTS {table.qualified}")


def source_counts(engine: sa.Engine, table: TxTable, first: dt.date, last: dt.date) -> dict[tuple[str, dt.date], int]:
    """(trimmed user, date) -> rows of ``table`` dated ``first`` .. ``last``, blank users left out:
    what license_jde_users should hold for it, computed on the source without the collector."""
    assert table.user and table.date
    sql = (
        f"SELECT rtrim({table.user}), {table.date}::int, count(*) FROM {table.qualified} "
        f"WHERE {table.date} BETWEEN {to_julian(first)} AND {to_julian(last)} AND rtrim({table.user}) <> '' "
        "GROUP BY 1, 2"
    )
    found: dict[tuple[str, dt.date], int] = {}
    with engine.connect() as conn:
        for user, julian, n in conn.exec_driver_sql(sql):
            day = from_julian(julian, strict=True)
            assert day is not None
            found[user, day] = int(n)
    return found


def source_left_out(engine: sa.Engine, table: TxTable, first: dt.date, last: dt.date) -> dict[str, int]:
    """Rows of ``table`` left out: a blank user within ``first`` .. ``last``, or no date (UPMJ 0)."""
    assert table.user and table.date
    sql = (
        f"SELECT count(*) FILTER (WHERE rtrim({table.user}) = '' AND {table.date} BETWEEN {to_julian(first)} "
        f"AND {to_julian(last)}), count(*) FILTER (WHERE {table.date} = 0) FROM {table.qualified}"
    )
    with engine.connect() as conn:
        no_user, no_date = conn.exec_driver_sql(sql).one()
    return {"no_user": int(no_user), "no_date": int(no_date)}


def _column(given: str | None, default: str) -> str | None:
    return None if given is None else (given or default).lower()


def _run(engine: sa.Engine, script: str) -> None:
    with engine.begin() as conn:
        for statement in script.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)

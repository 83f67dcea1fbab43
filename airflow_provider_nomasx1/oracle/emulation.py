"""The Oracle data dictionary emulated in PostgreSQL, for the tests and the demo.

Oracle cannot run on the machines that build and demonstrate this provider, so the views the
database job reads are PostgreSQL tables of the same names and columns
(``sql/oracle/emulated_dictionary.sql``) in a schema of their own; a ``postgres`` connection
naming that schema in ``extras.emulated_dictionary`` is read by the job exactly as an Oracle
connection (docs/database.md, "Testing without Oracle"). The fixtures
(``oracle/fixtures/<name>.json``) are the dictionaries of real-world shapes, written by hand, and
the tests derive each product's expected verdict from them by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked, quote
from airflow_provider_nomasx1.resources import fill_tokens, read_sql, split_statements

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
#: the shipped dictionaries (docs/database.md describes each)
FIXTURES = ("19c_se2", "19c_ee_rac", "23ai_ee_adg")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")


def create_dictionary(conn: sa.Connection, schema: str) -> None:
    """(Re)create ``schema`` holding the emulated views, empty but for ``dual``."""
    name = quote(schema, "schema")
    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    for statement in split_statements(fill_tokens(read_sql("oracle", "emulated_dictionary.sql"), {"schema": name})):
        conn.exec_driver_sql(statement)


@cache
def _fixture(name: str) -> Mapping[str, Any]:
    if name not in FIXTURES:
        raise ConfigurationError(f"unknown dictionary fixture {name!r} (known: {', '.join(FIXTURES)})")
    return json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def fixture_description(name: str) -> str:
    return str(_fixture(name)["description"])


def load_fixture(conn: sa.Connection, schema: str, name: str) -> dict[str, int]:
    """Insert the rows of fixture ``name`` into the dictionary in ``schema``; view -> rows."""
    counts: dict[str, int] = {}
    for view, rows in _fixture(name)["tables"].items():
        table = f"{quote(schema, 'schema')}.{quote(checked(view, 'view'), 'view')}"
        for row in rows:
            columns = ", ".join(quote(c, "column") for c in row)
            marks = ", ".join(f":p{i}" for i in range(len(row)))
            values = {f"p{i}": _value(v) for i, v in enumerate(row.values())}
            conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)
        counts[view] = len(rows)
    return counts


def install_fixture(engine: sa.Engine, schema: str, name: str) -> dict[str, int]:
    """A fresh dictionary in ``schema`` holding fixture ``name``, in one transaction."""
    with engine.begin() as conn:
        create_dictionary(conn, schema)
        return load_fixture(conn, schema, name)


def grant_reader(conn: sa.Connection, schema: str, role: str) -> None:
    """A login role that may read every view of ``schema`` (a least-privileged dictionary reader,
    from which a test revokes one view to see the job name the grant it misses)."""
    name = quote(role, "role")
    exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if not exists:
        conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {quote(schema, 'schema')} TO {name}")
    conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quote(schema, 'schema')} TO {name}")


def _value(value: Any) -> Any:
    """JSON values as the columns take them: ISO dates as datetimes."""
    if isinstance(value, str) and _DATE.match(value):
        return dt.datetime.fromisoformat(value)
    return value

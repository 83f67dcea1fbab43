"""The pg_temp helpers that read raw JDE text in the nomasx1 target session, and the date counter.

Rows copied from JDE land in TEMP tables as text (blank padding and all, see
:mod:`airflow_provider_nomasx1.jde.reader`); the SQL that derives results from them trims and
converts with ``pg_temp.jde_date`` / ``jde_time`` / ``jde_flag`` / ``jde_str``. Their fixed text is
``sql/jde/session_functions.sql``; the Julian date and HHMMSS expressions are filled in from
:mod:`airflow_provider_nomasx1.jde.julian`, so the session reads dates under the one rule the
mirror's coercion and the Python conversions follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from airflow_provider_nomasx1.jde.julian import text_hhmmss_sql, text_julian_impossible_sql, text_julian_sql
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.resources import fill_tokens, read_sql, split_statements

#: the SQL file of the session functions
SQL_FILE = ("jde", "session_functions.sql")
#: name of the argument every session function takes (the expressions are generated for it)
_ARGUMENT = "v"


@cache
def session_functions() -> tuple[str, ...]:
    """The ``CREATE OR REPLACE FUNCTION pg_temp...`` statements, in file order."""
    tokens = {"julian_date": text_julian_sql(_ARGUMENT), "hhmmss_time": text_hhmmss_sql(_ARGUMENT)}
    text = fill_tokens(read_sql(*SQL_FILE), tokens)
    return tuple(split_statements(text))


def create_session_functions(cur: Any) -> None:
    """Create the pg_temp helper functions (:func:`session_functions`) in the target session."""
    for ddl in session_functions():
        cur.execute(ddl)


def count_impossible_dates(cur: Any, temp: str, columns: Sequence[str]) -> dict[str, int]:
    """Impossible Julian dates (a non-zero number that is no date: ``pg_temp.jde_date`` reads it as
    NULL) per text column of the TEMP table ``temp``, in one scan; blank and 0 are not counted.

    For the collect_audit details and the step message of the collectors that read dates, e.g.
    ``count_impossible_dates(cur, "src_rel", ["effective", "expiration"])`` -> ``{"effective": 0,
    "expiration": 2}``."""
    checked(temp, "temp table name")
    if not columns:
        return {}
    items = ", ".join(
        f"count(*) FILTER (WHERE {text_julian_impossible_sql(checked(c, 'column name'))})" for c in columns
    )
    counts = cur.execute(f"SELECT {items} FROM pg_temp.{temp}").fetchone()
    return dict(zip(columns, (int(n) for n in counts), strict=True))

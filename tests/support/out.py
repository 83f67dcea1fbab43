"""A hand-built Object Usage Tracking table (F98911) for the nomasx1-out-1 tests.

The physical columns are the source catalogue's (``jde/catalogue.py`` F98911, our unverified
reading of the Tools 9.2 layout) in the system schema of a PostgreSQL JDE source, typed as the
synthetic generator types them (blank-padded CHAR, Julian CYYDDD and HHMMSS numbers).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from airflow_provider_nomasx1.jde.julian import to_julian

#: F98911 as a PostgreSQL JDE source holds it (schema sy920, lower-case names)
F98911_DDL = """
CREATE SCHEMA IF NOT EXISTS sy920;
DROP TABLE IF EXISTS sy920.f98911;
CREATE TABLE sy920.f98911 (
    ouobnm   char(10)     NOT NULL DEFAULT ' ',
    oufmnm   char(10)     NOT NULL DEFAULT ' ',
    ouvers   char(10)     NOT NULL DEFAULT ' ',
    ouuser   char(10)     NOT NULL DEFAULT ' ',
    ourole   char(10)     NOT NULL DEFAULT ' ',
    ouenhv   char(10)     NOT NULL DEFAULT ' ',
    oupathcd char(10)     NOT NULL DEFAULT ' ',
    oufuno   char(4)      NOT NULL DEFAULT ' ',
    ouupmj   numeric(6,0) NOT NULL DEFAULT 0,
    ouupmt   numeric(6,0) NOT NULL DEFAULT 0
)
"""


def create_f98911(engine: sa.Engine) -> None:
    """(Re)create an empty sy920.f98911."""
    with engine.begin() as conn:
        for statement in F98911_DDL.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)


def add_usage(
    engine: sa.Engine,
    user: str,
    obj: str,
    day: dt.date | int,
    n: int = 1,
    *,
    form: str = "",
    version: str = "",
    role: str = "*ALL",
    env: str = "JPD920",
    kind: str = "APPL",
    time: int = 90000,
) -> None:
    """``n`` F98911 rows of ``user`` opening ``obj`` on ``day`` (a date, or a raw CYYDDD number:
    0 or an impossible value), at ``time`` (HHMMSS), the n-th one ``n - 1`` seconds later."""
    julian = day if isinstance(day, int) else to_julian(day)
    rows = [
        {
            "obj": obj,
            "form": form or " ",
            "ver": version or " ",
            "usr": user,
            "role": role or " ",
            "env": env or " ",
            "kind": kind or " ",
            "d": julian,
            "t": time + i,
        }
        for i in range(n)
    ]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sy920.f98911 (ouobnm, oufmnm, ouvers, ouuser, ourole, ouenhv, oupathcd, oufuno, "
                "ouupmj, ouupmt) VALUES (:obj, :form, :ver, :usr, :role, :env, 'PD920', :kind, :d, :t)"
            ),
            rows,
        )


def f98911_rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM sy920.f98911")).scalar() or 0)

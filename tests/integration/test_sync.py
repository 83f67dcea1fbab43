"""Mirror sync engine on real PostgreSQL: JDE coercion cell by cell, modes, atomicity, faults.

One database holds the synthetic JDE source (tiny profile plus hand-inserted edge rows, module
scope), each test gets a fresh target database. The source is read through a JdeHook built from an
``AIRFLOW_CONN_JDEDWARDS`` environment connection (read-only sessions).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.sync import AS_OF

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors import sync
from airflow_provider_nomasx1.collectors.sync import (
    CopySpec,
    EmptySourceError,
    copy_table,
    sync_table,
)
from airflow_provider_nomasx1.context import Progress, StepContext
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.jde.julian import from_julian

LOG = logging.getLogger("test_sync")
T = "tgt"  # target schema

# (drsy, drrt, drky, drdl01, drupmj, drupmt)
EDGE_ROWS = [
    ("55", "ZZ", "        10", "Ten  ", 0, 93015),
    ("55", "ZZ", "A1", " lead and trail  ", 99001, 0),
    ("55", "ZZ", "A2", "x", 100001, 235959),
    ("55", "ZZ", "A3", "leap", 124060, 120000),
    ("55", "ZZ", "A4", "eoy", 123365, 1),
]
FAULT_ROWS = 30_000  # rows of the fault-test table (schema faulty)

# char(n) values trimmed on the cheap path (char -> name) or the guarded one (> 63 bytes): (drky
# char(10), drdl01 char(30), drdl02 char(80)); multi-byte characters, leading and inner blanks
STRING_EDGES = [
    ("", "", ""),
    ("  lead", "  in ner  ", " " * 40 + "x"),
    ("\u00e9" * 10, "\u00e9" * 30, "y" * 63),
    ("\U0001f600" * 10, "\U0001f600" * 16, "\U0001f600" * 20),
    ("k", "z" * 30, "w" * 80),
]


def _julian_edges() -> list[int]:
    """CYYDDD values over the whole range: day 1, Feb 28/29, Mar 1, Dec 31 of every year, plus day 0
    and days past the year's end (366 of a common year, 367, 999) in some years."""
    values = []
    for cyy in range(1000):
        year = 1900 + cyy
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        values += [cyy * 1000 + d for d in (1, 59, 60, 61, 365 + leap)]
        if cyy % 7 == 0:
            values += [cyy * 1000 + d for d in (0, 366 + leap, 367, 999)]  # 0 alone: no date
    return values


def _url_env(url: URL) -> dict[str, str]:
    return testing.connection_env("jdedwards", url, conn_type="jdedwards", db_type="postgres")


@pytest.fixture(scope="module")
def source_url(pg_server: URL) -> Iterator[URL]:
    url = testing.create_database(pg_server, prefix="nomasx1_sync_src")
    generate(url.render_as_string(hide_password=False), profile="tiny", seed=1, as_of=AS_OF)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for sy, rt, ky, dl, upmj, upmt in EDGE_ROWS:
            conn.execute(
                sa.text(
                    "INSERT INTO ps920ctl.f0005 (drsy, drrt, drky, drdl01, drupmj, drupmt) "
                    "VALUES (:sy, :rt, :ky, :dl, :upmj, :upmt)"
                ),
                {"sy": sy, "rt": rt, "ky": ky, "dl": dl, "upmj": upmj, "upmt": upmt},
            )
        conn.execute(sa.text("INSERT INTO ps920dta.f060116 (yaan8, yasal, yaphrt) VALUES (9999, 12345.6789, 26923)"))
        # fault table: F0005 layout, many rows, the last one with an impossible HHMMSS (fails late)
        conn.execute(sa.text("CREATE SCHEMA faulty"))
        conn.execute(sa.text("CREATE TABLE faulty.f0005 (LIKE ps920ctl.f0005 INCLUDING ALL)"))
        conn.execute(
            sa.text(
                "INSERT INTO faulty.f0005 (drsy, drrt, drky, drdl01, drupmj, drupmt) "
                "SELECT '55', 'FT', lpad(n::text, 10), 'row ' || n, 125001, "
                f"CASE WHEN n = {FAULT_ROWS} THEN 999999 ELSE 93015 END FROM generate_series(1, {FAULT_ROWS}) n"
            )
        )
        # coercion edges: F0005-like table of char(10)/char(30)/char(80) strings and Julian dates
        conn.execute(sa.text("CREATE SCHEMA edges"))
        conn.execute(
            sa.text(
                "CREATE TABLE edges.f0005 (drsy char(4) NOT NULL, drrt char(2) NOT NULL, drky char(10) NOT NULL, "
                "drdl01 char(30) NOT NULL, drdl02 char(80) NOT NULL, drupmj numeric(6,0) NOT NULL, "
                "PRIMARY KEY (drsy, drrt, drky))"
            )
        )
        for n, (ky, dl01, dl02) in enumerate(STRING_EDGES):
            conn.execute(
                sa.text("INSERT INTO edges.f0005 VALUES ('55', 'ST', :ky, :dl01, :dl02, 0)"),
                {"ky": ky if ky else " " * n, "dl01": dl01, "dl02": dl02},
            )
        conn.execute(
            sa.text(
                "INSERT INTO edges.f0005 SELECT '55', 'JD', lpad(n::text, 10), 'd', 'd', v "
                "FROM unnest(CAST(:v AS int[])) WITH ORDINALITY AS u(v, n)"
            ),
            {"v": _julian_edges()},
        )
        conn.execute(sa.text("CREATE SCHEMA emptysrc"))
        conn.execute(sa.text("CREATE TABLE emptysrc.f0005 (LIKE ps920ctl.f0005 INCLUDING ALL)"))
    engine.dispose()
    yield url
    testing.drop_database(url)


@pytest.fixture
def source(source_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[JdeHook]:
    for key, value in _url_env(source_url).items():
        monkeypatch.setenv(key, value)
    hook = JdeHook("jdedwards")
    yield hook
    hook.dispose()


def _copy(
    source: JdeHook,
    engine: sa.Engine,
    *,
    create_schema: bool = True,
    progress: Callable[[str, int | None], Any] | None = None,
    **options: object,
) -> sync.CopyReport:
    if create_schema:  # as deploy-databases does for the mirror: the sync never creates its schema
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {T}"))
    options.setdefault("source_schema", "control")
    options.setdefault("source_table", "F0005")
    return copy_table(source, engine, T, CopySpec.from_options(options), log=LOG, run_id="run-1", progress=progress)


@pytest.fixture(scope="session", name="checksum")
def checksum_fixture(query_rows: Callable[..., list[tuple]]) -> Callable[..., tuple[int, str]]:
    """``checksum(engine, table="f0005")``: the row count and an md5 of the rows of the mirror table."""

    def _checksum(engine: sa.Engine, table: str = "f0005") -> tuple[int, str]:
        return query_rows(
            engine, f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {T}.{table} t"
        )[0]

    return _checksum


# --- coercion cell by cell --------------------------------------------------------------------


def test_overwrite_coerces_jde_values(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    report = _copy(source, pg_engine, strip_both_columns=[])
    assert report.source == "ps920ctl.f0005" and report.target == f"{T}.f0005"
    assert report.source_rows == report.rows_copied == report.target_rows == 89 + len(EDGE_ROWS)
    assert report.created_table
    rows = {
        r[0]: r[1:]
        for r in query_rows(pg_engine, f"SELECT drky, drdl01, drupmj, drupmt FROM {T}.f0005 WHERE drrt = 'ZZ'")
    }
    assert rows["        10"] == ("Ten", None, dt.time(9, 30, 15))  # leading blanks kept, Julian 0 -> NULL
    assert rows["A1"] == (" lead and trail", dt.date(1999, 1, 1), dt.time(0, 0))
    assert rows["A2"] == ("x", dt.date(2000, 1, 1), dt.time(23, 59, 59))
    assert rows["A3"] == ("leap", dt.date(2024, 2, 29), dt.time(12, 0))
    assert rows["A4"] == ("eoy", dt.date(2023, 12, 31), dt.time(0, 0, 1))
    types = dict(
        query_rows(
            pg_engine,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = :s AND table_name = 'f0005'",
            s=T,
        )
    )
    assert types["drky"] == "character varying" and types["drupmj"] == "date" and types["drupmt"].startswith("time")
    # primary key taken from the source table
    pk = query_rows(
        pg_engine,
        f"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{T}.f0005'::regclass AND contype = 'p'",
    )
    assert pk == [("PRIMARY KEY (drsy, drrt, drky)",)]
    refresh = query_rows(pg_engine, f"SELECT table_name, rows, run_id, source FROM {T}.mirror_refresh")
    assert refresh == [("f0005", 94, "run-1", "ps920ctl.f0005")]
    # the source is read-only and untouched
    assert query_rows(pg_engine, "SELECT count(*) FROM pg_class WHERE relname = 'f0005__stage'") == [(0,)]


def test_char_trim_and_julian_edges(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    """Trailing blanks only, whatever the length in bytes; Julian dates over the whole CYYDDD range."""
    report = _copy(source, pg_engine, source_schema="edges")
    assert report.rows_copied == len(STRING_EDGES) + len(_julian_edges())
    got = query_rows(pg_engine, f"SELECT drky, drdl01, drdl02 FROM {T}.f0005 WHERE drrt = 'ST'")
    assert sorted(got) == sorted(tuple(v.rstrip(" ") for v in row) for row in STRING_EDGES)
    assert ("\U0001f600" * 16, "\U0001f600" * 20) in {r[1:] for r in got}  # 64+ bytes: not cut
    dates = dict(query_rows(pg_engine, f"SELECT drky::int, drupmj FROM {T}.f0005 WHERE drrt = 'JD'"))
    for n, value in enumerate(_julian_edges(), start=1):
        # CYYDDD: year 1900 + CYY, day of year DDD; issue 10 item 4: a day that does not exist in its
        # year (0, past the year's end) is no date (NULL), counted; it no longer runs on into the next year
        day = value % 1000
        days = 366 if calendar.isleap(1900 + value // 1000) else 365
        expected = dt.date(1900 + value // 1000, 1, 1) + dt.timedelta(day - 1) if 1 <= day <= days else None
        assert dates[n] == expected == from_julian(value), value
    # 143 years (CYY % 7 == 0) with 4 impossible days each (0, 366 or 367 twice, 999); 0 alone is no date
    assert report.impossible == {"drupmj": 143 * 4 - 1}
    assert dates[1 + _julian_edges().index(124060)] == dt.date(2024, 2, 29)
    assert dates[1 + _julian_edges().index(100060)] == dt.date(2000, 2, 29)
    assert dates[1 + _julian_edges().index(200060)] == dt.date(2100, 3, 1)


def test_strip_both_columns_trims_leading_blanks(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    _copy(source, pg_engine, strip_both_columns=["DRKY", "drdl01"])
    rows = dict(query_rows(pg_engine, f"SELECT drky, drdl01 FROM {T}.f0005 WHERE drrt = 'ZZ'"))
    assert rows["10"] == "Ten" and rows["A1"] == "lead and trail"
    # numeric UDC keys of the generator are right-justified in the source, stripped here
    assert not query_rows(pg_engine, f"SELECT drky FROM {T}.f0005 WHERE drky <> btrim(drky)")


@pytest.mark.parametrize(
    ("mode", "salary", "rate"), [("truncate", "123.45", "26.923"), ("preserve", "123.456789", "26.923")]
)
def test_implied_decimals(
    source: JdeHook, pg_engine: sa.Engine, mode: str, salary: str, rate: str, query_rows: Callable[..., list[tuple]]
) -> None:
    _copy(source, pg_engine, source_schema="data", source_table="F060116", decimal_mode=mode)
    (row,) = query_rows(pg_engine, f"SELECT yasal, yaphrt, yaan8 FROM {T}.f060116 WHERE yaan8 = 9999")
    assert row == (Decimal(salary), Decimal(rate), Decimal(9999))
    # truncated, not rounded (123.456789 would round to 123.46); YASAL = 5500000 + (AN8 % 10) * 100000
    assert query_rows(pg_engine, f"SELECT yasal FROM {T}.f060116 WHERE yaan8 = 1003") == [(Decimal("58000.00"),)]


def test_type_coercion_none_copies_as_is(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    _copy(source, pg_engine, type_coercion="none", columns=["DRSY", "DRRT", "DRKY", "DRUPMJ"], filter="drrt = 'ZZ'")
    rows = query_rows(pg_engine, f"SELECT drky, drupmj FROM {T}.f0005 ORDER BY drky")
    assert ("        10", Decimal(0)) in rows and ("A3        ", Decimal(124060)) in rows  # padding kept
    cols = query_rows(
        pg_engine,
        f"SELECT column_name FROM information_schema.columns WHERE table_schema = '{T}' "
        "AND table_name = 'f0005' ORDER BY ordinal_position",
    )
    assert cols == [("drsy",), ("drrt",), ("drky",), ("drupmj",)]


def test_existing_mirror_table_keeps_its_types(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    """A target created from the nomajde contract (upmt numeric) keeps the HHMMSS number."""
    from airflow_provider_nomasx1.schema import nomajde

    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {T}"))
        nomajde.f0005.create(conn.execution_options(schema_translate_map={None: T}))
    _copy(source, pg_engine, strip_both_columns=["drky"])
    assert query_rows(pg_engine, f"SELECT drupmj, drupmt FROM {T}.f0005 WHERE drky = '10' AND drrt = 'ZZ'") == [
        (None, Decimal(93015))
    ]


# --- modes ------------------------------------------------------------------------------------


def test_overwrite_rerun_is_idempotent_and_keeps_names_and_grants(
    source: JdeHook,
    pg_engine: sa.Engine,
    query_rows: Callable[..., list[tuple]],
    checksum: Callable[..., tuple[int, str]],
) -> None:
    _copy(source, pg_engine, strip_both_columns=["drky"])
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DROP ROLE IF EXISTS nomasx1_sync_reader"))
        conn.execute(sa.text("CREATE ROLE nomasx1_sync_reader"))
        conn.execute(sa.text(f"GRANT SELECT ON {T}.f0005 TO nomasx1_sync_reader"))
        conn.execute(sa.text(f"CREATE INDEX f0005_dl ON {T}.f0005 (drdl01)"))
    first = checksum(pg_engine)
    _copy(source, pg_engine, strip_both_columns=["drky"])
    assert checksum(pg_engine) == first
    indexes = sorted(
        r[0]
        for r in query_rows(
            pg_engine, f"SELECT indexname FROM pg_indexes WHERE schemaname = '{T}' AND tablename = 'f0005'"
        )
    )
    assert indexes == ["f0005_dl", "f0005_pkey"]
    assert query_rows(pg_engine, f"SELECT has_table_privilege('nomasx1_sync_reader', '{T}.f0005', 'SELECT')") == [
        (True,)
    ]
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"REVOKE ALL ON {T}.f0005 FROM nomasx1_sync_reader"))
        conn.execute(sa.text("DROP ROLE nomasx1_sync_reader"))


def test_append_and_upsert(
    source: JdeHook, pg_engine: sa.Engine, source_url: URL, query_rows: Callable[..., list[tuple]]
) -> None:
    rep = _copy(source, pg_engine, mode="append", filter="drrt = 'ZZ' AND drky < 'A3'", target_table="udc_log")
    assert rep.rows_copied == 3 and rep.target_rows == 3
    rep = _copy(source, pg_engine, mode="append", filter="drrt = 'ZZ' AND drky >= 'A3'", target_table="udc_log")
    assert rep.target_rows == 5 and query_rows(pg_engine, f"SELECT count(*) FROM {T}.udc_log") == [(5,)]
    # the target got the source's primary key: appending the same rows again fails and changes nothing
    with pytest.raises(psycopg.errors.UniqueViolation):
        _copy(source, pg_engine, mode="append", filter="drrt = 'ZZ'", target_table="udc_log")
    assert query_rows(pg_engine, f"SELECT count(*) FROM {T}.udc_log") == [(5,)]

    rep = _copy(source, pg_engine, mode="upsert", key=["drsy", "drrt", "drky"], strip_both_columns=["drky"])
    assert rep.target_rows == 94
    admin = sa.create_engine(source_url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text("UPDATE ps920ctl.f0005 SET drdl01 = 'changed' WHERE drky = 'A4'"))
            conn.execute(
                sa.text("INSERT INTO ps920ctl.f0005 (drsy, drrt, drky, drdl01) VALUES ('55', 'ZZ', 'A5', 'new')")
            )
        rep = _copy(source, pg_engine, mode="upsert", key=["drsy", "drrt", "drky"], strip_both_columns=["drky"])
        assert rep.rows_copied == 95 and rep.target_rows == 95
        assert dict(query_rows(pg_engine, f"SELECT drky, drdl01 FROM {T}.f0005 WHERE drky IN ('A4', 'A5')")) == {
            "A4": "changed",
            "A5": "new",
        }
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text("UPDATE ps920ctl.f0005 SET drdl01 = 'eoy' WHERE drky = 'A4'"))
            conn.execute(sa.text("DELETE FROM ps920ctl.f0005 WHERE drky = 'A5'"))
        admin.dispose()


# --- no silent zero, clear errors -------------------------------------------------------------


def test_empty_source_refused_unless_allowed(
    source: JdeHook,
    pg_engine: sa.Engine,
    query_rows: Callable[..., list[tuple]],
    checksum: Callable[..., tuple[int, str]],
) -> None:
    _copy(source, pg_engine)
    before = checksum(pg_engine)
    with pytest.raises(EmptySourceError, match="allow_empty: true") as info:
        _copy(source, pg_engine, source_schema="emptysrc")
    assert "emptysrc.f0005 is empty" in str(info.value)
    assert checksum(pg_engine) == before
    report = _copy(source, pg_engine, source_schema="emptysrc", allow_empty=True)
    assert report.rows_copied == 0 and query_rows(pg_engine, f"SELECT count(*) FROM {T}.f0005") == [(0,)]


def test_missing_source_table_names_physical_name(source: JdeHook, pg_engine: sa.Engine) -> None:
    with pytest.raises(SourceUnavailableError, match=r"ps920ctl\.f9999 not found"):
        _copy(source, pg_engine, source_table="F9999")
    with pytest.raises(SourceUnavailableError, match=r"nosuch\.f0005"):
        _copy(source, pg_engine, source_schema="nosuch")


def test_sync_table_step(source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]) -> None:
    class Target:
        engine = pg_engine

    def factory(role: str, conn_id: str) -> object:
        return source if role == "jde" else Target()

    ctx = StepContext(
        dag_id="nomajde-daily-sync",
        step="F0005",
        run_id="manual__1",
        params={"source_connector": "jdedwards", "target_connector": "nomajde", "target_schema": "mirror1"},
        log=LOG,
        hook_factory=factory,
        step_options={"source_schema": "control", "source_table": "F0005", "strip_both_columns": ["DRKY"]},
    )
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA mirror1"))  # the sync never creates its schema
    sync_table(ctx)
    assert ctx.result.rows == {"f0005": 94}
    assert "copied 94" in ctx.result.message
    assert query_rows(pg_engine, "SELECT rows, run_id FROM mirror1.mirror_refresh WHERE table_name = 'f0005'") == [
        (94, "manual__1")
    ]


def test_impossible_dates_and_times_are_null_and_counted(
    source: JdeHook,
    pg_engine: sa.Engine,
    caplog: pytest.LogCaptureFixture,
    query_rows: Callable[..., list[tuple]],
) -> None:
    """Issue 10 item 4: an impossible HHMMSS (999999) is written as NULL, counted per column in the
    step's message, details and log, in the same copy (no second pass)."""

    class Target:
        engine = pg_engine

    ctx = StepContext(
        dag_id="nomajde-daily-sync",
        step="F0005",
        run_id="manual__2",
        params={"source_connector": "jdedwards", "target_connector": "nomajde", "target_schema": T},
        log=LOG,
        hook_factory=lambda role, conn_id: source if role == "jde" else Target(),
        step_options={"source_schema": "faulty", "source_table": "F0005"},
    )
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {T}"))
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        sync_table(ctx)
    assert ctx.result.rows == {"f0005": FAULT_ROWS}
    assert ctx.result.details["impossible_values"] == {"drupmj": 0, "drupmt": 1}
    assert ctx.result.message.endswith("; impossible JDE dates/times written as NULL: drupmt 1")
    assert "1 impossible JDE time value(s) in drupmt written as NULL" in caplog.text
    assert query_rows(pg_engine, f"SELECT drky, drupmj, drupmt FROM {T}.f0005 WHERE drupmt IS NULL") == [
        (f"{FAULT_ROWS:>10}", dt.date(2025, 1, 1), None)
    ]


# --- faults: the previous snapshot survives, readers never see an empty or partial table -------


class _Reader(threading.Thread):
    """Polls count(*) of the target on its own connection while a copy runs."""

    def __init__(self, url: URL, table: str) -> None:
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        self.table, self.counts, self.errors = table, set(), []
        self.stop = threading.Event()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                try:
                    self.counts.add(conn.execute(sa.text(f"SELECT count(*) FROM {self.table}")).scalar_one())
                except Exception as exc:
                    self.errors.append(exc)
                time.sleep(0.002)

    def finish(self) -> set[int]:
        self.stop.set()
        self.join(10)
        self.engine.dispose()
        return self.counts


def test_late_failure_keeps_previous_snapshot(
    source: JdeHook,
    pg_engine: sa.Engine,
    pg_url: URL,
    query_rows: Callable[..., list[tuple]],
    checksum: Callable[..., tuple[int, str]],
) -> None:
    good = "drupmt <> 999999"
    _copy(source, pg_engine, source_schema="faulty", filter=good)
    # the last source row holds HHMMSS 999999, an impossible time: NULL under the rule of issue 10
    # item 4 (it used to fail make_time); a target constraint refusing NULL makes it fail late now
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {T}.f0005 ADD CONSTRAINT drupmt_known CHECK (drupmt IS NOT NULL)"))
    before = checksum(pg_engine)
    assert before[0] == FAULT_ROWS - 1
    reader = _Reader(pg_url, f"{T}.f0005")
    reader.start()
    try:
        # the stage (LIKE the target, constraints included) refuses it after ~30k rows were streamed
        with pytest.raises(psycopg.errors.CheckViolation, match="drupmt_known"):
            _copy(source, pg_engine, source_schema="faulty")
        _copy(source, pg_engine, source_schema="faulty", filter=good)  # a successful swap under the reader
    finally:
        counts = reader.finish()
    assert counts == {FAULT_ROWS - 1} and not reader.errors
    assert checksum(pg_engine) == before
    assert query_rows(pg_engine, "SELECT to_regclass(:t)", t=f"{T}.f0005__stage") == [(None,)]


def test_writer_failure_mid_stream_keeps_previous_snapshot(
    source: JdeHook,
    pg_engine: sa.Engine,
    query_rows: Callable[..., list[tuple]],
    checksum: Callable[..., tuple[int, str]],
) -> None:
    _copy(source, pg_engine, source_schema="faulty", filter="drupmt <> 999999")
    before = checksum(pg_engine)

    class Failing(Progress):
        """The copy's progress hook (called every PROGRESS_EVERY rows read): fails the stream."""

        def advance(self, rows: int) -> None:
            super().advance(rows)
            if self.done >= 5000:
                raise RuntimeError("injected failure after 5000 rows")

    def failing(label: str, total: int | None) -> Progress:
        return Failing(LOG, label, total)

    with pytest.raises(RuntimeError, match="injected"):
        _copy(source, pg_engine, progress=failing, source_schema="faulty", filter="drupmt <> 999999")
    assert checksum(pg_engine) == before
    assert query_rows(pg_engine, "SELECT to_regclass(:t)", t=f"{T}.f0005__stage") == [(None,)]
    # the source connection is reusable after the aborted COPY
    assert _copy(source, pg_engine, source_schema="faulty", filter="drupmt <> 999999").rows_copied == FAULT_ROWS - 1


_KILL_SCRIPT = textwrap.dedent(
    """
    import logging, sys, time
    import sqlalchemy as sa
    from airflow_provider_nomasx1.collectors import sync
    from airflow_provider_nomasx1.hooks.jde import JdeHook

    class Slow:  # the copy's progress hook: at the first update (rows streaming), say so and stall
        started = False
        def advance(self, rows):
            if not self.started:
                self.started = True
                print("LOADING", flush=True)
                time.sleep(30)
        def finish(self):
            pass
    engine = sa.create_engine(sys.argv[1])
    options = {"source_schema": "faulty", "source_table": "F0005", "filter": "drupmt <> 999999"}
    spec = sync.CopySpec.from_options(options)
    log = logging.getLogger("kill")
    sync.copy_table(JdeHook("jdedwards"), engine, "tgt", spec, log=log, progress=lambda label, total: Slow())
    print("FINISHED", flush=True)
    """
)


def test_killed_process_keeps_previous_snapshot(
    source: JdeHook,
    pg_engine: sa.Engine,
    pg_url: URL,
    query_rows: Callable[..., list[tuple]],
    checksum: Callable[..., tuple[int, str]],
) -> None:
    _copy(source, pg_engine)  # previous snapshot: the 94 rows of ps920ctl.f0005
    before = checksum(pg_engine)
    env = {**os.environ, **_url_env(source.url)}
    target = pg_url.update_query_dict({"application_name": "nomasx1_kill_test"})
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, target.render_as_string(hide_password=False)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "LOADING", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 20
    while query_rows(
        pg_engine, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nomasx1_kill_test'"
    ) != [(0,)]:
        assert time.monotonic() < deadline, "the killed client's backend did not end"
        time.sleep(0.05)
    assert checksum(pg_engine) == before
    # a leftover stage (e.g. from an older run) is dropped by the next run
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {T}.f0005__stage (junk int)"))
    report = _copy(source, pg_engine, source_schema="faulty", filter="drupmt <> 999999")
    assert report.target_rows == FAULT_ROWS - 1
    assert query_rows(pg_engine, "SELECT to_regclass(:t)", t=f"{T}.f0005__stage") == [(None,)]


# --- the target schema must exist ----------------------------------------------------------------


def test_missing_target_schema_fails_and_creates_nothing(
    source: JdeHook, pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    class Target:
        engine = pg_engine

    ctx = StepContext(
        dag_id="nomajde-daily-sync",
        step="SYNC_F0005",
        run_id="manual__typo",
        params={"source_connector": "jdedwards", "target_connector": "nomajde", "target_schema": "nomajdx"},
        log=LOG,
        hook_factory=lambda role, conn_id: source if role == "jde" else Target(),
        step_options={"source_schema": "control", "source_table": "F0005"},
    )
    with pytest.raises(ConfigurationError) as info:
        sync_table(ctx)
    message = str(info.value)
    assert "mirror schema 'nomajdx' does not exist" in message
    assert f"database {pg_engine.url.database!r} of connection 'nomajde'" in message
    assert "deploy-databases" in message and 'CREATE SCHEMA "nomajdx"' in message
    assert "nomasx1-init-schema-1" not in message  # the nomasx1 install job does not make a mirror
    assert query_rows(pg_engine, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nomajdx'") == [(0,)]
    with pytest.raises(ConfigurationError, match="mirror schema 'tgt' does not exist"):
        _copy(source, pg_engine, create_schema=False)  # the engine itself, without a step context
    assert query_rows(pg_engine, f"SELECT count(*) FROM pg_namespace WHERE nspname = '{T}'") == [(0,)]


def test_deploy_databases_creates_the_mirror_schema(
    pg_engine: sa.Engine, query_rows: Callable[..., list[tuple]]
) -> None:
    from airflow_provider_nomasx1.collectors import db

    class Target:
        engine = pg_engine

    ctx = StepContext(
        dag_id="deploy-databases",
        step="INIT_MIRROR_NOMAJDE",
        run_id="manual__deploy",
        params={"mirror_connector": "nomajde", "mirror_schema": "nomajde"},
        log=LOG,
        hook_factory=lambda role, conn_id: Target(),
    )
    db.init_mirror(ctx)
    assert ctx.result.message == "mirror schema nomajde created (connection nomajde)"
    tables = query_rows(pg_engine, "SELECT tablename FROM pg_tables WHERE schemaname = 'nomajde' ORDER BY 1")
    assert ("collect_audit",) in tables and ("mirror_refresh",) in tables
    db.init_mirror(ctx)
    assert ctx.result.message == "mirror schema nomajde left unchanged (connection nomajde)"

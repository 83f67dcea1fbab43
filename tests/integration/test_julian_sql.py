"""JDE Julian (CYYDDD) dates and HHMMSS times in SQL on real PostgreSQL: the SQL helpers and the
session functions agree with the Python rule on the one table of cases (support/jde_rule_cases.py)."""

from __future__ import annotations

import sqlalchemy as sa
from support.jde_rule_cases import HHMMSS_CASES, HHMMSS_TEXT_CASES, JULIAN_CASES, JULIAN_TEXT_CASES

from airflow_provider_nomasx1.jde.julian import (
    date_to_julian_sql,
    from_hhmmss,
    from_julian,
    hhmmss_impossible_sql,
    hhmmss_to_time_sql,
    julian_impossible_sql,
    julian_to_date_sql,
)
from airflow_provider_nomasx1.jde.session_functions import count_impossible_dates, create_session_functions


def test_sql_helpers_agree_with_python(pg_engine: sa.Engine) -> None:
    values = [0, 1, 99001, 99365, 100060, 100366, 113338, 124001, 124060, 124366, 125181, 200365]
    times = [0, 1, 59, 100, 93015, 154030, 235959]
    with pg_engine.connect() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE j (v numeric(6,0), t numeric(6,0))")
        conn.execute(
            sa.text("INSERT INTO j VALUES (:v, :t)"),
            [{"v": v, "t": times[i % len(times)]} for i, v in enumerate(values)],
        )
        rows = conn.exec_driver_sql(
            f"SELECT v, {julian_to_date_sql('v')}, {date_to_julian_sql(julian_to_date_sql('v'))}, "
            f"t, {hhmmss_to_time_sql('t')} FROM j ORDER BY v"
        ).all()
    assert [int(r[0]) for r in rows] == sorted(values)
    for v, day, back, t, clock in rows:
        assert day == from_julian(v)
        assert back == int(v)  # NULL (no date) goes back to 0
        assert clock == from_hhmmss(t)


def _text_cases() -> tuple[list[tuple[str, object, bool]], list[tuple[str, object, bool]]]:
    dates = [(str(v), day, bad) for v, day, bad in JULIAN_CASES] + JULIAN_TEXT_CASES
    times = [(str(v), clock, bad) for v, clock, bad in HHMMSS_CASES] + HHMMSS_TEXT_CASES
    return dates, times


def test_session_functions_follow_the_case_table(pg_engine: sa.Engine) -> None:
    """pg_temp.jde_date / jde_time (the security collection's readers) on real PostgreSQL, the
    impossible-date counter of a TEMP table, and the functions stay inlined (one expression)."""
    dates, times = _text_cases()
    raw = pg_engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        create_session_functions(cur)
        cur.execute("CREATE TEMP TABLE src_cases (n int, d text, t text, junk text)")
        rows = [(n, v, None, None) for n, (v, _, _) in enumerate(dates)]
        rows += [(1000 + n, None, v, "0") for n, (v, _, _) in enumerate(times)]
        cur.executemany("INSERT INTO src_cases VALUES (%s, %s, %s, %s)", rows)
        got = dict(cur.execute("SELECT n, pg_temp.jde_date(d) FROM src_cases WHERE n < 1000").fetchall())
        assert got == {n: day for n, (_, day, _) in enumerate(dates)}
        got = dict(cur.execute("SELECT n - 1000, pg_temp.jde_time(t) FROM src_cases WHERE n >= 1000").fetchall())
        assert got == {n: clock for n, (_, clock, _) in enumerate(times)}
        counts = count_impossible_dates(cur, "src_cases", ["d", "junk"])
        assert counts == {"d": sum(bad for _, _, bad in dates), "junk": 0}
        assert counts["d"] == 8  # 123366, 125000, 200366, 124999, -1, -124001, 1124001, 124060.5
        plan = "\n".join(r[0] for r in cur.execute("EXPLAIN VERBOSE SELECT pg_temp.jde_date(d) FROM src_cases"))
        assert "jde_date" not in plan and "make_date" in plan, plan  # inlined, not called per row
    finally:
        raw.close()


def test_numeric_sql_helpers_follow_the_case_table(pg_engine: sa.Engine) -> None:
    """The generic numeric spellings (any numeric column, fractions and 7 digits included)."""
    with pg_engine.connect() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE c (n int, d numeric, t numeric)")
        conn.execute(
            sa.text("INSERT INTO c VALUES (:n, :d, :t)"),
            [{"n": n, "d": v, "t": None} for n, (v, _, _) in enumerate(JULIAN_CASES)]
            + [{"n": 1000 + n, "d": None, "t": v} for n, (v, _, _) in enumerate(HHMMSS_CASES)],
        )
        rows = conn.exec_driver_sql(
            f"SELECT n, {julian_to_date_sql('d')}, {julian_impossible_sql('d')}, {hhmmss_to_time_sql('t')}, "
            f"{hhmmss_impossible_sql('t')} FROM c ORDER BY n"
        ).all()
    for n, day, bad_day, clock, bad_clock in rows:
        if n < 1000:
            assert (day, bad_day) == JULIAN_CASES[n][1:], JULIAN_CASES[n]
        else:
            assert (clock, bad_clock) == HHMMSS_CASES[n - 1000][1:], HHMMSS_CASES[n - 1000]

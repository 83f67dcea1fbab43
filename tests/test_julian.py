"""JDE Julian (CYYDDD) dates and HHMMSS times: pure conversions and their SQL twins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.errors import Nomasx1Error
from airflow_provider_nomasx1.jde.julian import (
    MAX_DATE,
    MIN_DATE,
    JdeValueError,
    date_to_julian_sql,
    from_hhmmss,
    from_julian,
    hhmmss_to_time_sql,
    is_julian,
    julian_to_date_sql,
    to_datetime,
    to_hhmmss,
    to_julian,
)


@pytest.mark.parametrize(
    ("julian", "day"),
    [
        (124001, dt.date(2024, 1, 1)),
        (99001, dt.date(1999, 1, 1)),
        (113338, dt.date(2013, 12, 4)),
        (1, dt.date(1900, 1, 1)),
        (100060, dt.date(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        (100366, dt.date(2000, 12, 31)),
        (124060, dt.date(2024, 2, 29)),
        (124366, dt.date(2024, 12, 31)),
        (125365, dt.date(2025, 12, 31)),
        (125060, dt.date(2025, 3, 1)),
        (899365, dt.date(2799, 12, 31)),
        (999365, dt.date(2899, 12, 31)),
    ],
)
def test_julian_round_trip(julian: int, day: dt.date) -> None:
    assert from_julian(julian) == day
    assert to_julian(day) == julian


def test_zero_and_null_mean_no_date() -> None:
    assert from_julian(0) is None
    assert from_julian(Decimal("0")) is None
    assert from_julian(None) is None
    assert to_julian(None) == 0
    assert to_datetime(0, 93015) is None


def test_database_number_types_are_accepted() -> None:
    assert from_julian(Decimal("124001")) == dt.date(2024, 1, 1)
    assert from_julian(Decimal("124001.000000")) == dt.date(2024, 1, 1)  # Oracle NUMBER as seen in SQL
    assert from_julian(124001.0) == dt.date(2024, 1, 1)
    assert from_hhmmss(Decimal("93015")) == dt.time(9, 30, 15)


def test_datetime_uses_its_date_part() -> None:
    assert to_julian(dt.datetime(2024, 1, 1, 23, 59)) == 124001
    assert to_hhmmss(dt.datetime(2024, 1, 1, 9, 30, 15, 999999)) == 93015


def test_every_day_of_four_centuries_round_trips() -> None:
    day = dt.date(1900, 1, 1)
    previous = 0
    while day <= dt.date(2300, 12, 31):
        value = to_julian(day)
        assert value > previous  # CYYDDD order is date order
        assert from_julian(value) == day
        previous = value
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    "bad",
    [
        -1,
        -124001,
        124000,  # day 0
        124367,  # 2024 has 366 days
        125366,  # 2025 has 365 days
        100000,  # day 0 of 2000
        200366,  # 2100 is not a leap year
        124999,
        1000000,
        Decimal("124001.5"),
        124001.25,
        float("nan"),
        True,
        "124001",
        dt.date(2024, 1, 1),
    ],
)
def test_invalid_julian_values_are_rejected(bad: object) -> None:
    with pytest.raises(JdeValueError) as err:
        from_julian(bad)
    assert repr(bad) in str(err.value) or "Julian" in str(err.value)
    assert not is_julian(bad)


def test_julian_error_is_a_value_error_and_names_the_problem() -> None:
    with pytest.raises(ValueError, match=r"day of year 367 does not exist in 2024 \(1\.\.366\)"):
        from_julian(124367)
    with pytest.raises(Nomasx1Error):
        from_julian(-5)


def test_to_julian_range_and_type() -> None:
    assert to_julian(MIN_DATE) == 1
    assert to_julian(MAX_DATE) == 999365
    with pytest.raises(JdeValueError, match="1899-12-31"):
        to_julian(dt.date(1899, 12, 31))
    with pytest.raises(JdeValueError, match="2900-01-01"):
        to_julian(dt.date(2900, 1, 1))
    with pytest.raises(JdeValueError, match="expected a datetime.date"):
        to_julian("2024-01-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "clock"),
    [
        (0, dt.time(0, 0, 0)),
        (1, dt.time(0, 0, 1)),
        (59, dt.time(0, 0, 59)),
        (100, dt.time(0, 1, 0)),
        (93015, dt.time(9, 30, 15)),
        (154030, dt.time(15, 40, 30)),
        (235959, dt.time(23, 59, 59)),
    ],
)
def test_hhmmss_round_trip(number: int, clock: dt.time) -> None:
    assert from_hhmmss(number) == clock
    assert to_hhmmss(clock) == number


def test_every_second_of_a_day_round_trips() -> None:
    seen = set()
    for second in range(0, 86400, 7):
        clock = (dt.datetime(2024, 1, 1) + dt.timedelta(seconds=second)).time()
        number = to_hhmmss(clock)
        assert from_hhmmss(number) == clock
        seen.add(number)
    assert len(seen) == len(range(0, 86400, 7))


@pytest.mark.parametrize("bad", [-1, 240000, 236000, 235960, 6000, 60, 99, 1000000, 93015.5, None, "93015"])
def test_invalid_hhmmss_values_are_rejected(bad: object) -> None:
    with pytest.raises(JdeValueError, match="HHMMSS"):
        from_hhmmss(bad)


def test_to_datetime_combines_date_and_time_columns() -> None:
    assert to_datetime(124001, 93015) == dt.datetime(2024, 1, 1, 9, 30, 15)
    assert to_datetime(Decimal("124060"), None) == dt.datetime(2024, 2, 29, 0, 0, 0)


def test_sql_helpers_reject_unsafe_operands() -> None:
    for bad in ["x; DROP TABLE t", "a -- b", "", "'x'"]:
        with pytest.raises(JdeValueError):
            julian_to_date_sql(bad)
    with pytest.raises(JdeValueError, match="dialect"):
        julian_to_date_sql("rleffdate", dialect="db2")
    assert "TO_DATE" in julian_to_date_sql("RLEFFDATE", dialect="oracle")
    assert "YYYYDDD" in date_to_julian_sql("d", dialect="oracle")
    assert "3600" in hhmmss_to_time_sql("SHUPMT", dialect="oracle")


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

"""JDE Julian (CYYDDD) dates and HHMMSS times: the pure conversions and the SQL spellings' text.

Their SQL twins run on PostgreSQL in tests/integration/test_julian_sql.py, on the same table of
cases (support/jde_rule_cases.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from support.jde_rule_cases import HHMMSS_CASES, JULIAN_CASES

from airflow_provider_nomasx1.errors import Nomasx1Error
from airflow_provider_nomasx1.jde.julian import (
    MAX_DATE,
    MIN_DATE,
    JdeValueError,
    date_to_julian_sql,
    from_hhmmss,
    from_julian,
    hhmmss_to_time_sql,
    is_impossible_hhmmss,
    is_impossible_julian,
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
    # issue 10 item 4: an impossible value is no date (None) under the rule; strict=True rejects it
    with pytest.raises(JdeValueError) as err:
        from_julian(bad, strict=True)
    assert repr(bad) in str(err.value) or "Julian" in str(err.value)
    assert not is_julian(bad)


def test_julian_error_is_a_value_error_and_names_the_problem() -> None:
    with pytest.raises(ValueError, match=r"day of year 367 does not exist in 2024 \(1\.\.366\)"):
        from_julian(124367, strict=True)
    with pytest.raises(Nomasx1Error):
        from_julian(-5, strict=True)


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
        from_hhmmss(bad, strict=True)


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
    assert "LPAD(TO_CHAR(SHUPMT), 6, '0')" in hhmmss_to_time_sql("SHUPMT", dialect="oracle")


# --- issue 10 item 4: one rule, one table of cases, every spelling ------------------------------


@pytest.mark.parametrize(("value", "day", "impossible"), JULIAN_CASES, ids=[repr(c[0]) for c in JULIAN_CASES])
def test_python_julian_rule_follows_the_case_table(value: object, day: dt.date | None, impossible: bool) -> None:
    assert from_julian(value) == day
    assert is_impossible_julian(value) is impossible
    assert is_julian(value) is not impossible
    if impossible:
        with pytest.raises(JdeValueError, match="Invalid JDE Julian date"):
            from_julian(value, strict=True)
    else:
        assert from_julian(value, strict=True) == day


@pytest.mark.parametrize(("value", "clock", "impossible"), HHMMSS_CASES, ids=[repr(c[0]) for c in HHMMSS_CASES])
def test_python_hhmmss_rule_follows_the_case_table(value: object, clock: dt.time | None, impossible: bool) -> None:
    assert from_hhmmss(value) == clock
    assert is_impossible_hhmmss(value) is impossible
    if impossible:
        with pytest.raises(JdeValueError, match="Invalid JDE HHMMSS time"):
            from_hhmmss(value, strict=True)
    else:
        assert from_hhmmss(value, strict=True) == clock


def test_null_and_non_numbers() -> None:
    assert from_hhmmss(None) is None and not is_impossible_hhmmss(None)  # SQL NULL -> NULL
    assert not is_impossible_julian(None) and not is_impossible_julian(0)
    for not_a_number in (True, "124001", dt.date(2024, 1, 1)):  # a caller's mistake, not JDE data
        with pytest.raises(JdeValueError, match="expected a number"):
            from_julian(not_a_number)
        with pytest.raises(JdeValueError, match="expected a number"):
            is_impossible_hhmmss(not_a_number)


def test_to_datetime_with_an_impossible_part_is_none() -> None:
    assert to_datetime(123366, 93015) is None
    assert to_datetime(124001, 240000) is None
    with pytest.raises(JdeValueError, match="235959"):
        to_datetime(124001, 240000, strict=True)
    assert to_datetime(124001, 0) == dt.datetime(2024, 1, 1)


def test_oracle_spellings_hold_the_rule() -> None:
    day = julian_to_date_sql("RLEFFDATE", dialect="oracle")
    assert "MOD(RLEFFDATE, 1000) BETWEEN 1 AND 365" in day and "MOD((1900 + TRUNC(RLEFFDATE / 1000)), 400) = 0" in day
    assert "RLEFFDATE = TRUNC(RLEFFDATE)" in day and "BETWEEN 1 AND 999999" in day
    clock = hhmmss_to_time_sql("SHUPMT", dialect="oracle")
    assert "MOD(SHUPMT, 10000) < 6000" in clock and "MOD(SHUPMT, 100) < 60" in clock and "BETWEEN 0 AND 235959" in clock

"""JDE Julian dates (``CYYDDD``) and ``HHMMSS`` times: pure conversions and SQL expression helpers.

JD Edwards stores dates as numbers ``CYYDDD``: ``year = 1900 + value // 1000`` and
``day of year = value % 1000`` (124001 = 2024-01-01, 99001 = 1999-01-01); ``0`` means "no date".
Times are numbers ``HHMMSS`` without leading zeros (93015 = 09:30:15).

Values read from a database arrive as ``int``, ``Decimal`` (Oracle ``NUMBER``, PostgreSQL
``numeric``) or sometimes ``float``; all are accepted when they hold a whole number. Anything
else (fractions, negatives, day 0 or 367, hour 24, bools, strings) raises :class:`JdeValueError`
with a message that names the value and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from numbers import Integral

from airflow_provider_nomasx1.errors import Nomasx1Error

#: earliest and latest dates a CYYDDD number can hold (C is one digit: 0..9)
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2899, 12, 31)

_UNSAFE_SQL = re.compile(r"(;|--|/\*|')")


class JdeValueError(Nomasx1Error, ValueError):
    """A number that is not a valid JDE Julian date or HHMMSS time (or a date/time out of range)."""


def _whole_number(value: object, what: str) -> int:
    """``value`` as an int when it is a whole number (int, Decimal, float), else JdeValueError."""
    if isinstance(value, bool):
        raise JdeValueError(f"Invalid JDE {what} {value!r}: expected a number, got a boolean.")
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, (Decimal, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise JdeValueError(f"Invalid JDE {what} {value!r}: not a finite number.")
        if value != int(value):
            raise JdeValueError(f"Invalid JDE {what} {value!r}: expected a whole number.")
        return int(value)
    raise JdeValueError(f"Invalid JDE {what} {value!r}: expected a number, got {type(value).__name__}.")


def _days_in_year(year: int) -> int:
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def is_julian(value: object) -> bool:
    """True when ``value`` is 0 or a valid ``CYYDDD`` number."""
    try:
        from_julian(value)
    except JdeValueError:
        return False
    return True


def to_julian(value: dt.date | None) -> int:
    """``date`` -> ``CYYDDD`` (``None`` -> 0, JDE's "no date"). A datetime uses its date part."""
    if value is None:
        return 0
    if not isinstance(value, dt.date):
        raise JdeValueError(f"Cannot convert {value!r} to a JDE Julian date: expected a datetime.date.")
    if isinstance(value, dt.datetime):
        value = value.date()
    if not (MIN_DATE <= value <= MAX_DATE):
        raise JdeValueError(
            f"Cannot convert {value.isoformat()} to a JDE Julian date: CYYDDD holds dates from "
            f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}."
        )
    return (value.year - 1900) * 1000 + value.timetuple().tm_yday


def from_julian(value: object) -> dt.date | None:
    """``CYYDDD`` -> ``date``; 0 (and NULL) -> ``None``. Rejects negatives, fractions and bad days."""
    if value is None:
        return None
    number = _whole_number(value, "Julian date")
    if number == 0:
        return None
    if number < 0 or number > 999999:
        raise JdeValueError(
            f"Invalid JDE Julian date {value!r}: expected 0 (no date) or a number CYYDDD between 1 and 999999."
        )
    year, day = 1900 + number // 1000, number % 1000
    if not 1 <= day <= _days_in_year(year):
        raise JdeValueError(
            f"Invalid JDE Julian date {value!r}: day of year {day} does not exist in {year} (1..{_days_in_year(year)})."
        )
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def to_hhmmss(value: dt.time | dt.datetime | None) -> int:
    """``time`` -> ``HHMMSS`` number (``None`` -> 0); microseconds are dropped."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        value = value.time()
    if not isinstance(value, dt.time):
        raise JdeValueError(f"Cannot convert {value!r} to a JDE HHMMSS time: expected a datetime.time.")
    return value.hour * 10000 + value.minute * 100 + value.second


def from_hhmmss(value: object) -> dt.time:
    """``HHMMSS`` number -> ``time`` (0 -> midnight). Rejects hours > 23, minutes/seconds > 59."""
    if value is None:
        raise JdeValueError("Invalid JDE HHMMSS time None: expected a number between 0 and 235959.")
    number = _whole_number(value, "HHMMSS time")
    if not 0 <= number <= 235959:
        raise JdeValueError(f"Invalid JDE HHMMSS time {value!r}: expected a number between 0 and 235959.")
    hours, rest = divmod(number, 10000)
    minutes, seconds = divmod(rest, 100)
    if minutes > 59 or seconds > 59:
        raise JdeValueError(
            f"Invalid JDE HHMMSS time {value!r}: {hours:02d}:{minutes:02d}:{seconds:02d} is not a time "
            "(minutes and seconds must be 0..59)."
        )
    return dt.time(hours, minutes, seconds)


def to_datetime(julian: object, hhmmss: object = 0) -> dt.datetime | None:
    """Date + time columns (e.g. ``SHUPMJ`` + ``SHUPMT``) -> naive ``datetime``; no date -> ``None``."""
    day = from_julian(julian)
    if day is None:
        return None
    return dt.datetime.combine(day, from_hhmmss(hhmmss or 0))


# --- SQL expression helpers -------------------------------------------------------------------


def _operand(expr: str) -> str:
    """Accept a column name or an SQL expression we built (never user input), parenthesised."""
    if not isinstance(expr, str) or not expr.strip() or _UNSAFE_SQL.search(expr):
        raise JdeValueError(
            f"Unsupported SQL operand {expr!r}: pass a column name or an expression without ';', quotes or comments."
        )
    return f"({expr})"


def julian_to_date_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning a ``CYYDDD`` column into a DATE (0 -> NULL) for ``postgresql`` or ``oracle``."""
    e = _operand(expr)
    if dialect == "postgresql":
        return (
            f"CASE WHEN {e} IS NULL OR {e} = 0 THEN NULL ELSE "
            f"(make_date((1900 + div({e}, 1000))::int, 1, 1) + (mod({e}, 1000)::int - 1)) END"
        )
    if dialect == "oracle":
        return f"CASE WHEN {e} IS NULL OR {e} = 0 THEN NULL ELSE TO_DATE(TO_CHAR(1900000 + {e}), 'YYYYDDD') END"
    raise JdeValueError(f"Unsupported SQL dialect {dialect!r}: use 'postgresql' or 'oracle'.")


def date_to_julian_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning a DATE expression into ``CYYDDD`` (NULL -> 0)."""
    e = _operand(expr)
    if dialect == "postgresql":
        return f"COALESCE((extract(year FROM {e})::int - 1900) * 1000 + extract(doy FROM {e})::int, 0)"
    if dialect == "oracle":
        return f"COALESCE(TO_NUMBER(TO_CHAR({e}, 'YYYYDDD')) - 1900000, 0)"
    raise JdeValueError(f"Unsupported SQL dialect {dialect!r}: use 'postgresql' or 'oracle'.")


def hhmmss_to_time_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning an ``HHMMSS`` column into a TIME (PostgreSQL) or seconds-of-day number (Oracle)."""
    e = _operand(expr)
    if dialect == "postgresql":
        return (
            f"CASE WHEN {e} IS NULL THEN NULL ELSE "
            f"make_time(div({e}, 10000)::int, mod(div({e}, 100), 100)::int, mod({e}, 100)::int) END"
        )
    if dialect == "oracle":
        return f"(TRUNC({e} / 10000) * 3600 + MOD(TRUNC({e} / 100), 100) * 60 + MOD({e}, 100))"
    raise JdeValueError(f"Unsupported SQL dialect {dialect!r}: use 'postgresql' or 'oracle'.")

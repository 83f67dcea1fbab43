"""JDE Julian dates (``CYYDDD``) and ``HHMMSS`` times: THE rule, in Python and in SQL.

JD Edwards stores dates as numbers ``CYYDDD``: ``year = 1900 + value // 1000`` and
``day of year = value % 1000`` (124001 = 2024-01-01, 99001 = 1999-01-01); ``0`` means "no date".
Times are numbers ``HHMMSS`` without leading zeros (93015 = 09:30:15, 0 = midnight).

The rule, decided once for every reader (mirror sync, security collection, Python code):

* Julian date: ``NULL`` and ``0`` -> no date (``None`` / SQL ``NULL``); a whole number CYYDDD from 1
  to 999999 whose day of year exists in its year -> that date; **any other number** (day 0, a day
  past the year's end such as 123366, a negative, 7 digits, a fraction) is *impossible*: no date,
  and counted as an anomaly by the readers (never rolled over into the next year, never an error).
* HHMMSS time: ``NULL`` -> ``NULL``; ``0`` -> 00:00:00 (JDE has no "no time" value: a time is only
  read next to its date, and 0 is what JDE writes at midnight); a whole number 0..235959 whose
  minutes and seconds are 0..59 -> that time; any other number (240000, 236000, 235960, negative,
  7 digits, fraction) is impossible: ``NULL``, counted as an anomaly.

Python: :func:`from_julian` / :func:`from_hhmmss` follow the rule; ``strict=True`` raises
:class:`JdeValueError` naming the value instead of returning ``None`` for an impossible one (for
code that validates data it produced itself, e.g. the synthetic JDE generator's tests).
:func:`is_impossible_julian` / :func:`is_impossible_hhmmss` say whether a value is an anomaly.
Values read from a database arrive as ``int``, ``Decimal`` (Oracle ``NUMBER``, PostgreSQL
``numeric``) or ``float``; something that is not a number at all (bool, str, date) is a
programming error and always raises.

SQL: every SQL spelling is generated here. :func:`julian_int_sql` / :func:`hhmmss_int_sql` are the
rule on a PostgreSQL integer; :func:`jde_integer_sql` turns a numeric column into that integer (-1,
an impossible value, for anything that is not a whole number 0..999999), and
:func:`text_julian_sql` / :func:`text_hhmmss_sql` apply the rule to text columns. The mirror's
coercion (``jde/coercion.py``), the security collection's session functions ``pg_temp.jde_date``
/ ``pg_temp.jde_time`` (``jde/session_functions.py``) and the Oracle spellings are all built from
them; ``tests/support/jde_rule_cases.py`` is one table of cases run through every spelling.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from numbers import Integral

from airflow_provider_nomasx1.errors import Nomasx1Error

#: earliest and latest dates a CYYDDD number can hold (C is one digit: 0..9)
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2899, 12, 31)
#: largest CYYDDD number (six digits) and largest HHMMSS time
MAX_JULIAN = 999999
MAX_HHMMSS = 235959

_UNSAFE_SQL = re.compile(r"(;|--|/\*|')")
_IDENTIFIER = re.compile(r'^(?:[A-Za-z_][A-Za-z0-9_$]*|"[A-Za-z_][A-Za-z0-9_$]*")$')


class JdeValueError(Nomasx1Error, ValueError):
    """A number that is not a valid JDE Julian date or HHMMSS time (or a date/time out of range)."""

    permanent = True  # the source data must change first: no retry (errors.is_permanent)


def _number(value: object, what: str) -> int | str:
    """``value`` as an int when it is a whole number, else the problem (a fraction, NaN: data that
    is impossible). Something that is not a number raises: a caller's mistake, not JDE data."""
    if isinstance(value, bool):
        raise JdeValueError(f"Invalid JDE {what} {value!r}: expected a number, got a boolean.")
    if isinstance(value, Integral):
        return int(value)
    if not isinstance(value, (Decimal, float)):
        raise JdeValueError(f"Invalid JDE {what} {value!r}: expected a number, got {type(value).__name__}.")
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    if not finite:
        return f"Invalid JDE {what} {value!r}: not a finite number."
    if value != int(value):
        return f"Invalid JDE {what} {value!r}: expected a whole number."
    return int(value)


def _days_in_year(year: int) -> int:
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def _julian(value: object) -> dt.date | str | None:
    """The rule: the date, ``None`` (no date) or the problem of an impossible value."""
    if value is None:
        return None
    number = _number(value, "Julian date")
    if isinstance(number, str):
        return number
    if number == 0:
        return None
    if not 1 <= number <= MAX_JULIAN:
        return f"Invalid JDE Julian date {value!r}: expected 0 (no date) or a number CYYDDD between 1 and {MAX_JULIAN}."
    year, day = 1900 + number // 1000, number % 1000
    if not 1 <= day <= _days_in_year(year):
        return (
            f"Invalid JDE Julian date {value!r}: day of year {day} does not exist in {year} (1..{_days_in_year(year)})."
        )
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def from_julian(value: object, *, strict: bool = False) -> dt.date | None:
    """``CYYDDD`` -> ``date``; 0 and NULL -> ``None``; an impossible value -> ``None`` (the rule), or
    :class:`JdeValueError` naming it with ``strict=True``."""
    result = _julian(value)
    if isinstance(result, str):
        if strict:
            raise JdeValueError(result)
        return None
    return result


def is_julian(value: object) -> bool:
    """True when ``value`` is 0 (no date) or a valid ``CYYDDD`` number."""
    try:
        return not isinstance(_julian(value), str)
    except JdeValueError:
        return False


def is_impossible_julian(value: object) -> bool:
    """True when ``value`` is a number that is neither 0 nor a date: an anomaly readers count."""
    return isinstance(_julian(value), str)


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


def to_hhmmss(value: dt.time | dt.datetime | None) -> int:
    """``time`` -> ``HHMMSS`` number (``None`` -> 0); microseconds are dropped."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        value = value.time()
    if not isinstance(value, dt.time):
        raise JdeValueError(f"Cannot convert {value!r} to a JDE HHMMSS time: expected a datetime.time.")
    return value.hour * 10000 + value.minute * 100 + value.second


def _hhmmss(value: object) -> dt.time | str | None:
    """The rule: the time, ``None`` (NULL) or the problem of an impossible value."""
    if value is None:
        return None
    number = _number(value, "HHMMSS time")
    if isinstance(number, str):
        return number
    if not 0 <= number <= MAX_HHMMSS:
        return f"Invalid JDE HHMMSS time {value!r}: expected a number between 0 and {MAX_HHMMSS}."
    hours, rest = divmod(number, 10000)
    minutes, seconds = divmod(rest, 100)
    if minutes > 59 or seconds > 59:
        return (
            f"Invalid JDE HHMMSS time {value!r}: {hours:02d}:{minutes:02d}:{seconds:02d} is not a time "
            "(minutes and seconds must be 0..59)."
        )
    return dt.time(hours, minutes, seconds)


def from_hhmmss(value: object, *, strict: bool = False) -> dt.time | None:
    """``HHMMSS`` number -> ``time`` (0 -> midnight, NULL -> ``None``); an impossible value ->
    ``None`` (the rule), or :class:`JdeValueError` with ``strict=True`` (which also refuses NULL)."""
    if value is None and strict:
        raise JdeValueError(f"Invalid JDE HHMMSS time None: expected a number between 0 and {MAX_HHMMSS}.")
    result = _hhmmss(value)
    if isinstance(result, str):
        if strict:
            raise JdeValueError(result)
        return None
    return result


def is_impossible_hhmmss(value: object) -> bool:
    """True when ``value`` is a number that is no time of day: an anomaly readers count."""
    return isinstance(_hhmmss(value), str)


def to_datetime(julian: object, hhmmss: object = 0, *, strict: bool = False) -> dt.datetime | None:
    """Date + time columns (e.g. ``SHUPMJ`` + ``SHUPMT``) -> naive ``datetime``; no date, or an
    impossible date or time -> ``None`` (``strict=True``: JdeValueError). A NULL time is midnight."""
    day = from_julian(julian, strict=strict)
    clock = from_hhmmss(hhmmss if hhmmss is not None else 0, strict=strict)
    if day is None or clock is None:
        return None
    return dt.datetime.combine(day, clock)


# --- SQL spellings of the rule ------------------------------------------------------------------
#
# PostgreSQL has no way to name a value inside one expression, so every use of a column repeats
# its conversion. The rule is therefore written on a PostgreSQL *integer* (``julian_int_sql``,
# ``hhmmss_int_sql``), cheap to use several times, and the conversion from the source's type is
# separate (``jde_integer_sql``, ``_text_rule``): the mirror computes it once per row in a
# subquery (``jde/coercion.py``), the session functions inline it. The integer must lie in
# -999999..1000000 (both converters guarantee it): the rule then needs no range test of its own,
# a negative value failing the day-of-year (or hour) test, 1000000 having day 0. ``mod()`` rather
# than ``%`` (the same function): the SQL can pass through DBAPI drivers that read ``%`` as a
# placeholder (psycopg, python-oracledb's pyformat, SQLAlchemy's exec_driver_sql).


def _operand(expr: str) -> str:
    """Accept a column name or an SQL expression we built (never user input); expressions are
    parenthesised, plain (or double-quoted) identifiers kept as they are."""
    if not isinstance(expr, str) or not expr.strip() or _UNSAFE_SQL.search(expr):
        raise JdeValueError(
            f"Unsupported SQL operand {expr!r}: pass a column name or an expression without ';', quotes or comments."
        )
    return expr if _IDENTIFIER.match(expr) else f"({expr})"


def _dialect(dialect: str) -> str:
    if dialect not in ("postgresql", "oracle"):
        raise JdeValueError(f"Unsupported SQL dialect {dialect!r}: use 'postgresql' or 'oracle'.")
    return dialect


def _clamped_int(n: str) -> str:
    """``n`` (a whole number, not NULL: ``greatest`` ignores NULLs) as an ``int`` in -1..1000000:
    below 0 -> -1, above 999999 -> 1000000, both impossible for the integer rules; one use of
    ``n``, and never out of the int range."""
    return f"least(greatest({n}, -1), {MAX_JULIAN + 1})::int"


def jde_integer_sql(expr: str, *, digits: int | None = None, whole: bool = False) -> str:
    """PostgreSQL ``int`` of a numeric source value for the integer rules: the value itself when
    it is a whole number of at most six digits, -1 (impossible for both rules) for any other
    number, NULL for NULL.

    :param digits: the column's precision when known; with ``whole`` (scale 0 or an integer type)
        and at most 6 digits the plain cast is enough (no value can be out of range).
    :param whole: the column cannot hold fractions (else a fraction -> -1).
    """
    e = _operand(expr)
    if whole and digits is not None and digits <= 6:
        return f"{e}::int"
    fraction = "" if whole else f" AND {e} = trunc({e})"
    return f"CASE WHEN {e} BETWEEN 0 AND {MAX_JULIAN}{fraction} THEN {e}::int WHEN {e} IS NOT NULL THEN -1 END"


def _text_number(expr: str) -> str:
    """The numeric value of a blank-padded text column (blank -> NULL); text that is not a number
    fails the statement (``invalid input syntax for type numeric``), as a wrong column would."""
    return f"nullif(btrim({_operand(expr)}), '')::numeric"


def _text_rule(expr: str, rule: Callable[[str], str]) -> str:
    """``rule`` applied to a text column: blank -> NULL, a fraction is impossible (both tested once,
    outside the rule, because every use of the value inside it parses the text again)."""
    n = _text_number(expr)
    return f"CASE WHEN {n} = trunc({n}) THEN {rule(f'({_clamped_int(n)})')} END"


def julian_int_sql(i: str, *, on_impossible: str | None = None) -> str:
    """PostgreSQL ``date`` of an integer CYYDDD (see the section comment) under the rule.

    The common case costs one test: ``abs(day * 2 - 366) <= 364`` is ``day BETWEEN 1 AND 365`` with
    the day computed once; day 366 is checked against the leap-year rule only when it occurs.
    :param on_impossible: an SQL expression evaluated once for each impossible (non-zero) value,
        for its side effect (the mirror's anomaly counter); the result stays NULL.
    """
    return _julian_int(_operand(i), on_impossible)


def _julian_int(e: str, on_impossible: str | None = None) -> str:
    """:func:`julian_int_sql` of an expression built here (trusted: may hold quotes)."""
    year = f"(1900 + {e} / 1000)"
    sql = (
        f"CASE WHEN abs(mod({e}, 1000) * 2 - 366) <= 364 "
        f"THEN make_date(1900 + {e} / 1000, 1, 1) + (mod({e}, 1000) - 1) "
        f"WHEN mod({e}, 1000) = 366 AND mod({year}, 4) = 0 AND (mod({year}, 100) <> 0 OR mod({year}, 400) = 0) "
        f"THEN make_date({year}, 12, 31)"
    )
    if on_impossible:
        sql += f" WHEN {e} IS NULL OR {e} = 0 THEN NULL WHEN ({on_impossible}) IS NULL THEN NULL"
    return sql + " END"


def hhmmss_int_sql(i: str, *, on_impossible: str | None = None) -> str:
    """PostgreSQL ``time`` of an integer HHMMSS (see the section comment) under the rule; 0 is
    00:00:00. ``abs(v * 2 - 235959) <= 235959`` is ``v BETWEEN 0 AND 235959`` with ``v`` used once.
    :param on_impossible: as for :func:`julian_int_sql`."""
    return _hhmmss_int(_operand(i), on_impossible)


def _hhmmss_int(e: str, on_impossible: str | None = None) -> str:
    """:func:`hhmmss_int_sql` of an expression built here (trusted: may hold quotes)."""
    sql = (
        f"CASE WHEN abs({e} * 2 - {MAX_HHMMSS}) <= {MAX_HHMMSS} AND mod({e}, 10000) < 6000 AND mod({e}, 100) < 60 "
        f"THEN make_time({e} / 10000, mod({e} / 100, 100), mod({e}, 100)::float8)"
    )
    if on_impossible:
        sql += f" WHEN {e} IS NULL THEN NULL WHEN ({on_impossible}) IS NULL THEN NULL"
    return sql + " END"


def _oracle_julian(e: str) -> str:
    year = f"(1900 + TRUNC({e} / 1000))"
    leap = f"MOD({year}, 4) = 0 AND (MOD({year}, 100) <> 0 OR MOD({year}, 400) = 0)"
    return (
        f"CASE WHEN {e} = TRUNC({e}) AND {e} BETWEEN 1 AND {MAX_JULIAN} AND (MOD({e}, 1000) BETWEEN 1 AND 365 "
        f"OR MOD({e}, 1000) = 366 AND {leap}) THEN TO_DATE(TO_CHAR(1900000 + ({e})), 'YYYYDDD') END"
    )


def _oracle_hhmmss(e: str) -> str:
    # Oracle has no TIME type: 'HH:MI:SS' text, which COPY reads into a PostgreSQL time column
    padded = f"LPAD(TO_CHAR({e}), 6, '0')"
    return (
        f"CASE WHEN {e} = TRUNC({e}) AND {e} BETWEEN 0 AND {MAX_HHMMSS} AND MOD({e}, 10000) < 6000 "
        f"AND MOD({e}, 100) < 60 THEN "
        f"SUBSTR({padded}, 1, 2) || ':' || SUBSTR({padded}, 3, 2) || ':' || SUBSTR({padded}, 5, 2) END"
    )


def julian_to_date_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning a numeric ``CYYDDD`` column into a DATE under the rule (0, NULL and impossible
    values -> NULL) for ``postgresql`` or ``oracle``."""
    if _dialect(dialect) == "oracle":
        return _oracle_julian(_operand(expr))
    return _julian_int(f"({jde_integer_sql(expr)})")


def hhmmss_to_time_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning a numeric ``HHMMSS`` column into a TIME (PostgreSQL) or ``'HH:MI:SS'`` text
    (Oracle, which has no TIME type) under the rule (NULL and impossible values -> NULL)."""
    if _dialect(dialect) == "oracle":
        return _oracle_hhmmss(_operand(expr))
    return _hhmmss_int(f"({jde_integer_sql(expr)})")


def julian_impossible_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL condition true when a numeric column holds an impossible Julian date (non-zero, no date)."""
    e = _operand(expr)
    return f"({e} IS NOT NULL AND {e} <> 0 AND {julian_to_date_sql(expr, dialect)} IS NULL)"


def hhmmss_impossible_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL condition true when a numeric column holds an impossible HHMMSS time (non-NULL, no time)."""
    e = _operand(expr)
    return f"({e} IS NOT NULL AND {hhmmss_to_time_sql(expr, dialect)} IS NULL)"


def text_julian_sql(expr: str) -> str:
    """PostgreSQL DATE of a text column holding a CYYDDD number (blank, 0, impossible -> NULL):
    the body of the session function ``pg_temp.jde_date``."""
    return _text_rule(expr, _julian_int)


def text_hhmmss_sql(expr: str) -> str:
    """PostgreSQL TIME of a text column holding an HHMMSS number (blank, impossible -> NULL): the
    body of the session function ``pg_temp.jde_time``."""
    return _text_rule(expr, _hhmmss_int)


def text_julian_impossible_sql(expr: str) -> str:
    """SQL condition true when a text column holds an impossible Julian date (a non-zero number
    that is no date); blank and 0 are not anomalies."""
    return f"({_text_number(expr)} <> 0 AND {text_julian_sql(expr)} IS NULL)"


def date_to_julian_sql(expr: str, dialect: str = "postgresql") -> str:
    """SQL turning a DATE expression into ``CYYDDD`` (NULL -> 0)."""
    e = _operand(expr)
    if _dialect(dialect) == "postgresql":
        return f"COALESCE((extract(year FROM {e})::int - 1900) * 1000 + extract(doy FROM {e})::int, 0)"
    return f"COALESCE(TO_NUMBER(TO_CHAR({e}, 'YYYYDDD')) - 1900000, 0)"

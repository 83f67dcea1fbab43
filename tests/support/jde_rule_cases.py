"""The one table of cases every spelling of the JDE date/time rule must agree on (issue 10, item 4).

Run against the Python functions (tests/unit/test_julian.py), the security collection's session
functions ``pg_temp.jde_date`` / ``pg_temp.jde_time`` on real PostgreSQL
(tests/integration/test_julian_sql.py) and the mirror coercion on real PostgreSQL
(tests/integration/test_coercion_sql.py).

Each case: (value, expected result or None, impossible). ``impossible``: a number that is no date
/ no time, read as NULL and counted as an anomaly; ``0`` is "no date" (not an anomaly) for a Julian
date and midnight for a time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

JULIAN_CASES: list[tuple[object, dt.date | None, bool]] = [
    (0, None, False),  # JDE's "no date"
    (99001, dt.date(1999, 1, 1), False),
    (100001, dt.date(2000, 1, 1), False),
    (124060, dt.date(2024, 2, 29), False),
    (123366, None, True),  # 2023 has 365 days: never rolled over into 2024-01-01
    (125000, None, True),  # day 0: never the eve of January 1st
    (124366, dt.date(2024, 12, 31), False),
    (100366, dt.date(2000, 12, 31), False),  # 2000 is a leap year (divisible by 400)
    (200366, None, True),  # 2100 is not
    (123365, dt.date(2023, 12, 31), False),
    (124999, None, True),
    (1, dt.date(1900, 1, 1), False),
    (999365, dt.date(2899, 12, 31), False),
    (-1, None, True),
    (-124001, None, True),  # negative
    (1124001, None, True),  # 7 digits: CYYDDD has at most 6
    (Decimal("124060.5"), None, True),  # a fraction (only an unconstrained numeric holds one)
]

HHMMSS_CASES: list[tuple[object, dt.time | None, bool]] = [
    (0, dt.time(0, 0, 0), False),  # midnight: JDE has no "no time" value
    (1, dt.time(0, 0, 1), False),
    (100, dt.time(0, 1, 0), False),
    (93015, dt.time(9, 30, 15), False),
    (235959, dt.time(23, 59, 59), False),
    (240000, None, True),  # hour 24
    (236000, None, True),  # minute 60
    (235960, None, True),  # second 60
    (5960, None, True),  # 00:59:60, not 01:00:00
    (-1, None, True),
    (-93015, None, True),  # negative
    (1093015, None, True),  # 7 digits
    (Decimal("93015.5"), None, True),
]

#: text-only inputs (the collectors' TEMP tables hold the source values as text)
JULIAN_TEXT_CASES: list[tuple[str, dt.date | None, bool]] = [
    ("", None, False),
    ("      ", None, False),  # blank (a char column)
    ("  124060 ", dt.date(2024, 2, 29), False),
    ("124060.0", dt.date(2024, 2, 29), False),  # a whole number written with a scale
    ("000000", None, False),
]
HHMMSS_TEXT_CASES: list[tuple[str, dt.time | None, bool]] = [
    ("", None, False),
    ("      ", None, False),
    (" 93015 ", dt.time(9, 30, 15), False),
    ("93015.0", dt.time(9, 30, 15), False),
]


def fits_numeric_6_0(value: object) -> bool:
    """Whether a ``numeric(6,0)`` column (JDE's usual date/time type) can hold the value exactly."""
    return isinstance(value, int) and -999999 <= value <= 999999

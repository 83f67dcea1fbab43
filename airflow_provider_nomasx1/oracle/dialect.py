"""The dialect adapter: the few differences between a real Oracle dictionary and its PostgreSQL
emulation, in one place.

The collectors send the same dictionary SQL to both (docs/database.md, "Testing without
Oracle"): view and column names are Oracle's, unquoted (``v$database`` is a legal identifier in
PostgreSQL), only portable SQL is used (no ``ROWNUM``, no ``LIMIT``, no regular expressions).
What differs is below: how a driver reports a view the user may not read, how values come back
(``NUMBER`` as :class:`~decimal.Decimal`, ``CLOB`` as a LOB object, ``DATE`` without a time
zone), and how the session is told where the dictionary is (the hook's business: Oracle public
synonyms, the emulation's ``search_path``).
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

#: Oracle: ORA-00942 table or view does not exist (what a missing dictionary grant looks like),
#: ORA-01031 insufficient privileges, ORA-04043 object does not exist
_ORACLE_MISSING = ("ORA-00942", "ORA-01031", "ORA-04043")
#: PostgreSQL SQLSTATEs: insufficient_privilege, undefined_table
_POSTGRES_MISSING = ("42501", "42P01")
#: a column the release does not have: ORA-00904 invalid identifier / SQLSTATE undefined_column
_ORACLE_UNKNOWN_COLUMN = "ORA-00904"
_POSTGRES_UNKNOWN_COLUMN = "42703"
#: longest text kept from a CLOB (FEATURE_INFO): the evidence excerpt, not the whole document
MAX_TEXT = 4000
DIALECTS = ("oracle", "emulated")


@dataclass(frozen=True)
class Dialect:
    """``oracle`` (python-oracledb) or ``emulated`` (the dictionary emulated in PostgreSQL)."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in DIALECTS:
            raise ValueError(f"unknown dictionary dialect {self.name!r} (known: {', '.join(DIALECTS)})")

    def cannot_read(self, exc: BaseException) -> bool:
        """True when ``exc`` says the view is not visible to the user (a missing grant)."""
        orig = getattr(exc, "orig", exc)
        if self.name == "emulated":
            return getattr(orig, "sqlstate", None) in _POSTGRES_MISSING
        text = str(orig)
        return any(code in text for code in _ORACLE_MISSING)

    def unknown_column(self, exc: BaseException) -> bool:
        """True when ``exc`` says a column does not exist (an older release: retry its spelling)."""
        orig = getattr(exc, "orig", exc)
        if self.name == "emulated":
            return getattr(orig, "sqlstate", None) == _POSTGRES_UNKNOWN_COLUMN
        return _ORACLE_UNKNOWN_COLUMN in str(orig)

    def value(self, value: Any) -> Any:
        """A dictionary value as Python the loaders expect: integral numbers as int, LOBs as text
        (cut at :data:`MAX_TEXT`), dates as UTC-aware datetimes (Oracle DATE has no zone; the
        dictionary's dates are the database server's clock, stored as given)."""
        if isinstance(value, decimal.Decimal):
            return int(value) if value == value.to_integral_value() else value
        if hasattr(value, "read") and callable(value.read):  # oracledb LOB
            value = value.read()
        if isinstance(value, str):
            return value[:MAX_TEXT]
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value

    def row(self, row: Any) -> tuple[Any, ...]:
        return tuple(self.value(v) for v in row)

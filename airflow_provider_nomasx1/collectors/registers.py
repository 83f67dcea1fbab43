"""What the hand-kept registers share: the SoD exceptions (``collectors/sod/mitigations.py``) and the
licence entitlements (``collectors/licence/entitlements.py``) are rows a person records with the
``nomasx1`` command, not rows a job collects.

Both check a value before it is stored and say what is wrong (:func:`parse_date`, :func:`clean_text`),
cover an inclusive validity window (:func:`within`), number the lines they create
``<PREFIX>-<apps_id>-<n>`` (:func:`generated_ids`), belong to a registered application
(:func:`check_application`), record who made them (:func:`whoami`), and turn a schema older than
their tables into the upgrade to run (:func:`schema_guard`). No Airflow here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.applications import ApplicationNotFoundError
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, sqlstate
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.schema import nomasx1


def parse_date(value: Any, what: str) -> dt.date | None:
    """A date given as a date, a datetime or ``YYYY-MM-DD`` text; None for no value."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigurationError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


def clean_text(value: Any) -> str | None:
    """``value`` as stripped text; None when there is nothing left."""
    text = None if value is None else str(value).strip()
    return text or None


def within(day: Any, start: sa.ColumnElement[Any], end: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """An inclusive validity window: ``start <= day`` and (``end`` is null or ``day <= end``): the
    first and the last day included, open-ended without an end. ``day`` is a date (bound) or an
    SQL expression."""
    on = day if isinstance(day, sa.ColumnElement) else sa.literal(day, sa.Date)
    return sa.and_(start <= on, sa.or_(end.is_(None), on <= end))


def new_last_day(
    label: str, start: dt.date, current_end: dt.date | None, requested: Any, column: str, renewal_hint: str = ""
) -> dt.date:
    """The last day a record is ended on (``requested``, default today), checked: not before its
    first day (a record made in error is deleted instead), and earlier than its current end."""
    last = parse_date(requested, column) or dt.date.today()
    if last < start:
        raise ConfigurationError(
            f"{label} starts on {start}: end it on that day or later, "
            "or, if it was recorded in error, remove it with --delete"
        )
    if current_end is not None and current_end <= last:
        raise ConfigurationError(f"{label} already ends on {current_end}; nothing to change{renewal_hint}")
    return last


def generated_ids(taken: Iterable[str], prefix: str, apps_id: int, count: int = 1) -> list[str]:
    """The next ``count`` ids ``<prefix>-<apps_id>-<n>``, numbered after the highest n among the
    ``taken`` ids (ids chosen by hand, of another shape, do not disturb the numbering)."""
    shape = re.compile(rf"^{re.escape(prefix)}-{apps_id}-(\d+)$")
    numbers = [int(m.group(1)) for m in map(shape.match, taken) if m]
    first = max(numbers, default=0) + 1
    return [f"{prefix}-{apps_id}-{n}" for n in range(first, first + count)]


def ids_like(conn: sa.Connection, id_column: sa.Column[Any], apps_id: int, prefix: str) -> list[str]:
    """The ids of ``id_column``'s table, of application ``apps_id``, shaped ``<prefix>-<apps_id>-...``."""
    apps = id_column.table.c.apps_id
    query = sa.select(id_column).where(apps == apps_id, id_column.like(f"{prefix}-{apps_id}-%"))
    return list(conn.execute(query).scalars())


def check_application(conn: sa.Connection, apps_id: int) -> None:
    """The application is registered (settings_applications), else :class:`ApplicationNotFoundError`."""
    apps = nomasx1.settings_applications
    if conn.execute(sa.select(sa.literal(1)).where(apps.c.apps_id == apps_id)).first() is None:
        raise ApplicationNotFoundError(apps_id)


def whoami() -> str:
    """The login name recorded as ``created_by`` when none is given."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something
        return "unknown"


@contextlib.contextmanager
def schema_guard(schema: str, tables: str = "SoD") -> Iterator[None]:
    """Turn "table does not exist" (a schema older than the ``tables`` register) into what to do."""
    try:
        yield
    except sa.exc.ProgrammingError as exc:
        if sqlstate(exc) != "42P01":
            raise
        raise Nomasx1Error(
            f"schema {schema} has no {tables} tables yet ({str(getattr(exc, 'orig', exc)).splitlines()[0]}): "
            "upgrade it with the nomasx1-upgrade-schema-1 job (or `nomasx1 schema upgrade --url URL`)"
        ) from None


@dataclass(frozen=True)
class RegisterStore:
    """A hand-kept register of one nomasx1 schema, reached through ``engine`` (the stores of the
    SoD exceptions and of the licence entitlements)."""

    engine: sa.Engine
    schema: str = "nomasx1"

    def _connect(self) -> sa.Connection:
        return self.engine.connect().execution_options(schema_translate_map={None: checked(self.schema, "schema")})

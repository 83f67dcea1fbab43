"""SoD mitigations (table ``sod_exceptions``, command ``nomasx1 sod exception``): a user or a role
is allowed to hold one matrix rule's two activities, for a validity window, under a named control,
approved by someone, for a reason.

The SoD engine keeps a conflict that a valid exception covers and marks it mitigated; an expired
exception stops mitigating at the next run. The validity window is inclusive at both ends: an
exception is valid on day D when ``valid_from <= D`` and (``valid_to`` is null or ``D <= valid_to``).
That rule is written once, :func:`mitigates_on`: the SoD step (``sql/sod/sod_details.sql``), the SoD
report and ``nomasx1 sod exception list --valid-on DAY`` all use it.

Exceptions are never deleted to "end" them: :meth:`ExceptionStore.end` sets ``valid_to`` (the last
day the exception mitigates), so past reports stay explainable. Deleting is kept for a record made
in error (``delete=True``). No Airflow here: the CLI and tests call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.collectors.registers import (
    RegisterStore,
    check_application,
    clean_text,
    generated_ids,
    ids_like,
    new_last_day,
    parse_date,
    whoami,
    within,
)
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked
from airflow_provider_nomasx1.pg.locks import xact_lock
from airflow_provider_nomasx1.schema import nomasx1

EXCEPTIONS = nomasx1.sod_exceptions

#: columns of sod_exceptions, in display order
COLUMNS = (
    "apps_id",
    "exception_id",
    "user_id",
    "role_id",
    "process_id",
    "activity1_id",
    "activity2_id",
    "valid_from",
    "valid_to",
    "control_id",
    "approver",
    "justification",
    "created_at",
    "created_by",
)
_COLUMNS = tuple(EXCEPTIONS.c[name] for name in COLUMNS)


class ExceptionNotFoundError(ConfigurationError):
    def __init__(self, apps_id: int, exception_id: str) -> None:
        super().__init__(
            f"exception {exception_id!r} does not exist for application {apps_id}: "
            f"list them with `nomasx1 sod exception list --apps-id {apps_id}`"
        )


def normalise_pair(activity1_id: str, activity2_id: str) -> tuple[str, str]:
    """A matrix pair is unordered: return it smaller id first (as sod_matrix stores it)."""
    a, b = clean_text(activity1_id), clean_text(activity2_id)
    if not a or not b:
        raise ConfigurationError("an exception names a matrix rule: give both --activity1 and --activity2")
    if a == b:
        raise ConfigurationError(f"a rule pairs two different activities, got {a!r} twice")
    return (a, b) if a < b else (b, a)


def mitigates_on(day: Any, exceptions: sa.FromClause = EXCEPTIONS) -> sa.ColumnElement[bool]:
    """THE validity window of a mitigation: valid on ``day`` when ``valid_from <= day`` and
    (``valid_to`` is null or ``day <= valid_to``): first and last day included, open-ended
    without ``valid_to``. ``day`` is a date (bound) or an SQL expression; ``exceptions`` the
    sod_exceptions table or an alias of it."""
    return within(day, exceptions.c.valid_from, exceptions.c.valid_to)


def mitigates_on_sql(alias: str, day_sql: str) -> str:
    """:func:`mitigates_on` as SQL text for the SQL files: the columns of sod_exceptions ``alias`` on
    the day given by the SQL expression ``day_sql`` (e.g. ``{{as_of}}``)."""
    predicate = mitigates_on(sa.literal_column(day_sql), EXCEPTIONS.alias(checked(alias, "alias")))
    return str(predicate.compile(dialect=postgresql.dialect()))


@dataclass(frozen=True)
class ExceptionStore(RegisterStore):
    """The SoD exceptions of one nomasx1 schema, reached through ``engine``."""

    def add(
        self,
        apps_id: int,
        *,
        activity1_id: str,
        activity2_id: str,
        approver: str,
        justification: str,
        user_id: str | None = None,
        role_id: str | None = None,
        process_id: str | None = None,
        valid_from: dt.date | str | None = None,
        valid_to: dt.date | str | None = None,
        control_id: str | None = None,
        exception_id: str | None = None,
        created_by: str | None = None,
        allow_unknown_principal: bool = False,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        """Record an exception after checking it; returns the stored row.

        ``valid_from`` defaults to today; ``exception_id`` to ``EXC-<apps_id>-<n>`` (next free n).
        A user or role that the last security collection does not know is refused (a typo would
        silently mitigate nothing) unless ``allow_unknown_principal``.
        """
        user_id, role_id = clean_text(user_id), clean_text(role_id)
        if bool(user_id) == bool(role_id):
            raise ConfigurationError(
                "an exception covers exactly one principal: give --user USER_ID or --role ROLE_ID (not both)"
            )
        first, second = normalise_pair(activity1_id, activity2_id)
        start = parse_date(valid_from, "valid_from") or today or dt.date.today()
        end = parse_date(valid_to, "valid_to")
        if end is not None and end < start:
            raise ConfigurationError(f"valid_to {end} is before valid_from {start}: the window would be empty")
        approver, justification = clean_text(approver), clean_text(justification)
        if not approver:
            raise ConfigurationError("an exception needs the person who approved it: --approver NAME")
        if not justification:
            raise ConfigurationError("an exception needs its business reason: --justification TEXT")
        exception_id = clean_text(exception_id)
        values = {
            "apps_id": apps_id,
            "user_id": user_id,
            "role_id": role_id,
            "activity1_id": first,
            "activity2_id": second,
            "valid_from": start,
            "valid_to": end,
            "control_id": clean_text(control_id),
            "approver": approver,
            "justification": justification,
            "created_by": clean_text(created_by) or whoami(),
        }
        with self._connect() as conn, conn.begin():
            check_application(conn, apps_id)
            values["process_id"] = self._rule_process(conn, apps_id, first, second, clean_text(process_id))
            if not allow_unknown_principal:
                self._check_principal(conn, apps_id, user_id, role_id)
            # one writer at a time per application: the next generated number is read then used
            xact_lock(conn, "sod_mitigations", apps_id)
            if exception_id is None:
                exception_id = self._next_id(conn, apps_id)
            elif self._get(conn, apps_id, exception_id) is not None:
                raise ConfigurationError(
                    f"exception {exception_id!r} already exists for application {apps_id}: choose another --id, "
                    "or leave --id out to have one generated"
                )
            values["exception_id"] = exception_id
            conn.execute(EXCEPTIONS.insert().values(**values))
            return self._get(conn, apps_id, exception_id)

    def show(self, apps_id: int, exception_id: str) -> dict[str, Any]:
        with self._connect() as conn:
            row = self._get(conn, apps_id, exception_id)
        if row is None:
            raise ExceptionNotFoundError(apps_id, exception_id)
        return row

    def list(
        self,
        apps_id: int | None = None,
        *,
        valid_on: dt.date | str | None = None,
        user_id: str | None = None,
        role_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Exceptions, optionally of one application, valid on a date, of a user or of a role."""
        e = EXCEPTIONS.c
        query = sa.select(*_COLUMNS).order_by(e.apps_id, e.exception_id)
        if apps_id is not None:
            query = query.where(e.apps_id == apps_id)
        day = parse_date(valid_on, "valid_on")
        if day is not None:
            query = query.where(mitigates_on(day))
        if clean_text(user_id):
            query = query.where(e.user_id == clean_text(user_id))
        if clean_text(role_id):
            query = query.where(e.role_id == clean_text(role_id))
        with self._connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def end(
        self, apps_id: int, exception_id: str, *, valid_to: dt.date | str | None = None, delete: bool = False
    ) -> dict[str, Any] | None:
        """End an exception: ``valid_to`` becomes its last valid day (default today); kept for history.

        ``delete=True`` removes the row instead (for a record made in error); returns None then.
        """
        with self._connect() as conn, conn.begin():
            row = self._get(conn, apps_id, exception_id)
            if row is None:
                raise ExceptionNotFoundError(apps_id, exception_id)
            key = _key(apps_id, exception_id)
            if delete:
                conn.execute(EXCEPTIONS.delete().where(key))
                return None
            last = new_last_day(f"exception {exception_id}", row["valid_from"], row["valid_to"], valid_to, "valid_to")
            conn.execute(EXCEPTIONS.update().where(key).values(valid_to=last))
            return self._get(conn, apps_id, exception_id)

    # -- helpers ------------------------------------------------------------------------------------

    def _get(self, conn: sa.Connection, apps_id: int, exception_id: str) -> dict[str, Any] | None:
        row = conn.execute(sa.select(*_COLUMNS).where(_key(apps_id, exception_id))).mappings().first()
        return dict(row) if row is not None else None

    def _rule_process(self, conn: sa.Connection, apps_id: int, first: str, second: str, process_id: str | None) -> str:
        m = nomasx1.sod_matrix.c
        rule = sa.select(m.process_id).where(m.apps_id == apps_id, m.activity1_id == first, m.activity2_id == second)
        rows = list(conn.execute(rule.order_by(m.process_id)).scalars())
        if process_id is not None:
            rows = [p for p in rows if p == process_id]
        if not rows:
            where = f" in process {process_id}" if process_id else ""
            raise ConfigurationError(
                f"no SoD rule {first} x {second}{where} in the matrix of application {apps_id}: an exception "
                "mitigates an existing rule (see the sod_matrix table, or import the reference data with "
                "nomasx1-import-reference)"
            )
        if len(rows) > 1:
            raise ConfigurationError(
                f"the pair {first} x {second} is a rule of several processes ({', '.join(rows)}): give --process"
            )
        return rows[0]

    def _check_principal(self, conn: sa.Connection, apps_id: int, user_id: str | None, role_id: str | None) -> None:
        table, column, value, kind = (
            (nomasx1.security_users, "user_id", user_id, "user")
            if user_id
            else (nomasx1.security_roles, "role_id", role_id, "role")
        )
        collected = conn.execute(sa.select(sa.func.count()).where(table.c.apps_id == apps_id)).scalar()
        if not collected:
            return  # nothing collected yet: cannot check
        known = sa.select(sa.literal(1)).where(table.c.apps_id == apps_id, table.c[column] == value)
        if conn.execute(known).first() is None:
            raise ConfigurationError(
                f"{kind} {value!r} is not in {table.name} of application {apps_id} (last security collection): "
                "check the id, or add --allow-unknown to record the exception anyway"
            )

    def _next_id(self, conn: sa.Connection, apps_id: int) -> str:
        return generated_ids(ids_like(conn, EXCEPTIONS.c.exception_id, apps_id, "EXC"), "EXC", apps_id)[0]


def _key(apps_id: int, exception_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(EXCEPTIONS.c.apps_id == apps_id, EXCEPTIONS.c.exception_id == exception_id)

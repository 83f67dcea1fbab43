"""SoD mitigations (`sod_exceptions`): a user or a role is allowed to hold one matrix rule's two
activities, for a validity window, under a named control, approved by someone, for a reason.

The SoD engine keeps a conflict that a valid exception covers and marks it mitigated; an expired
exception stops mitigating at the next run. The validity window is inclusive at both ends: an
exception is valid on day D when ``valid_from <= D`` and (``valid_to`` is null or ``D <= valid_to``).

Exceptions are never deleted to "end" them: :meth:`ExceptionStore.end` sets ``valid_to`` (the last
day the exception mitigates), so past reports stay explainable. Deleting is kept for a record made
in error (``delete=True``). No Airflow here: the CLI and tests call it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, sqlstate
from airflow_provider_nomasx1.registry import ApplicationNotFoundError
from airflow_provider_nomasx1.sqlident import checked, qualified

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
_GENERATED = re.compile(r"^EXC-(\d+)-(\d+)$")


class ExceptionNotFoundError(ConfigurationError):
    def __init__(self, apps_id: int, exception_id: str) -> None:
        super().__init__(
            f"exception {exception_id!r} does not exist for application {apps_id}: "
            f"list them with `nomasx1 sod exception list --apps-id {apps_id}`"
        )


def _date(value: Any, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigurationError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


def _text(value: Any) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


def normalise_pair(activity1_id: str, activity2_id: str) -> tuple[str, str]:
    """A matrix pair is unordered: return it smaller id first (as sod_matrix stores it)."""
    a, b = _text(activity1_id), _text(activity2_id)
    if not a or not b:
        raise ConfigurationError("an exception names a matrix rule: give both --activity1 and --activity2")
    if a == b:
        raise ConfigurationError(f"a rule pairs two different activities, got {a!r} twice")
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class ExceptionStore:
    """The SoD exceptions of one nomasx1 schema, reached through ``engine``."""

    engine: sa.Engine
    schema: str = "nomasx1"

    def _t(self, table: str) -> str:
        return qualified(checked(self.schema, "schema"), table)

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
        user_id, role_id = _text(user_id), _text(role_id)
        if bool(user_id) == bool(role_id):
            raise ConfigurationError(
                "an exception covers exactly one principal: give --user USER_ID or --role ROLE_ID (not both)"
            )
        first, second = normalise_pair(activity1_id, activity2_id)
        start = _date(valid_from, "valid_from") or today or dt.date.today()
        end = _date(valid_to, "valid_to")
        if end is not None and end < start:
            raise ConfigurationError(f"valid_to {end} is before valid_from {start}: the window would be empty")
        approver, justification = _text(approver), _text(justification)
        if not approver:
            raise ConfigurationError("an exception needs the person who approved it: --approver NAME")
        if not justification:
            raise ConfigurationError("an exception needs its business reason: --justification TEXT")
        exception_id = _text(exception_id)
        values = {
            "apps_id": apps_id,
            "user_id": user_id,
            "role_id": role_id,
            "activity1_id": first,
            "activity2_id": second,
            "valid_from": start,
            "valid_to": end,
            "control_id": _text(control_id),
            "approver": approver,
            "justification": justification,
            "created_by": _text(created_by) or _whoami(),
        }
        with self.engine.begin() as conn:
            self._check_application(conn, apps_id)
            values["process_id"] = self._rule_process(conn, apps_id, first, second, _text(process_id))
            if not allow_unknown_principal:
                self._check_principal(conn, apps_id, user_id, role_id)
            # one writer at a time per application: the next generated number is read then used
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"sod_exceptions:{apps_id}"})
            if exception_id is None:
                exception_id = self._next_id(conn, apps_id)
            elif self._get(conn, apps_id, exception_id) is not None:
                raise ConfigurationError(
                    f"exception {exception_id!r} already exists for application {apps_id}: choose another --id, "
                    "or leave --id out to have one generated"
                )
            values["exception_id"] = exception_id
            names = ", ".join(values)
            conn.execute(
                sa.text(
                    f"INSERT INTO {self._t('sod_exceptions')} ({names}) VALUES ({', '.join(':' + k for k in values)})"
                ),
                values,
            )
            return self._get(conn, apps_id, exception_id)

    def show(self, apps_id: int, exception_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
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
        where, params = ["true"], {}
        if apps_id is not None:
            where.append("apps_id = :apps_id")
            params["apps_id"] = apps_id
        day = _date(valid_on, "valid_on")
        if day is not None:
            where.append("valid_from <= :day AND (valid_to IS NULL OR :day <= valid_to)")
            params["day"] = day
        if _text(user_id):
            where.append("user_id = :user_id")
            params["user_id"] = _text(user_id)
        if _text(role_id):
            where.append("role_id = :role_id")
            params["role_id"] = _text(role_id)
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM {self._t('sod_exceptions')} WHERE {' AND '.join(where)} "
            "ORDER BY apps_id, exception_id"
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]

    def end(
        self, apps_id: int, exception_id: str, *, valid_to: dt.date | str | None = None, delete: bool = False
    ) -> dict[str, Any] | None:
        """End an exception: ``valid_to`` becomes its last valid day (default today); kept for history.

        ``delete=True`` removes the row instead (for a record made in error); returns None then.
        """
        with self.engine.begin() as conn:
            row = self._get(conn, apps_id, exception_id)
            if row is None:
                raise ExceptionNotFoundError(apps_id, exception_id)
            key = {"apps_id": apps_id, "exception_id": exception_id}
            if delete:
                conn.execute(
                    sa.text(
                        f"DELETE FROM {self._t('sod_exceptions')} "
                        "WHERE apps_id = :apps_id AND exception_id = :exception_id"
                    ),
                    key,
                )
                return None
            last = _date(valid_to, "valid_to") or dt.date.today()
            if last < row["valid_from"]:
                raise ConfigurationError(
                    f"exception {exception_id} starts on {row['valid_from']}: end it on that day or later, "
                    "or, if it was recorded in error, remove it with --delete"
                )
            if row["valid_to"] is not None and row["valid_to"] <= last:
                raise ConfigurationError(
                    f"exception {exception_id} already ends on {row['valid_to']}; nothing to change"
                )
            conn.execute(
                sa.text(
                    f"UPDATE {self._t('sod_exceptions')} SET valid_to = :last "
                    "WHERE apps_id = :apps_id AND exception_id = :exception_id"
                ),
                {**key, "last": last},
            )
            return self._get(conn, apps_id, exception_id)

    # -- helpers ------------------------------------------------------------------------------------

    def _get(self, conn: sa.Connection, apps_id: int, exception_id: str) -> dict[str, Any] | None:
        row = (
            conn.execute(
                sa.text(
                    f"SELECT {', '.join(COLUMNS)} FROM {self._t('sod_exceptions')} "
                    "WHERE apps_id = :apps_id AND exception_id = :exception_id"
                ),
                {"apps_id": apps_id, "exception_id": exception_id},
            )
            .mappings()
            .first()
        )
        return dict(row) if row is not None else None

    def _check_application(self, conn: sa.Connection, apps_id: int) -> None:
        found = conn.execute(
            sa.text(f"SELECT 1 FROM {self._t('settings_applications')} WHERE apps_id = :a"), {"a": apps_id}
        ).first()
        if found is None:
            raise ApplicationNotFoundError(apps_id)

    def _rule_process(self, conn: sa.Connection, apps_id: int, first: str, second: str, process_id: str | None) -> str:
        rows = (
            conn.execute(
                sa.text(
                    f"SELECT process_id FROM {self._t('sod_matrix')} "
                    "WHERE apps_id = :a AND activity1_id = :x AND activity2_id = :y ORDER BY process_id"
                ),
                {"a": apps_id, "x": first, "y": second},
            )
            .scalars()
            .all()
        )
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
            ("security_users", "user_id", user_id, "user")
            if user_id
            else ("security_roles", "role_id", role_id, "role")
        )
        collected = conn.execute(
            sa.text(f"SELECT count(*) FROM {self._t(table)} WHERE apps_id = :a"), {"a": apps_id}
        ).scalar()
        if not collected:
            return  # nothing collected yet: cannot check
        found = conn.execute(
            sa.text(f"SELECT 1 FROM {self._t(table)} WHERE apps_id = :a AND {column} = :v"), {"a": apps_id, "v": value}
        ).first()
        if found is None:
            raise ConfigurationError(
                f"{kind} {value!r} is not in {table} of application {apps_id} (last security collection): check "
                f"the id, or add --allow-unknown to record the exception anyway"
            )

    def _next_id(self, conn: sa.Connection, apps_id: int) -> str:
        ids = conn.execute(
            sa.text(
                f"SELECT exception_id FROM {self._t('sod_exceptions')} WHERE apps_id = :a AND exception_id LIKE :p"
            ),
            {"a": apps_id, "p": f"EXC-{apps_id}-%"},
        ).scalars()
        numbers = [int(m.group(2)) for m in map(_GENERATED.match, ids) if m and int(m.group(1)) == apps_id]
        return f"EXC-{apps_id}-{max(numbers, default=0) + 1}"


@contextlib.contextmanager
def schema_guard(schema: str) -> Iterator[None]:
    """Turn "table does not exist" (a schema older than the SoD tables) into what to do."""
    try:
        yield
    except sa.exc.ProgrammingError as exc:
        if sqlstate(exc) != "42P01":
            raise
        raise Nomasx1Error(
            f"schema {schema} has no SoD tables yet ({str(getattr(exc, 'orig', exc)).splitlines()[0]}): "
            "upgrade it with the nomasx1-upgrade-schema-1 job (or `nomasx1 schema upgrade --url URL`)"
        ) from None


def is_valid_on(row: dict[str, Any], day: dt.date) -> bool:
    """The window rule the engine applies: inclusive ``valid_from`` .. ``valid_to`` (null = open)."""
    return row["valid_from"] <= day and (row["valid_to"] is None or day <= row["valid_to"])


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something
        return "unknown"

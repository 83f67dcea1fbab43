"""Errors the product raises on purpose: each message says what is wrong and what to do."""

from __future__ import annotations


class Nomasx1Error(Exception):
    """Base class: a failure we diagnosed, with a message meant for the operator."""


class ConfigurationError(Nomasx1Error):
    """A parameter, spec or setting is invalid; nothing was changed."""


class MissingConnectionError(Nomasx1Error):
    """An Airflow connection the job needs does not exist."""

    def __init__(self, conn_id: str, purpose: str, conn_type: str = "postgres") -> None:
        self.conn_id = conn_id
        super().__init__(
            f"Airflow connection {conn_id!r} ({purpose}) does not exist. Create it with "
            f"`airflow connections add {conn_id} --conn-type {conn_type} --conn-host HOST "
            f"--conn-login USER --conn-password '...' --conn-schema DATABASE` "
            f"(or set AIRFLOW_CONN_{conn_id.upper().replace('-', '_')}), or pass another "
            f"connection id in the job's params. See docs/connections.md."
        )


class SourceUnavailableError(Nomasx1Error):
    """A source table or column the collector needs is missing."""


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error (SQLAlchemy-wrapped or raw psycopg), or ''."""
    return getattr(getattr(exc, "orig", None) or exc, "sqlstate", None) or ""


def describe_error(exc: BaseException) -> str:
    """``Type: first line`` of an error, for audit rows: SQLAlchemy appends the statement and its
    bound parameters (source data) on the following lines, which must not be stored."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:2000]

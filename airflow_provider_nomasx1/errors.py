"""Errors the product raises on purpose: each message says what is wrong and what to do.

Each error also says whether another attempt could succeed (:func:`is_permanent`): the step
operator fails a task at once on a permanent error and leaves transient ones to Airflow's retries.
"""

from __future__ import annotations

import re


class Nomasx1Error(Exception):
    """Base class: a failure we diagnosed, with a message meant for the operator."""

    #: True: retrying cannot help (fix the input first); False: a later attempt may succeed;
    #: None: decided by the database error it was raised from (see :func:`is_permanent`)
    permanent: bool | None = None


class TransientError(Nomasx1Error):
    """A diagnosed failure that a later attempt may not meet (e.g. another run held a lock)."""

    permanent = False


class ConfigurationError(Nomasx1Error):
    """A parameter, spec or setting is invalid; nothing was changed."""

    permanent = True


#: the command that creates a connection of each type a hook registers (CONN_ID: the missing id)
CREATE_CONNECTION = {
    "nomasx1": (
        "airflow connections add CONN_ID --conn-type nomasx1 --conn-host HOST --conn-port 5432 "
        "--conn-login USER --conn-password '...' --conn-schema DATABASE"
    ),
    "jdedwards": (
        "airflow connections add CONN_ID --conn-type jdedwards --conn-host HOST --conn-port 1521 "
        """--conn-login USER --conn-password '...' --conn-extra '{"db_type": "oracle", "service_name": "SERVICE"}'"""
    ),
    "http": "airflow connections add CONN_ID --conn-type http --conn-host http://HOST:8080 --conn-login USER",
    "nomasx1_ldap": (
        "airflow connections add CONN_ID --conn-type nomasx1_ldap --conn-host HOST --conn-port 636 "
        """--conn-login 'CN=reader,OU=Service Accounts,DC=corp,DC=example' --conn-password '...' """
        """--conn-extra '{"base_dn": "DC=corp,DC=example", "tls_mode": "ldaps", "ca_bundle": "/path/ca.pem"}'"""
    ),
}


class MissingConnectionError(Nomasx1Error):
    """An Airflow connection the job needs does not exist.

    ``conn_type`` is the type the hook that reads it registers (``nomasx1`` for Nomasx1Hook,
    ``jdedwards`` for JdeHook, ``http`` for AirflowApiHook): the command printed creates a
    connection that hook accepts.
    """

    permanent = True

    def __init__(self, conn_id: str, purpose: str, conn_type: str = "nomasx1") -> None:
        self.conn_id = conn_id
        command = CREATE_CONNECTION.get(conn_type, CREATE_CONNECTION["nomasx1"]).replace("CONN_ID", conn_id)
        super().__init__(
            f"Airflow connection {conn_id!r} ({purpose}) does not exist. Create it with `{command}` "
            f"(or set AIRFLOW_CONN_{conn_id.upper().replace('-', '_')}), or name another "
            f"connection (the job's params, or --conn of the nomasx1 command). See docs/connections.md."
        )


class SourceUnavailableError(Nomasx1Error):
    """A source table or column the collector needs is missing."""

    permanent = True


class RunRefusedError(Nomasx1Error):
    """A run the job does not accept in the order it came (a backfill of a snapshot job, a run
    older than the one the current tables hold): refused before anything is written."""

    permanent = True


class UnreachableError(TransientError):
    """A database did not answer in time or refused the connection (down, wrong host or port,
    network): the message names the connection id, host and port; a later attempt may succeed."""


class SourceUnreachableError(UnreachableError):
    """The JD Edwards source database (JdeHook) could not be reached."""


class TargetUnreachableError(UnreachableError):
    """A target PostgreSQL database (Nomasx1Hook: nomasx1, nomajde, the admin pool) could not be reached."""


class DirectoryUnreachableError(UnreachableError):
    """The directory (LdapHook: LDAP / Active Directory) did not answer or refused the TCP connection."""


class ConnectionFailedError(Nomasx1Error):
    """The database answered but refused the login (password, role, database name, pg_hba): a
    retry cannot help until the connection is fixed. The message names connection id, host, port."""

    permanent = True


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error (SQLAlchemy-wrapped or raw psycopg), or ''."""
    return getattr(getattr(exc, "orig", None) or exc, "sqlstate", None) or ""


def describe_error(exc: BaseException) -> str:
    """``Type: first line`` of an error, for audit rows: SQLAlchemy appends the statement and its
    bound parameters (source data) on the following lines, which must not be stored."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:2000]


#: SQLSTATEs no retry can fix: bad password / authorization, missing database, undefined table or
#: column, syntax error, invalid schema, insufficient privilege
PERMANENT_SQLSTATES = frozenset({"28P01", "28000", "3D000", "42P01", "42703", "42601", "3F000", "42501"})
#: SQLSTATEs a later attempt may not meet: lock not available, serialization failure, deadlock,
#: admin / crash shutdown, cannot connect now, too many connections, statement timeout (any other
#: unclassified error is retried too; this list documents the usual ones)
TRANSIENT_SQLSTATES = frozenset({"55P03", "40001", "40P01", "57P01", "57P02", "57P03", "53300", "57014"})

#: libpq reports a refused connection in text only (no SQLSTATE): the server's FATAL line
_CONNECT_FAILURES = (
    (re.compile(r'FATAL:\s+database ".*" does not exist'), "3D000"),
    (re.compile(r"FATAL:\s+password authentication failed"), "28P01"),
    (re.compile(r'FATAL:\s+role ".*" does not exist'), "28000"),
    (re.compile(r"FATAL:\s+no pg_hba\.conf entry"), "28000"),
)


def error_code(exc: BaseException) -> str:
    """The SQLSTATE of a database error, or the one its refused-connection message stands for."""
    code = sqlstate(exc)
    if code:
        return code
    text = str(getattr(exc, "orig", None) or exc)
    return next((c for pattern, c in _CONNECT_FAILURES if pattern.search(text)), "")


def is_permanent(exc: BaseException) -> bool:
    """True when retrying ``exc`` cannot succeed before someone fixes something.

    Our diagnosed errors say so themselves (:attr:`Nomasx1Error.permanent`); a database error is
    permanent when its SQLSTATE is in :data:`PERMANENT_SQLSTATES`; an error raised from another
    (``raise ... from exc``) without an opinion is judged by its cause. Anything else (lost
    connection, timeouts, locks, unexpected errors) keeps the task's retries.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        verdict = getattr(current, "permanent", None)
        if isinstance(verdict, bool):
            return verdict
        code = error_code(current)
        if code:
            return code in PERMANENT_SQLSTATES
        current = current.__cause__
    return False

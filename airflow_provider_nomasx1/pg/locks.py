"""Advisory locks: one key format, one helper per kind of lock.

Every key is ``nomasx1:<part>:<part>...`` hashed with ``hashtext``:

- :func:`xact_lock`: a transaction-level lock (single ``bigint`` key) that serialises work on one
  object (a schema's bootstrap, a mirror table's load...) until the transaction ends;
- the session lock of a step (:func:`try_session_lock`): two ``int4`` keys, :data:`LOCK_NAMESPACE`
  and the hash of :func:`session_lock_key`, held on a connection of its own for the whole step.
  The two kinds never collide: PostgreSQL keeps one- and two-key advisory locks apart.
"""

from __future__ import annotations

from airflow_provider_nomasx1.pg.handle import Handle, execute, fetch

#: namespace of the step session locks (first int4 key; docs/operations.md matches on it)
LOCK_NAMESPACE = 0x6E6D7831  # "nmx1"


def advisory_key(*parts: str | int) -> str:
    """``nomasx1:`` followed by the parts joined with ``:``."""
    return "nomasx1:" + ":".join(str(part) for part in parts)


def xact_lock(conn: Handle, *parts: str | int) -> None:
    """Wait for, then hold until the transaction ends, the advisory lock of ``parts``."""
    execute(conn, "SELECT pg_advisory_xact_lock(hashtext(%s))", (advisory_key(*parts),))


def session_lock_key(apps_id: int | None, job_id: str) -> str:
    """The key of a step's session lock and of its run lease: one per (application, job); ``-``
    for a job not tied to an application."""
    return advisory_key(apps_id if apps_id is not None else "-", job_id)


def try_session_lock(conn: Handle, key: str) -> bool:
    """Take the session lock of ``key`` when free (never waits); True when taken."""
    return bool(fetch(conn, "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, key))[0][0])


def session_unlock(conn: Handle, key: str) -> None:
    """Release the session lock of ``key`` held by this session."""
    execute(conn, "SELECT pg_advisory_unlock(%s, hashtext(%s))", (LOCK_NAMESPACE, key))


def session_lock_held(conn: Handle, key: str) -> bool:
    """Whether any session of the current database holds the session lock of ``key``."""
    rows = fetch(
        conn,
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = CAST(%s AS bigint)::oid AND objsubid = 2 "
        "AND objid = (hashtext(%s)::bigint & 4294967295)::oid)",
        (LOCK_NAMESPACE, key),
    )
    return bool(rows[0][0])

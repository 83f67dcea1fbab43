"""SECURITY_ROLES, SECURITY_USERS, SECURITY_USERS_DATA, SECURITY_ASSIGNMENTS: who is who in JDE.

Each step reads the JDE rows it needs into TEMP tables (F0092 profiles, F00926 roles, F95921 role
relationships, F98OWSEC sign-on security, F9312 history aggregated on the source, F0101 / F01151
people) and replaces the application's rows of its table in one transaction. The rules are in
``sql/security/<step>.sql``; the decisions taken where JDE-SOURCE.md leaves room:

- a profile without an F98OWSEC record cannot sign on: it is a user (when it is not a role) but
  not ``enabled`` (``status_code`` NULL), hence neither dormant nor no_role;
- ``dormant``: enabled and last sign-on before ``as_of - dormant_days``; an enabled account that
  never signed on is dormant whatever its age (``created_date`` tells a new account apart);
- ``no_role``: enabled and no active assignment (same rule as the assignments' ``active`` status,
  restricted to include-in-*ALL roles for the *ALL sign-in) to a role that exists in F00926;
- ``duplicate_of``: the smallest other user id sharing the same non-zero address number;
- ``privileged`` is not derived from JDE: a flag set on a user's previous row is kept, else false;
- assignments: ``RLEFFDATE`` 0 is stored as 1900-01-01 (active since always); duplicate keys keep
  the row with the latest expiration; rows whose member is a role (role in role) or an unknown
  profile are not user assignments and are only counted in the log.

Order: SECURITY_ROLES and SECURITY_USERS first (either order), then SECURITY_USERS_DATA and
SECURITY_ASSIGNMENTS, which read the target's security_users (and security_roles).
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.extract import SourceTable
from airflow_provider_nomasx1.collectors.security.base import SecuritySession, security_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.jde.catalogue import F0092, F00926, F0101, F01151, F98OWSEC, F9312, F95921
from airflow_provider_nomasx1.jde.julian import to_julian

#: F9312 event types (JDE-SOURCE.md section 2)
EVENT_SIGN_ON = "01"
EVENT_ADD_USER = "05"


def security_roles(ctx: StepContext) -> dict[str, int]:
    """security_roles = the F00926 roles (description trimmed, sequence as an integer)."""
    with security_session(ctx) as s:
        s.extract("src_roles", F00926)
        counts = s.run_sql("security_roles")
    return {"security_roles": counts["security_roles"]}


def security_users(ctx: StepContext) -> dict[str, int]:
    """security_users: accounts with their status, dates and derived flags as of the run."""
    with security_session(ctx) as s:
        s.extract("src_profiles", F0092)
        s.extract("src_roles", F00926)
        s.extract("src_rel", F95921)
        s.extract("src_signon", F98OWSEC)
        _extract_history(s)
        s.extract("src_people", F0101, where=_address_numbers_of_profiles(s, F0101))
        counts = s.run_sql(
            "security_users",
            {"dormant_days": s.settings.dormant_days, "signin_all": s.settings.signin_mode == "*ALL"},
        )
        flags = s.conn.exec_driver_sql(
            s.render(
                "SELECT count(*) FILTER (WHERE enabled), count(*) FILTER (WHERE dormant), "
                "count(*) FILTER (WHERE no_role), count(*) FILTER (WHERE duplicate_of IS NOT NULL) "
                "FROM {{schema}}.security_users WHERE apps_id = {{apps_id}}"
            )
        ).one()
        ctx.log.info(
            "security_users: %s users, %s enabled, %s dormant (%s days), %s without an active role, %s duplicates",
            counts["security_users"],
            *flags[:2],
            s.settings.dormant_days,
            *flags[2:],
        )
    return {"security_users": counts["security_users"]}


def security_users_data(ctx: StepContext) -> dict[str, int]:
    """security_users_data: address-book data (F0101, F01151, F0092) of the users of security_users."""
    with security_session(ctx) as s:
        s.require_rows("security_users", "the step SECURITY_USERS of the security job")
        where = _address_numbers_of_profiles(s, F0101)
        s.extract("src_profiles", F0092)
        s.extract("src_people", F0101, where=where)
        s.extract("src_emails", F01151, where=_address_numbers_of_profiles(s, F01151))
        counts = s.run_sql("security_users_data")
    return {"security_users_data": counts["security_users_data"]}


def security_assignments(ctx: StepContext) -> dict[str, int]:
    """security_assignments: F95921 rows of the users, with status as of the run and role_missing."""
    with security_session(ctx) as s:
        s.require_rows("security_users", "the step SECURITY_USERS of the security job")
        s.require_rows("security_roles", "the step SECURITY_ROLES of the security job")
        s.extract("src_rel", F95921)
        counts = s.run_sql("security_assignments")
        stats = s.conn.exec_driver_sql("SELECT * FROM tmp_assignment_counts").mappings().one()
        written = counts["security_assignments"]
        duplicates = int(stats["user_rows"]) - int(stats["user_keys"])
        if duplicates:
            ctx.log.warning(
                "security_assignments: %s F95921 rows repeat a (user, role, effective date) key; "
                "kept the one with the latest expiration",
                duplicates,
            )
        ctx.log.info(
            "security_assignments: %s user assignments written; not user assignments: %s role-in-role rows, "
            "%s rows whose member is neither a user nor a role",
            written,
            stats["role_in_role"],
            stats["other_members"],
        )
    return {"security_assignments": written}


# -- helpers ---------------------------------------------------------------------------------------


def _address_numbers_of_profiles(s: SecuritySession, table: SourceTable) -> str:
    """WHERE clause (evaluated on the source) keeping the rows of ``table`` whose address number
    belongs to an F0092 profile: the people behind the accounts, not the whole address book."""
    column = s.source_column(table, "address_number")
    return (
        f"{column} IN (SELECT {s.source_column(F0092, 'address_number')} FROM {s.source_table(F0092)} "
        f"WHERE {s.source_column(F0092, 'address_number')} <> 0)"
    )


def _extract_history(s: SecuritySession) -> int:
    """TEMP ``src_history`` (user_id, created, last_login): F9312 aggregated on the source, one row
    per user (earliest add-user date, latest sign-on date), so the history never travels whole.
    Plain SQL valid on Oracle, SQL Server and PostgreSQL; Julian 0 (no date) and events after the
    as-of date are left out."""
    with s.reader.hook.engine.connect() as inspect_conn:
        s.reader.present_columns(inspect_conn, F9312)  # names a missing physical table or column
    user, event, day = (s.source_column(F9312, c) for c in ("user_id", "event_type", "event_date"))
    as_of = to_julian(s.settings.as_of)  # events after the as-of date do not count (historical runs)
    select = (
        f"SELECT {user}, "
        f"MIN(CASE WHEN TRIM({event}) = '{EVENT_ADD_USER}' THEN {day} END), "
        f"MAX(CASE WHEN TRIM({event}) = '{EVENT_SIGN_ON}' THEN {day} END) "
        f"FROM {s.source_table(F9312)} "
        f"WHERE TRIM({event}) IN ('{EVENT_ADD_USER}', '{EVENT_SIGN_ON}') AND {day} > 0 AND {day} <= {as_of} "
        f"GROUP BY {user}"
    )
    return s.extract_query("src_history", select, ["user_id", "created", "last_login"])

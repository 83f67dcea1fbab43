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

Coded values (F95921 include-in-*ALL, F98OWSEC status, F9312 event types, F01151 e-mail types)
are read with the application's settings (:mod:`airflow_provider_nomasx1.jde.coded_values`):
codes outside them are counted and reported, and a result implausible as a whole (every
assignment outside *ALL, every account disabled, no known F9312 event type) is refused before
anything is replaced. F0092, F00926, F95921 and F98OWSEC are refused when empty or collapsed;
F9312, F0101 and F01151 are enrichment: when missing, their columns stay empty (``dormant``
unknown without F9312) and the step says so.

Order: SECURITY_ROLES and SECURITY_USERS first (either order), then SECURITY_USERS_DATA and
SECURITY_ASSIGNMENTS, which read the target's security_users (and security_roles).
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.security.base import SecuritySession, security_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import SourceUnavailableError
from airflow_provider_nomasx1.jde.catalogue import F0092, F00926, F0101, F01151, F98OWSEC, F9312, F95921
from airflow_provider_nomasx1.jde.coded_values import literal_list
from airflow_provider_nomasx1.jde.julian import to_julian
from airflow_provider_nomasx1.jde.reader import create_temp
from airflow_provider_nomasx1.jde.source_table import SourceTable


def security_roles(ctx: StepContext) -> dict[str, int]:
    """security_roles = the F00926 roles (description trimmed, sequence as an integer)."""
    with security_session(ctx) as s:
        s.extract("src_roles", F00926)
        before, since = s.table_rows("security_roles")
        counts = s.run_sql("security_roles")
        s.guard_collapse(f"{s.schema}.security_roles", before, counts["security_roles"], since)
    return {"security_roles": counts["security_roles"]}


def security_users(ctx: StepContext) -> dict[str, int]:
    """security_users: accounts with their status, dates and derived flags as of the run."""
    with security_session(ctx) as s:
        s.extract("src_profiles", F0092)
        s.extract("src_roles", F00926)
        s.extract("src_rel", F95921)
        _check_include_in_all(s)
        s.extract("src_signon", F98OWSEC)
        s.check_codes(
            "signon_status_values",
            s.value_counts("src_signon", ["status"]),
            ("enabled",),
            "all {n:,} accounts (F98OWSEC rows) would be disabled",
        )
        history_known = _extract_history(s)
        s.extract(
            "src_people",
            F0101,
            where=_address_numbers_of_profiles(s, F0101),
            effect="security_users.user_name left empty",
        )
        before, since = s.table_rows("security_users")
        counts = s.run_sql(
            "security_users",
            {
                "dormant_days": s.settings.dormant_days,
                "signin_all": s.settings.signin_mode == "*ALL",
                "history_known": history_known,
            },
        )
        s.guard_collapse(f"{s.schema}.security_users", before, counts["security_users"], since)
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
        s.extract(
            "src_people",
            F0101,
            where=where,
            effect="security_users_data.search_type, business_unit and category_codes left empty",
        )
        s.extract(
            "src_emails",
            F01151,
            where=_address_numbers_of_profiles(s, F01151),
            effect="security_users_data.email left empty",
        )
        counts = s.run_sql("security_users_data")
    return {"security_users_data": counts["security_users_data"]}


def security_assignments(ctx: StepContext) -> dict[str, int]:
    """security_assignments: F95921 rows of the users, with status as of the run and role_missing."""
    with security_session(ctx) as s:
        s.require_rows("security_users", "the step SECURITY_USERS of the security job")
        s.require_rows("security_roles", "the step SECURITY_ROLES of the security job")
        s.extract("src_rel", F95921)
        _check_include_in_all(s)
        before, since = s.table_rows("security_assignments")
        counts = s.run_sql("security_assignments")
        stats = s.conn.exec_driver_sql("SELECT * FROM tmp_assignment_counts").mappings().one()
        written = counts["security_assignments"]
        s.guard_collapse(f"{s.schema}.security_assignments", before, written, since)
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


def _check_include_in_all(s: SecuritySession) -> None:
    """Report include-in-*ALL codes of ``src_rel`` outside include_in_all_values, and refuse a
    source where no role relationship would be included (every user would lose every role)."""
    if s.settings.signin_mode != "*ALL":
        return
    s.check_codes(
        "include_in_all_values",
        s.value_counts("src_rel", ["include_in_all"]),
        ("set",),
        "all {n:,} assignments (F95921 rows) would be excluded from *ALL",
    )


def _extract_history(s: SecuritySession) -> bool:
    """TEMP ``src_history`` (user_id, created, last_login): F9312 aggregated on the source, one row
    per user (earliest add-user date, latest sign-on date), so the history never travels whole.
    Plain SQL valid on Oracle, SQL Server and PostgreSQL; Julian 0 (no date) and events after the
    as-of date are left out. Event types come from the application's event_type_values; the
    types found are counted on the source (one small GROUP BY) and reported when unknown.
    Returns False when F9312 cannot be read (an enrichment table: dates empty, dormant unknown)."""
    with s.reader.hook.engine.connect() as inspect_conn:
        check = s.reader.check_table(inspect_conn, F9312)
    if check.problem:
        if F9312.required:
            raise SourceUnavailableError(check.problem)
        s.optional_missing(
            F9312, check.problem, "security_users.created_date and last_login_date left empty, dormant unknown"
        )
        with s.cursor as cur:
            create_temp(cur, "src_history", ["user_id", "created", "last_login"])
        return False
    user, event, day = (s.source_column(F9312, c) for c in ("user_id", "event_type", "event_date"))
    codes = s.settings.coded_values
    add_user, sign_on = (literal_list(codes.accepted("event_type_values", m)) for m in ("add_user", "sign_on"))
    as_of = to_julian(s.settings.as_of)  # events after the as-of date do not count (historical runs)
    kind = f"UPPER(TRIM({event}))"
    s.extract_query(
        "src_event_types",
        f"SELECT {kind}, COUNT(*) FROM {s.source_table(F9312)} GROUP BY {kind}",
        ["event_type", "n"],
    )
    found = s.conn.exec_driver_sql("SELECT upper(btrim(event_type)), sum(n::bigint) FROM src_event_types GROUP BY 1")
    s.check_codes(
        "event_type_values",
        {(code or ""): int(n) for code, n in found},
        tuple(codes.values["event_type_values"]),
        "none of the {n:,} F9312 events has a known event type: every last login and creation date would be empty",
    )
    select = (
        f"SELECT {user}, "
        f"MIN(CASE WHEN {kind} IN {add_user} THEN {day} END), "
        f"MAX(CASE WHEN {kind} IN {sign_on} THEN {day} END) "
        f"FROM {s.source_table(F9312)} "
        f"WHERE ({kind} IN {add_user} OR {kind} IN {sign_on}) AND {day} > 0 AND {day} <= {as_of} "
        f"GROUP BY {user}"
    )
    s.extract_query("src_history", select, ["user_id", "created", "last_login"])
    return True

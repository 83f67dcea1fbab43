"""SECURITY_ROLES, SECURITY_USERS, SECURITY_USERS_DATA, SECURITY_ASSIGNMENTS on the tiny synthetic
JDE source (named fixtures of sql/jde_generate/15_helpers_fixtures.sql, as of AS_OF = 2026-11-28).

Each table-driven case names the rule it checks (JDE-SOURCE.md section 3 and the decisions of
``collectors/security/principals.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.security import AS_OF, SecurityTarget, make_target

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors.security.principals import (
    security_assignments,
    security_roles,
    security_users,
    security_users_data,
)
from airflow_provider_nomasx1.demo.jde_generator import generate
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError


def day(offset: int) -> dt.date:
    """The date ``offset`` days from the as-of date (the fixtures' relative dates)."""
    return AS_OF + dt.timedelta(days=offset)


def run_all(target: SecurityTarget, **params: Any) -> dict[str, int]:
    rows: dict[str, int] = {}
    for step in (security_roles, security_users, security_users_data, security_assignments):
        rows.update(target.run(step, **params))
    return rows


def table(target: SecurityTarget, name: str, key: str) -> dict[Any, dict[str, Any]]:
    with target.engine.connect() as conn:
        result = conn.execute(sa.text(f"SELECT * FROM nomasx1.{name} WHERE apps_id = 10 ORDER BY {key}")).mappings()
        return {tuple(r[k] for k in key.split(", ")) if "," in key else r[key]: dict(r) for r in result}


def use_catalogue(target: SecurityTarget, monkeypatch: pytest.MonkeyPatch, catalogue: dict[str, str]) -> None:
    """Point the `jdedwards` connection at the same source with extras.catalogue overrides."""
    env = testing.connection_env(
        "jdedwards", target.source_url, conn_type="jdedwards", db_type="postgres", catalogue=catalogue
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def collected(pg_server: URL, jde_tiny: URL) -> Iterator[SecurityTarget]:
    """All four steps run once on a target of the module (read-only tests)."""
    url = testing.create_database(pg_server)
    engine = sa.create_engine(url)
    try:
        with pytest.MonkeyPatch.context() as mp:
            target = make_target(engine, jde_tiny, mp)
            run_all(target)
            yield target
    finally:
        engine.dispose()
        testing.drop_database(url)


@pytest.fixture
def fresh(security_target: SecurityTarget) -> SecurityTarget:
    """All four steps run on a target of the test (tests that change it)."""
    run_all(security_target)
    return security_target


# -- SECURITY_ROLES ----------------------------------------------------------------------------------


ROLE_CASES = [
    # rule, role, description, sequence
    ("F00926 role with its sequence", "SYSADMIN", "System Administrator", 5),
    ("description trimmed", "APCLERK", "Accounts Payable Clerk", 10),
    ("composite role is a role", "ALLFIN", "All Finance (composite role)", 70),
    ("read-only auditor role", "AUDITRO", "Auditor - Read Only", 60),
]


@pytest.mark.parametrize(("rule", "role", "description", "sequence"), ROLE_CASES, ids=[c[0] for c in ROLE_CASES])
def test_roles(collected: SecurityTarget, rule: str, role: str, description: str, sequence: int) -> None:
    row = table(collected, "security_roles", "role_id")[role]
    assert (row["description"], row["sequence"], row["run_id"]) == (description, sequence, "manual__test"), rule


def test_roles_are_the_f00926_rows_only(collected: SecurityTarget) -> None:
    roles = table(collected, "security_roles", "role_id")
    assert sorted(roles) == ["ALLFIN", "APCLERK", "APSUPER", "AUDITRO", "GLACCT", "PURCHASE", "SALESREP", "SYSADMIN"]
    assert "OLDROLE" not in roles  # assigned only: reported by the assignments as role_missing


# -- SECURITY_USERS ----------------------------------------------------------------------------------


USER_CASES = [
    # rule, user, column, expected
    ("users are the non-role profiles", "ADMIN1", "address_number", 1001),
    ("user name = F0101 ABALPH through ULAN8", "ADMIN1", "user_name", "ADMIN, Alice"),
    ("status code = SCEUSER", "ADMIN1", "status_code", "01"),
    ("enabled: SCEUSER 01", "ADMIN1", "enabled", True),
    ("disabled: SCEUSER 02", "BUYER1", "enabled", False),
    ("disabled status code kept", "BUYER1", "status_code", "02"),
    ("no F98OWSEC record: not enabled", "NOSIGNON", "enabled", False),
    ("no F98OWSEC record: no status code", "NOSIGNON", "status_code", None),
    ("no F98OWSEC record: not dormant (not enabled)", "NOSIGNON", "dormant", False),
    ("no F98OWSEC record: not no_role (not enabled)", "NOSIGNON", "no_role", False),
    ("created = F9312 05 add user", "ADMIN1", "created_date", day(-2500)),
    ("created of a new account", "NEVERIN", "created_date", day(-20)),
    ("last login = latest F9312 01", "ADMIN1", "last_login_date", day(-1)),
    ("last login on the as-of date", "APCLRK2", "last_login_date", AS_OF),
    ("never signed on: no last login", "NEVERIN", "last_login_date", None),
    ("password changed = SCSECLST", "PWDOLD1", "password_changed_date", day(-400)),
    ("no F98OWSEC record: no password date", "NOSIGNON", "password_changed_date", None),
    ("dormant: last sign-on 200 days ago", "DORMANT1", "dormant", True),
    ("dormant: last sign-on 91 days ago", "SALES1", "dormant", True),
    ("not dormant: last sign-on 89 days ago", "GLUSER1", "dormant", False),
    ("dormant: enabled and never signed on, even when created 20 days ago", "NEVERIN", "dormant", True),
    ("disabled accounts are not dormant", "BUYER1", "dormant", False),
    ("duplicate: same address number 1007", "SALES1", "duplicate_of", "SALES2"),
    ("duplicate: the other account", "SALES2", "duplicate_of", "SALES1"),
    ("unique address number: no duplicate", "ADMIN1", "duplicate_of", None),
    ("no_role: enabled without any assignment", "NOROLE1", "no_role", True),
    ("no_role: only role not included in *ALL", "SALES1", "no_role", True),
    ("role included in *ALL counts", "SALES2", "no_role", False),
    ("composite role counts (nesting not expanded)", "NESTED1", "no_role", False),
    ("disabled account is not no_role", "BUYER1", "no_role", False),
    ("expired and future roles do not count, the re-granted one does", "AUDITOR1", "no_role", False),
    ("role on its last day is active", "GLUSER1", "no_role", False),
    ("missing role ignored, the existing active one counts", "GHOSTED1", "no_role", False),
    ("privileged is not derived from JDE", "JDE", "privileged", False),
    ("registration left empty", "ADMIN1", "registration", None),
]


@pytest.mark.parametrize(("rule", "user", "column", "expected"), USER_CASES, ids=[c[0] for c in USER_CASES])
def test_users(collected: SecurityTarget, rule: str, user: str, column: str, expected: Any) -> None:
    assert table(collected, "security_users", "user_id")[user][column] == expected, rule


def test_users_are_the_profiles_that_are_not_roles(collected: SecurityTarget) -> None:
    users = table(collected, "security_users", "user_id")
    assert len(users) == 20
    assert not set(users) & {"SYSADMIN", "APCLERK", "ALLFIN", "OLDROLE"}
    assert "FORMER1" not in users  # deleted: only in F9312
    assert {u for u, r in users.items() if r["dormant"]} == {"SALES1", "DORMANT1", "NEVERIN"}
    assert {u for u, r in users.items() if r["no_role"]} == {"NOROLE1", "SALES1"}
    assert {u for u, r in users.items() if not r["enabled"]} == {"BUYER1", "NOSIGNON"}
    assert not any(r["privileged"] for r in users.values())


def test_dormant_days_setting(pg_engine: sa.Engine, jde_tiny: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    target = make_target(pg_engine, jde_tiny, monkeypatch, dormant_days=60)
    target.run(security_users)
    dormant = {u for (u,) in target.rows("SELECT user_id FROM nomasx1.security_users WHERE dormant")}
    # last sign-on: GLUSER1 A-89, SALES1 A-91, DORMANT1 A-200, GHOSTED1 A-60 (within 60 days), APMGR1 A-40
    assert dormant == {"SALES1", "DORMANT1", "NEVERIN", "GLUSER1"}


def test_privileged_flag_set_on_the_target_is_kept(fresh: SecurityTarget) -> None:
    with fresh.engine.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.security_users SET privileged = true WHERE user_id = 'JDE'"))
    fresh.run(security_users, run_id="manual__again")
    users = table(fresh, "security_users", "user_id")
    assert users["JDE"]["privileged"] is True and users["JDE"]["run_id"] == "manual__again"
    assert users["ADMIN1"]["privileged"] is False


# -- SECURITY_USERS_DATA -----------------------------------------------------------------------------


USER_DATA_CASES = [
    # rule, user, column, expected
    ("address number of the user", "ADMIN1", "address_number", 1001),
    ("search type E employee", "ADMIN1", "search_type", "E"),
    ("search type X: system account", "JDE", "search_type", "X"),
    ("business unit right-justified in JDE, trimmed", "ADMIN1", "business_unit", "30"),
    ("e-mail of F01151 type E", "ADMIN1", "email", "admin1@synthetic-jde.example"),
    ("e-mail through the shared address number", "SALES2", "email", "sales1@synthetic-jde.example"),
    ("language blank: NULL", "ADMIN1", "language", None),
    ("language F0092 ULLNGP", "SALES1", "language", "F"),
    ("date format F0092 ULFRMT", "ADMIN1", "date_format", "DME"),
    ("country F0092 ULCTR", "SALES1", "country", "FR"),
    ("category codes set only", "APCLRK1", "category_codes", {"ac01": "EU", "ac02": "FIN"}),
    ("category codes of a seller", "SALES2", "category_codes", {"ac01": "EU", "ac02": "SLS"}),
    ("user without sign-on record still has data", "NOSIGNON", "email", "nosignon@synthetic-jde.example"),
]


@pytest.mark.parametrize(("rule", "user", "column", "expected"), USER_DATA_CASES, ids=[c[0] for c in USER_DATA_CASES])
def test_users_data(collected: SecurityTarget, rule: str, user: str, column: str, expected: Any) -> None:
    assert table(collected, "security_users_data", "user_id")[user][column] == expected, rule


def test_users_data_one_row_per_user(collected: SecurityTarget) -> None:
    data = table(collected, "security_users_data", "user_id")
    users = table(collected, "security_users", "user_id")
    assert set(data) == set(users)


def test_users_data_needs_security_users(security_target: SecurityTarget) -> None:
    with pytest.raises(ConfigurationError, match="run the step SECURITY_USERS"):
        security_target.run(security_users_data)
    assert security_target.scalar("SELECT count(*) FROM nomasx1.security_users_data") == 0


# -- SECURITY_ASSIGNMENTS ----------------------------------------------------------------------------


ASSIGNMENT_CASES = [
    # rule, user, role, effective, expiration, include_in_all, status, role_missing
    ("never expires: active", "ADMIN1", "SYSADMIN", day(-900), None, True, "active", False),
    ("expired and still present", "AUDITOR1", "AUDITRO", day(-900), day(-300), True, "expired", False),
    ("re-granted the day the old one expired", "AUDITOR1", "AUDITRO", day(-300), None, True, "active", False),
    ("expired 30 days ago", "AUDITOR1", "APSUPER", day(-300), day(-30), True, "expired", False),
    ("effective in 10 days: future", "APMGR1", "APSUPER", day(10), None, True, "future", False),
    ("expires on the as-of date: expired", "GLUSER1", "GLACCT", day(-250), AS_OF, True, "expired", False),
    ("expires tomorrow: active (last day)", "GLUSER1", "SALESREP", day(-100), day(1), True, "active", False),
    ("RLCUSTOM 0: not included in *ALL", "SALES1", "SALESREP", day(-150), None, False, "active", False),
    ("RLCUSTOM 1: included in *ALL", "SALES2", "SALESREP", day(-150), None, True, "active", False),
    ("role that does not exist: role_missing", "GHOSTED1", "OLDROLE", day(-800), None, True, "active", True),
    ("disabled user's assignment kept", "BUYER1", "PURCHASE", day(-600), None, True, "active", False),
    ("composite role assigned to a user", "NESTED1", "ALLFIN", day(-100), None, True, "active", False),
    ("user without sign-on record", "NOSIGNON", "AUDITRO", day(-10), None, True, "active", False),
]


@pytest.mark.parametrize(
    ("rule", "user", "role", "effective", "expiration", "include", "status", "missing"),
    ASSIGNMENT_CASES,
    ids=[c[0] for c in ASSIGNMENT_CASES],
)
def test_assignments(
    collected: SecurityTarget,
    rule: str,
    user: str,
    role: str,
    effective: dt.date,
    expiration: dt.date | None,
    include: bool,
    status: str,
    missing: bool,
) -> None:
    row = table(collected, "security_assignments", "user_id, role_id, effective_date")[(user, role, effective)]
    assert (row["expiration_date"], row["include_in_all"], row["status"], row["role_missing"]) == (
        expiration,
        include,
        status,
        missing,
    ), rule


def test_assignments_are_user_rows_only(collected: SecurityTarget) -> None:
    rows = table(collected, "security_assignments", "user_id, role_id, effective_date")
    assert len(rows) == 29  # 31 F95921 fixture rows minus the two role-in-role rows
    assert not {u for u, _, _ in rows} & {"APCLERK", "GLACCT", "ALLFIN"}  # ALLFIN -> APCLERK / GLACCT
    assert {(u, r) for (u, r, _), v in rows.items() if v["status"] == "expired"} == {
        ("AUDITOR1", "APSUPER"),
        ("AUDITOR1", "AUDITRO"),
        ("GLUSER1", "GLACCT"),
    }
    assert {(u, r) for (u, r, _), v in rows.items() if v["status"] == "future"} == {("APMGR1", "APSUPER")}
    assert {(u, r) for (u, r, _), v in rows.items() if v["role_missing"]} == {("GHOSTED1", "OLDROLE")}
    assert not any(u == "NOROLE1" for u, _, _ in rows)


@pytest.mark.parametrize(("step", "missing"), [("roles", "SECURITY_ROLES"), ("users", "SECURITY_USERS")])
def test_assignments_need_users_and_roles(security_target: SecurityTarget, step: str, missing: str) -> None:
    security_target.run(security_users if step == "roles" else security_roles)
    with pytest.raises(ConfigurationError, match=f"run the step {missing}"):
        security_target.run(security_assignments)


# -- re-runs and the source catalogue ----------------------------------------------------------------

TABLES = {
    "security_roles": "role_id",
    "security_users": "user_id",
    "security_users_data": "user_id",
    "security_assignments": "user_id, role_id, effective_date",
}


def snapshot(target: SecurityTarget) -> dict[str, dict[Any, dict[str, Any]]]:
    result = {}
    for name, key in TABLES.items():
        rows = table(target, name, key)
        for row in rows.values():
            row.pop("refreshed_at")
            row.pop("run_id")
        result[name] = rows
    return result


def test_rerun_is_idempotent(security_target: SecurityTarget) -> None:
    first_counts = run_all(security_target)
    first = snapshot(security_target)
    again = run_all(security_target, run_id="manual__second")
    expected = {"security_roles": 8, "security_users": 20, "security_users_data": 20, "security_assignments": 29}
    assert first_counts == expected
    assert again == expected
    assert snapshot(security_target) == first
    run_ids = security_target.rows("SELECT DISTINCT run_id FROM nomasx1.security_assignments")
    assert run_ids == [("manual__second",)]


def test_audit_rows_of_the_steps(collected: SecurityTarget) -> None:
    audit = collected.rows(
        "SELECT step, status, rows_written FROM nomasx1.collect_audit WHERE apps_id = 10 ORDER BY started_at"
    )
    assert audit == [
        ("SECURITY_ROLES", "success", 8),
        ("SECURITY_USERS", "success", 20),
        ("SECURITY_USERS_DATA", "success", 20),
        ("SECURITY_ASSIGNMENTS", "success", 29),
    ]


def test_optional_include_in_all_column_absent(fresh: SecurityTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    use_catalogue(fresh, monkeypatch, {"F95921.include_in_all": "RLNOSUCHCOL"})
    fresh.run(security_users)
    fresh.run(security_assignments)
    assignments = table(fresh, "security_assignments", "user_id, role_id, effective_date")
    assert len(assignments) == 29
    assert all(r["include_in_all"] for r in assignments.values())  # absent: every role counts
    users = table(fresh, "security_users", "user_id")
    assert users["SALES1"]["no_role"] is False  # its SALESREP assignment is now included
    assert {u for u, r in users.items() if r["no_role"]} == {"NOROLE1"}


@pytest.mark.parametrize(
    ("override", "step", "physical"),
    [
        ({"F0092.user_id": "ULBADUSER"}, security_users, "ulbaduser"),
        ({"F95921.member_id": "RLBADMEMBER"}, security_assignments, "rlbadmember"),
    ],
    # F9312 and F01151 are optional enrichment since issue 10: tests/test_coded_values.py covers them
    ids=["F0092 user_id", "F95921 member"],
)
def test_missing_required_name_fails_and_keeps_rows(
    fresh: SecurityTarget, monkeypatch: pytest.MonkeyPatch, override: dict[str, str], step: Any, physical: str
) -> None:
    before = snapshot(fresh)
    use_catalogue(fresh, monkeypatch, override)
    with pytest.raises(SourceUnavailableError, match=physical):
        fresh.run(step, run_id="manual__broken")
    assert snapshot(fresh) == before
    assert fresh.scalar("SELECT count(*) FROM nomasx1.security_users WHERE run_id = 'manual__broken'") == 0
    status, message = fresh.rows("SELECT status, message FROM nomasx1.collect_audit WHERE run_id = 'manual__broken'")[0]
    assert status == "failed" and physical in message


# -- edge cases on a source of our own ---------------------------------------------------------------


@pytest.fixture
def jde_edited(pg_server: URL) -> Iterator[URL]:
    """A tiny source with hand-made F95921 rows: RLEFFDATE 0, a key repeated once trimmed, a blank
    RLCUSTOM."""
    url = testing.create_database(pg_server, prefix="nomasx1_sec_edit")
    generate(url.render_as_string(hide_password=False), profile="tiny", seed=1, as_of=AS_OF)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO sy920.f95921 (rlfrrole, rltorole, rleffdate, rlexpirdate, rlcustom) VALUES "
                    # NOROLE1 gets a role effective since always (RLEFFDATE 0)
                    "('APCLERK', 'NOROLE1', 0, 0, '1'), "
                    # the key of FORMUSR1/SALESREP (A-60, never) once trimmed, with an earlier expiration
                    "(' SALESREP', 'FORMUSR1', (SELECT rleffdate FROM sy920.f95921 "
                    "  WHERE rltorole = 'FORMUSR1' AND rlfrrole = 'SALESREP'), :exp, '1'), "
                    # blank include-in-*ALL flag: not included
                    "('PURCHASE', 'NESTED1', :eff, 0, ' ')"
                ),
                {"exp": 126001, "eff": 126001},
            )
    finally:
        engine.dispose()
    yield url
    testing.drop_database(url)


def test_effective_zero_duplicates_and_blank_flag(
    pg_engine: sa.Engine, jde_edited: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make_target(pg_engine, jde_edited, monkeypatch)
    counts = run_all(target)
    assert counts["security_assignments"] == 29 + 2  # NOROLE1 and NESTED1 rows; the repeated key kept once
    rows = table(target, "security_assignments", "user_id, role_id, effective_date")
    norole = rows[("NOROLE1", "APCLERK", dt.date(1900, 1, 1))]
    assert (norole["status"], norole["expiration_date"]) == ("active", None)  # RLEFFDATE 0: since always
    formusr = [v for (u, r, _), v in rows.items() if (u, r) == ("FORMUSR1", "SALESREP")]
    assert [(v["effective_date"], v["expiration_date"]) for v in formusr] == [(day(-60), None)]  # latest expiration
    nested = rows[("NESTED1", "PURCHASE", dt.date(2026, 1, 1))]
    assert nested["include_in_all"] is False
    users = table(target, "security_users", "user_id")
    assert users["NOROLE1"]["no_role"] is False


def test_historical_as_of_ignores_later_sign_ons(security_target) -> None:
    """An as-of date in the past: sign-ons after it neither count as last login nor stop dormancy."""
    import datetime as dt

    from airflow_provider_nomasx1.collectors.security import principals

    as_of = dt.date(2026, 11, 28) - dt.timedelta(days=45)
    security_target.run(principals.security_roles)
    security_target.run(principals.security_users, as_of_date=as_of.isoformat())
    latest, with_login = security_target.rows(
        "SELECT max(last_login_date), count(last_login_date) FROM nomasx1.security_users WHERE apps_id = 10"
    )[0]
    assert with_login > 0
    assert latest <= as_of

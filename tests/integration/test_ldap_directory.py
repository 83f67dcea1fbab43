"""SECURITY_LDAP and LDAP_RECONCILE against a real directory (OpenLDAP slapd on loopback with AD's
attributes): paging, AD conversions, excluded OUs, atomic replacement, the match rules and findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from support.directory import DirectoryTarget, make_directory_target

from airflow_provider_nomasx1.collectors.ldap.directory import security_ldap
from airflow_provider_nomasx1.collectors.ldap.reconcile import ldap_reconcile
from airflow_provider_nomasx1.demo.ldap_server import DirectoryServer

BASE = "dc=nomasx1,dc=test"
NEVER = "9223372036854775807"
#: FILETIME of 2020-01-01 00:00 UTC (100-ns ticks since 1601)
FILETIME_2020 = str(
    (dt.datetime(2020, 1, 1, tzinfo=dt.UTC) - dt.datetime(1601, 1, 1, tzinfo=dt.UTC))
    // dt.timedelta(microseconds=1)
    * 10
)
FILETIME_2099 = str(
    (dt.datetime(2099, 6, 30, tzinfo=dt.UTC) - dt.datetime(1601, 1, 1, tzinfo=dt.UTC))
    // dt.timedelta(microseconds=1)
    * 10
)


def user(account: str, ou: str = "Users", **attrs: object) -> tuple[str, dict]:
    values: dict[str, object] = {
        "objectClass": ["top", "person", "organizationalPerson", "inetOrgPerson", "user"],
        "cn": account.title(),
        "sn": account.title(),
        "sAMAccountName": account,
        "userPrincipalName": f"{account.lower()}@nomasx1.test",
        "userAccountControl": "512",
        "accountExpires": NEVER,
        "whenCreated": "20240115093000.0Z",
    }
    values.update({k: v for k, v in attrs.items() if v is not None})
    for key in [k for k, v in attrs.items() if v is None]:
        values.pop(key, None)
    return f"cn={account.title()},ou={ou},{BASE}", values


def ou(name: str) -> tuple[str, dict]:
    return f"ou={name},{BASE}", {"objectClass": ["top", "organizationalUnit"], "ou": name}


def group(name: str, members: list[str]) -> tuple[str, dict]:
    return f"cn={name},ou=Groups,{BASE}", {"objectClass": ["top", "group"], "cn": name, "sAMAccountName": name,
                                            "member": members}  # fmt: skip


def dn_of(account: str, ou_name: str = "Users") -> str:
    return f"cn={account.title()},ou={ou_name},{BASE}"


ENTRIES = [
    ou("Users"),
    ou("Disabled Users"),
    ou("Groups"),
    user(
        "AANN",
        employeeID="00000101",
        mail="ann@corp.test",
        department="Finance",
        manager=dn_of("BBOB"),
        title="<b>Controller</b>",
    ),  # matched by employee_id (leading zeros)
    user("bbob", description="102", mail="bob@corp.test", department="Sales"),  # employee_id via description
    user("CCARL", mail="carl@corp.test", userAccountControl="514"),  # matched by account, disabled
    user("dora.d", mail="DORA@corp.test"),  # matched by mail only
    user("EEVE", accountExpires=FILETIME_2020),  # matched by account, expired
    user("FFAY1", employeeID="106"),  # two directory accounts with the same HR id
    user("FFAY2", employeeID="106"),
    user(
        "OUTSIDER", mail="out@corp.test", accountExpires=FILETIME_2099, pwdLastSet="0", lastLogonTimestamp=FILETIME_2020
    ),  # a directory account without JDE user
    user("GONE", ou="Disabled Users", userAccountControl="514"),  # in an excluded OU
    user("PRINTER", sAMAccountName=None),  # a user entry without an account name: left out
    group("Finance", [dn_of("AANN"), dn_of("BBOB"), "cn=Nested,ou=Groups," + BASE]),
    group("Nested", [dn_of("CCARL")]),
]
#: (user id, address number, enabled, e-mail) of JDE application 10
JDE_USERS = [
    ("AANN", 101, True, "ann@corp.test"),
    ("BBOB", 102, True, None),
    ("CCARL", 103, True, None),
    ("DORA", 104, True, "dora@corp.test"),
    ("EEVE", 105, True, None),
    ("FAY", 106, True, None),
    ("HARRY", 107, True, None),  # no directory account: missing
    ("IRIS", 108, False, None),  # disabled in JDE, no directory account: no finding
    ("BATCHJOB", 0, True, None),  # a generic id
]


@pytest.fixture
def target(
    pg_engine: sa.Engine, fresh_directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DirectoryTarget]:
    fresh_directory.reset(ENTRIES)
    t = make_directory_target(pg_engine, fresh_directory, monkeypatch, page_size=3, excluded_ous="OU=Disabled Users")
    t.add_jde_users(JDE_USERS)
    yield t


def test_accounts_are_loaded_page_by_page_with_ad_conversions(target: DirectoryTarget) -> None:
    ctx = target.run(security_ldap)
    assert ctx.result.rows == {"security_ldap": 8, "security_ldap_groups": 2, "security_ldap_members": 4}
    details = ctx.result.details["directory"]
    assert details["pages"] >= 4 and (details["excluded"], details["without_account"]) == (1, 1)
    rows = target.rows(
        "SELECT account, employee_id, description, disabled, never_expires, expires_at, created_at, manager_account, "
        "title, password_set_at, last_logon_at, parent_dn FROM nomasx1.security_ldap WHERE apps_id = 50 "
        "ORDER BY account"
    )
    by_account = {r[0]: r for r in rows}
    assert sorted(by_account) == ["AANN", "CCARL", "EEVE", "FFAY1", "FFAY2", "OUTSIDER", "bbob", "dora.d"]
    ann = by_account["AANN"]
    assert ann[1:5] == ("00000101", None, False, True)
    assert ann[5] is None and ann[6] == dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC)
    assert ann[7] == "bbob" and ann[8] == "<b>Controller</b>"
    assert by_account["CCARL"][3] is True
    assert by_account["EEVE"][4:6] == (False, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    outsider = by_account["OUTSIDER"]
    assert outsider[5] == dt.datetime(2099, 6, 30, tzinfo=dt.UTC) and outsider[9] is None  # pwdLastSet 0: no date
    assert outsider[10] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC) and outsider[11] == f"ou=Users,{BASE}"
    members = target.rows("SELECT group_dn, member_account FROM nomasx1.security_ldap_members ORDER BY 1, 2 NULLS LAST")
    assert members == [
        (f"cn=Finance,ou=Groups,{BASE}", "AANN"),
        (f"cn=Finance,ou=Groups,{BASE}", "bbob"),
        (f"cn=Finance,ou=Groups,{BASE}", None),  # the nested group
        (f"cn=Nested,ou=Groups,{BASE}", "CCARL"),
    ]


def _findings(target: DirectoryTarget) -> set[tuple[str, str, str]]:
    """(finding, JDE user, directory account or '') of application 10 against the directory."""
    rows = target.rows(
        "SELECT finding, user_id, coalesce(account, '') FROM nomasx1.security_ldap_findings "
        "WHERE apps_id = 10 AND ldap_apps_id = 50"
    )
    return {tuple(r) for r in rows}


def test_match_rules_in_order_and_the_findings(target: DirectoryTarget) -> None:
    target.run(security_ldap)
    ctx = target.run(ldap_reconcile)
    matches = target.rows(
        "SELECT user_id, account, rule, candidates FROM nomasx1.security_ldap_matches "
        "WHERE apps_id = 10 AND ldap_apps_id = 50 ORDER BY user_id, account"
    )
    assert matches == [
        ("AANN", "AANN", "employee_id", 1),  # employeeID 00000101 = address number 101
        ("BBOB", "bbob", "employee_id", 1),  # no employeeID: the description holds the HR id
        ("CCARL", "CCARL", "account", 1),
        ("DORA", "dora.d", "mail", 1),  # the F01151 address, whatever the case
        ("EEVE", "EEVE", "account", 1),
        ("FAY", "FFAY1", "employee_id", 2),
        ("FAY", "FFAY2", "employee_id", 2),
    ]
    assert _findings(target) == {
        ("directory_disabled", "CCARL", "CCARL"),
        ("directory_expired", "EEVE", "EEVE"),
        ("directory_missing", "HARRY", ""),
        ("generic_without_directory", "BATCHJOB", ""),
        ("ambiguous", "FAY", "FFAY1"),
        ("ambiguous", "FAY", "FFAY2"),
        ("directory_only", "", "OUTSIDER"),
    }
    severities = dict(target.rows("SELECT finding, min(severity) FROM nomasx1.security_ldap_findings GROUP BY 1"))
    assert severities["directory_disabled"] == "risk" and severities["ambiguous"] == "warning"
    assert severities["directory_only"] == "information"
    summary = ctx.result.details["reconciled"]["10"]
    assert (summary["users"], summary["matched"]) == (9, 6)


def test_rule_order_decides_and_a_rule_left_out_is_not_tried(target: DirectoryTarget) -> None:
    from airflow_provider_nomasx1.applications import Registry

    target.run(security_ldap)
    Registry(target.engine, "nomasx1").update(50, match_rules="account,mail")
    target.run(ldap_reconcile)
    rules = dict(target.rows("SELECT user_id, rule FROM nomasx1.security_ldap_matches WHERE apps_id = 10"))
    # AANN is found by account now (employee_id is not tried); bbob by account too; FAY by nothing
    assert rules == {"AANN": "account", "BBOB": "account", "CCARL": "account", "DORA": "mail", "EEVE": "account"}
    assert ("directory_missing", "FAY", "") in _findings(target)


def test_hr_terminated_from_the_latest_employees_snapshot(target: DirectoryTarget) -> None:
    with target.engine.begin() as conn:
        for day, terminated in ((dt.date(2026, 10, 1), False), (dt.date(2026, 11, 1), True)):
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.license_jde_employees (apps_id, extract_date, address_number, internal, "
                    "in_hr_master, terminated, termination_date) VALUES (10, :d, 101, true, true, :t, :td)"
                ),
                {"d": day, "t": terminated, "td": dt.date(2026, 10, 15) if terminated else None},
            )
    target.run(security_ldap)
    target.run(ldap_reconcile)
    rows = target.rows(
        "SELECT user_id, termination_date, severity FROM nomasx1.security_ldap_findings WHERE finding = 'hr_terminated'"
    )
    assert rows == [("AANN", dt.date(2026, 10, 15), "risk")]


def test_an_account_disabled_in_the_directory_is_a_finding_on_the_next_run(
    target: DirectoryTarget, fresh_directory: DirectoryServer
) -> None:
    target.run(security_ldap)
    target.run(ldap_reconcile)
    assert not any(f[1] == "AANN" for f in _findings(target))
    fresh_directory.modify(dn_of("AANN"), {"userAccountControl": "514"})
    target.run(security_ldap, run_id="manual__second")
    target.run(ldap_reconcile, run_id="manual__second")
    assert ("directory_disabled", "AANN", "AANN") in _findings(target)
    assert target.scalar("SELECT disabled FROM nomasx1.security_ldap WHERE account = 'AANN'") is True
    assert target.scalar("SELECT DISTINCT run_id FROM nomasx1.security_ldap") == "manual__second"


def test_reconcile_refuses_when_no_enabled_user_matches(target: DirectoryTarget) -> None:
    from airflow_provider_nomasx1.errors import ConfigurationError

    target.run(security_ldap)
    target.add_jde_users([(f"X{i:03d}", 900 + i, True, None) for i in range(12)])
    with target.engine.begin() as conn:  # the users that matched are gone: 13 enabled users, none in the directory
        conn.exec_driver_sql(
            "DELETE FROM nomasx1.security_users WHERE user_id IN ('AANN','BBOB','CCARL','DORA','EEVE','FAY')"
        )
    with pytest.raises(ConfigurationError, match="none of the 13 enabled JDE users of application 10 matched"):
        target.run(ldap_reconcile)
    assert target.scalar("SELECT count(*) FROM nomasx1.security_ldap_findings") == 0

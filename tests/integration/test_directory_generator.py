"""The synthetic directory of a synthetic JDE source: fixture outcomes, shapes, determinism, DN order,
streaming, the generated mix (demo profile) and a load into a real slapd.

The expectations of FIXTURE_DIRECTORY are checked against a small reference reconciliation written
here from the rules of the LDAP directory job (employee_id, account, mail; disabled, expired, missing,
ambiguous, terminated), run on the JDE tables read with their own SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from ldap3.utils.dn import parse_dn
from sqlalchemy.engine import URL
from support.security import AS_OF

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo import ldap_server
from airflow_provider_nomasx1.demo.directory_generator import (
    DEPARTMENTS,
    DIRECTORY_ONLY,
    FIXTURE_DIRECTORY,
    JDE_GROUP,
    NEVER_EXPIRES,
    OUS,
    USER_CLASSES,
    filetime,
    jde_directory_entries,
)
from airflow_provider_nomasx1.demo.jde_generator import FIXTURE_USERS, generate
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap

BASE = "dc=nomasx1,dc=test"
SCHEMAS = JdeSchemaMap()
#: attributes of the standard schemas slapd loads before ad.schema (core, cosine, inetorgperson)
STANDARD_ATTRIBUTES = {
    "objectClass", "cn", "sn", "givenName", "displayName", "mail", "manager", "physicalDeliveryOfficeName", "l",
    "title", "telephoneNumber", "mobile", "description", "member", "ou",
}  # fmt: skip


@dataclass(frozen=True)
class JdeUser:
    user_id: str
    an8: int
    enabled: bool
    email: str | None
    terminated: bool


def jde_users(engine: sa.Engine) -> dict[str, JdeUser]:
    """The JDE side of the reconciliation, read independently of the generator's SQL."""
    sql = """
        SELECT trim(u.uluser), u.ulan8, trim(s.sceuser) = '01',
               (SELECT trim(m.eaemal) FROM ps920dta.f01151 m
                WHERE m.eaan8 = u.ulan8 AND m.eaidln = 0 ORDER BY m.earck7 LIMIT 1),
               coalesce(trim(e.yapast) = 'T' OR e.yadt <> 0, false)
        FROM sy920.f0092 u
        LEFT JOIN sy920.f98owsec s ON s.scuser = u.uluser
        LEFT JOIN ps920dta.f060116 e ON e.yaan8 = u.ulan8
        WHERE u.ulugrp <> '*ROLE'
    """
    with engine.connect() as conn:
        return {r[0]: JdeUser(r[0], int(r[1]), bool(r[2]), r[3], bool(r[4])) for r in conn.execute(sa.text(sql))}


def one(attributes: dict[str, list[str]], name: str) -> str | None:
    values = attributes.get(name)
    return values[0] if values else None


class Index:
    """The directory's user accounts by the three match keys."""

    def __init__(self, entries: list) -> None:
        self.by_number: dict[int, list] = {}
        self.by_sam: dict[str, list] = {}
        self.by_mail: dict[str, list] = {}
        for dn, a in entries:
            if "user" not in a["objectClass"]:
                continue
            number = one(a, "employeeID") or one(a, "description") or ""
            if number.isdigit():
                self.by_number.setdefault(int(number), []).append((dn, a))
            self.by_sam.setdefault(one(a, "sAMAccountName").lower(), []).append((dn, a))
            if one(a, "mail"):
                self.by_mail.setdefault(one(a, "mail").lower(), []).append((dn, a))

    def candidates(self, user: JdeUser) -> tuple[str | None, list]:
        rules = (
            ("employee_id", self.by_number.get(user.an8, []) if user.an8 else []),
            ("account", self.by_sam.get(user.user_id.lower(), [])),
            ("mail", self.by_mail.get(user.email.lower(), []) if user.email else []),
        )
        return next(((rule, found) for rule, found in rules if found), (None, []))


def expired(attributes: dict[str, list[str]], as_of: dt.date) -> bool:
    value = one(attributes, "accountExpires")
    start = filetime(dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC))
    return value not in ("0", NEVER_EXPIRES) and int(value) < int(start)


def inactive(attributes: dict[str, list[str]], as_of: dt.date) -> bool:
    return bool(int(one(attributes, "userAccountControl")) & 0x2) or expired(attributes, as_of)


def reconcile(user: JdeUser, index: Index, as_of: dt.date) -> tuple[str | None, frozenset[str], str | None]:
    """(rule, findings, OU of the first account) by the directory job's rules, as of ``as_of``."""
    rule, found = index.candidates(user)
    findings = set()
    if len(found) > 1:
        findings.add("ambiguous")
    if user.enabled:
        if not found:
            findings.add("directory_missing")
        elif all(inactive(a, as_of) for _, a in found):
            for _, a in found:
                disabled = int(one(a, "userAccountControl")) & 0x2
                findings.add("directory_disabled" if disabled else "directory_expired")
        if user.terminated:
            findings.add("hr_terminated")
    ou = parse_dn(found[0][0])[1][1] if found else None
    return rule, frozenset(findings), ou


def parent(dn: str) -> str:
    return ",".join(f"{name}={value}" for name, value, _ in parse_dn(dn)[1:])


@pytest.fixture(scope="module")
def tiny_engine(jde_tiny: URL) -> Iterator[sa.Engine]:
    engine = sa.create_engine(jde_tiny)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def tiny_entries(tiny_engine: sa.Engine) -> list:
    return list(jde_directory_entries(tiny_engine, SCHEMAS, base_dn=BASE, as_of=AS_OF))


def users(entries: list) -> list:
    return [(dn, a) for dn, a in entries if "user" in a["objectClass"]]


# --------------------------------------------------------------------------------------------------
# the tiny profile: the fixtures
# --------------------------------------------------------------------------------------------------


def test_every_fixture_user_has_a_documented_outcome() -> None:
    assert set(FIXTURE_DIRECTORY) == set(FIXTURE_USERS)
    findings = Counter(f for outcome in FIXTURE_DIRECTORY.values() for f in outcome.findings)
    assert findings == {
        "directory_disabled": 1, "directory_expired": 1, "directory_missing": 1, "ambiguous": 1, "hr_terminated": 1,
    }  # fmt: skip
    rules = Counter(outcome.rule for outcome in FIXTURE_DIRECTORY.values())
    assert rules == {"employee_id": 9, "account": 6, "mail": 3, None: 2}


def test_fixture_outcomes_follow_from_the_jde_data(tiny_engine: sa.Engine, tiny_entries: list) -> None:
    jde = jde_users(tiny_engine)
    index = Index(tiny_entries)
    got = {user: reconcile(jde[user], index, AS_OF) for user in FIXTURE_USERS}
    expected = {user: (o.rule, o.findings, o.ou) for user, o in FIXTURE_DIRECTORY.items()}
    assert got == expected
    assert expected["LEAVER1"] == ("employee_id", frozenset({"hr_terminated"}), "Users")
    assert expected["NESTED1"] == (None, frozenset({"directory_missing"}), None)


def test_the_mail_matches_match_by_mail_only(tiny_engine: sa.Engine, tiny_entries: list) -> None:
    jde = jde_users(tiny_engine)
    mail_users = [user for user, o in FIXTURE_DIRECTORY.items() if o.rule == "mail"]
    assert mail_users == ["APCLRK2", "NEVERIN", "MULTI1"]
    for user in mail_users:
        [(dn, a)] = [
            (dn, a) for dn, a in users(tiny_entries) if (one(a, "mail") or "").lower() == jde[user].email.lower()
        ]
        assert jde[user].email == f"{user.lower()}@synthetic-jde.example"
        assert "employeeID" not in a and not one(a, "description").isdigit()
        assert one(a, "sAMAccountName").lower() != user.lower()
    by_sam = {one(a, "sAMAccountName"): a for _, a in users(tiny_entries)}
    aliases = {"APCLRK2": "p.apclrk2", "NEVERIN": "n.neverin", "MULTI1": "m.multi1"}
    mails = {user: one(by_sam[sam], "mail") for user, sam in aliases.items()}
    assert mails == {
        "APCLRK2": "Apclrk2@synthetic-jde.example",
        "NEVERIN": "NEVERIN@SYNTHETIC-JDE.EXAMPLE",
        "MULTI1": "multi1@synthetic-jde.example",
    }


def test_fixture_attribute_values(tiny_entries: list) -> None:
    by_sam = {one(a, "sAMAccountName"): (dn, a) for dn, a in users(tiny_entries)}
    assert one(by_sam["a.auditor1"][1], "employeeID") == "00001002"
    assert "employeeID" not in by_sam["p.apclrk1"][1] and one(by_sam["p.apclrk1"][1], "description") == "1003"
    assert one(by_sam["g.ghosted1"][1], "description") == "00001014"
    assert one(by_sam["g.ghosted1"][1], "userAccountControl") == "528"  # locked out
    assert one(by_sam["norole1"][1], "userAccountControl") == "514"
    assert one(by_sam["Pwdold1"][1], "userAccountControl") == "66048"
    assert by_sam["b.buyer1"][0] == f"cn=Buyer\\, Bianca (b.buyer1),ou=Disabled Users,{BASE}"
    assert by_sam["JDE"][0] == f"cn=JDE,ou=Service Accounts,{BASE}"
    assert one(by_sam["JDE"][1], "accountExpires") == NEVER_EXPIRES
    assert {one(by_sam[s][1], "employeeID") for s in ("m.apmgr1", "adm.apmgr1")} == {"1005"}
    dormant = dt.datetime.combine(AS_OF - dt.timedelta(days=30), dt.time(), dt.UTC)
    assert one(by_sam["d.dormant1"][1], "accountExpires") == filetime(dormant)
    neverin = by_sam["n.neverin"][1]
    assert one(neverin, "pwdLastSet") == "0" and "lastLogonTimestamp" not in neverin
    assert by_sam["r.mueller"][0] == f"cn=Müller\\, René (r.mueller),ou=Users,{BASE}"
    assert one(by_sam["svc_reporting"][1], "description") == "<b>x</b> reporting service"
    values = [v for _, a in tiny_entries for vs in a.values() for v in vs]
    assert any("é" in v for v in values) and any("ü" in v for v in values)


def test_directory_only_accounts_match_no_jde_user(tiny_engine: sa.Engine, tiny_entries: list) -> None:
    jde = jde_users(tiny_engine)
    accounts = {one(a, "sAMAccountName"): (dn, a) for dn, a in users(tiny_entries)}
    index = Index(tiny_entries)
    matched = {one(a, "sAMAccountName") for user in jde.values() for _, a in index.candidates(user)[1]}
    unmatched = set(accounts) - matched
    active = {sam for sam in unmatched if not inactive(accounts[sam][1], AS_OF)}
    assert active == set(DIRECTORY_ONLY)  # the job's directory_only information
    assert unmatched - active == {"f.former1021"}  # disabled: no finding
    assert parse_dn(accounts["f.former1021"][0])[1][1] == "Disabled Users"


def test_entry_shapes(tiny_entries: list) -> None:
    required = {
        "cn", "sn", "givenName", "displayName", "sAMAccountName", "userPrincipalName", "company", "department",
        "physicalDeliveryOfficeName", "l", "title", "telephoneNumber", "whenCreated", "accountExpires",
        "pwdLastSet", "userAccountControl", "description",
    }  # fmt: skip
    people = users(tiny_entries)
    assert len(people) == 18 + 1 + 2 + 4  # 18 fixtures with an account (APMGR1 two), 1020/1021, 4 fixed
    for _, a in people:
        assert tuple(a["objectClass"]) == USER_CLASSES
        assert required <= set(a), required - set(a)
        assert re.fullmatch(r"\d{14}\.0Z", one(a, "whenCreated"))
        assert int(one(a, "userAccountControl")) & 512
        assert all(len(v) == 1 for name, v in a.items() if name != "objectClass")
    assert sum("manager" not in a for _, a in people) == 1
    dns = {dn for dn, _ in people}
    assert all(one(a, "manager") in dns for _, a in people if "manager" in a)
    groups = {one(a, "cn"): a for _, a in tiny_entries if a["objectClass"] == ["top", "group"]}
    assert set(groups) == {*DEPARTMENTS, JDE_GROUP}
    assert len(groups[JDE_GROUP]["member"]) == 18  # every JDE user's account but the twin
    assert set(groups[JDE_GROUP]["member"]) <= dns
    assert "member" not in groups["Administration"]  # an empty group: no member attribute
    assert all(set(groups[d]["member"]) <= dns for d in DEPARTMENTS if d != "Administration")


def test_attribute_names_exist_in_the_ad_schema(tiny_entries: list) -> None:
    schema = Path(ldap_server.AD_SCHEMA).read_text()
    known = STANDARD_ATTRIBUTES | set(re.findall(r"attributetype \( [\d.]+ NAME '(\w+)'", schema))
    used = {name for _, a in tiny_entries for name in a}
    assert used <= known, used - known
    classes = {c for _, a in tiny_entries for c in a["objectClass"]}
    assert classes <= {"top", "person", "organizationalPerson", "inetOrgPerson", "user", "group", "organizationalUnit"}


def test_deterministic_unique_and_parents_first(tiny_engine: sa.Engine, tiny_entries: list) -> None:
    assert list(jde_directory_entries(tiny_engine, SCHEMAS, base_dn=BASE, as_of=AS_OF)) == tiny_entries
    assert [dn for dn, _ in tiny_entries[:4]] == [f"ou={ou},{BASE}" for ou in OUS]
    dns = [dn for dn, _ in tiny_entries]
    assert len(set(dns)) == len(dns)
    seen = {BASE}
    for dn in dns:
        assert parent(dn) in seen, dn
        seen.add(dn)


def test_the_people_are_read_through_a_server_side_cursor(tiny_engine: sa.Engine, jde_tiny: URL) -> None:
    entries = jde_directory_entries(tiny_engine, SCHEMAS, base_dn=BASE, as_of=AS_OF)
    head = [next(entries) for _ in range(6)]  # the OUs, then the first people
    assert "user" in head[5][1]["objectClass"]
    with tiny_engine.connect() as conn:
        statements = conn.execute(
            sa.text("SELECT query FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": jde_tiny.database},
        ).scalars()
        statements = list(statements)
        assert any(q.startswith("FETCH FORWARD 1000 FROM") for q in statements), statements
    entries.close()


# --------------------------------------------------------------------------------------------------
# the demo profile: the generated users' mix
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jde_demo(pg_server: URL) -> Iterator[sa.Engine]:
    url = testing.create_database(pg_server, prefix="nomasx1_dir_src")
    generate(url.render_as_string(hide_password=False), profile="demo", seed=1, as_of=AS_OF)
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()
    testing.drop_database(url)


def test_demo_generated_users_reach_jde_through_every_rule(jde_demo: sa.Engine) -> None:
    entries = list(jde_directory_entries(jde_demo, SCHEMAS, base_dn=BASE, as_of=AS_OF))
    jde = jde_users(jde_demo)
    index = Index(entries)
    outcomes = [reconcile(u, index, AS_OF) for u in jde.values() if u.user_id not in FIXTURE_USERS]
    n = len(outcomes)
    assert n == 480  # demo: 500 user profiles, 20 of them fixtures
    rules = Counter(rule for rule, _, _ in outcomes)
    findings = Counter(f for _, fs, _ in outcomes for f in fs)
    assert rules[None] < 0.1 * n and sum(rules[r] for r in ("employee_id", "account", "mail")) > 0.85 * n
    assert all(rules[r] > 0.1 * n for r in ("employee_id", "account", "mail")), rules
    kinds = ("directory_disabled", "directory_expired", "directory_missing", "ambiguous", "hr_terminated")
    assert all(findings[f] > 0 for f in kinds), findings
    clean = sum(rule is not None and not fs for rule, fs, _ in outcomes)
    assert clean > 0.75 * n  # most users matched without a finding
    people = [a for _, a in users(entries)]
    assert any(one(a, "employeeID").startswith("00") for a in people if "employeeID" in a)
    assert any(one(a, "description").isdigit() and "employeeID" not in a for a in people)
    assert any(parse_dn(dn)[1][1] == "Disabled Users" for dn, _ in users(entries))
    sams = Counter(one(a, "sAMAccountName").lower() for a in people)
    assert sams.most_common(1)[0][1] == 1  # account names are unique
    assert len({dn for dn, _ in entries}) == len(entries)


# --------------------------------------------------------------------------------------------------
# a real directory server
# --------------------------------------------------------------------------------------------------


def test_tiny_directory_loads_into_slapd(fresh_directory, tiny_engine: sa.Engine, tiny_entries: list) -> None:
    assert fresh_directory.base_dn == BASE
    entries = jde_directory_entries(tiny_engine, SCHEMAS, base_dn=BASE, as_of=AS_OF)
    assert fresh_directory.reset(entries) == len(tiny_entries) + 1  # slapadd, with the base entry
    conn = fresh_directory.connect()
    try:
        found = list(
            conn.extend.standard.paged_search(BASE, "(objectClass=*)", attributes=["cn"], paged_size=10, generator=True)
        )
        assert len([r for r in found if r["type"] == "searchResEntry"]) == len(tiny_entries) + 1  # + the base
        conn.search(BASE, "(sAMAccountName=A.AUDITOR1)", attributes=["employeeID", "userAccountControl"])
        assert [e.employeeID.value for e in conn.entries] == ["00001002"]
        conn.search(BASE, "(userAccountControl:1.2.840.113556.1.4.803:=2)", attributes=["sAMAccountName"])
        assert {e.sAMAccountName.value for e in conn.entries} == {"b.buyer1", "norole1", "f.former1021"}
        conn.search(f"cn={JDE_GROUP},ou=Groups,{BASE}", "(objectClass=group)", attributes=["member"])
        assert len(conn.entries[0].member.values) == 18
        conn.search(BASE, "(sAMAccountName=r.mueller)", attributes=["sn", "l"])
        assert (conn.entries[0].sn.value, conn.entries[0].l.value) == ("Müller", "Zürich")
        conn.search(BASE, "(sAMAccountName=svc_reporting)", attributes=["description"])
        assert conn.entries[0].description.value == "<b>x</b> reporting service"
    finally:
        conn.unbind()

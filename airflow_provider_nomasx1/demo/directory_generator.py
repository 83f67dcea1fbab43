"""Synthetic Active Directory entries for the LDAP directory job, matching the synthetic JDE source.

The directory job reconciles JDE users with directory accounts by ordered rules (``employee_id``:
employeeID, or description when employeeID is empty, equals the address number; ``account``:
sAMAccountName equals the user id; ``mail``: mail equals the F01151 e-mail) and reports leavers
(JDE-enabled, directory account disabled, expired or missing), ambiguous matches, terminated
employees who are JDE-enabled, and directory accounts without a JDE user. Testing that needs a
directory whose accounts reach the JDE users through *different* rules, on purpose:

- :func:`jde_directory_entries` reads the generated JDE people (one streamed query) and writes the
  directory that goes with them: the named fixtures get the fixed outcomes of
  :data:`FIXTURE_DIRECTORY`, the generated users one chosen by a hash of their user id;
- :func:`synthetic_entries` writes ``count`` AD-shaped users without any database (a benchmark);
- :func:`write_ldif` streams entries as RFC 2849 LDIF.

An entry is ``(dn, {attribute: [values]})`` with raw LDAP strings, parents before children; the
base entry itself is not produced (``demo/ldap_server.py`` creates it). Everything is
deterministic: hashes (blake2b) of the user id or of ``(seed, index)``, dates relative to the
as-of date, no clock and no ``random``. docs/synthetic-jde.md ("Directory") has the tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import sqlalchemy as sa

from airflow_provider_nomasx1.demo.ldif import write_ldif
from airflow_provider_nomasx1.jde.julian import from_julian
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.resources import fill_tokens, read_sql

__all__ = [
    "DEFAULT_GROUP_SIZE",
    "DEPARTMENTS",
    "DIRECTORY_ONLY",
    "FIXTURE_DIRECTORY",
    "JDE_GROUP",
    "NEVER_EXPIRES",
    "OUS",
    "SYNTHETIC_AS_OF",
    "USER_CLASSES",
    "Entry",
    "Finding",
    "FixtureOutcome",
    "Rule",
    "filetime",
    "generalized_time",
    "jde_directory_entries",
    "synthetic_entries",
    "write_ldif",
]

Entry = tuple[str, dict[str, list[str]]]
Rule = Literal["employee_id", "account", "mail"]
#: the names of the LDAP_RECONCILE findings (sql/ldap/ldap_reconcile.sql) the fixtures exercise
Finding = Literal["directory_disabled", "directory_expired", "directory_missing", "ambiguous", "hr_terminated"]

OU_USERS, OU_SERVICE, OU_DISABLED, OU_GROUPS = "Users", "Service Accounts", "Disabled Users", "Groups"
#: the organizational units under the base DN, in the order they are written
OUS: tuple[str, ...] = (OU_USERS, OU_SERVICE, OU_DISABLED, OU_GROUPS)
#: the group holding every JDE user's account
JDE_GROUP = "JDE Users"
DEPARTMENTS: tuple[str, ...] = ("Finance", "Sales", "Purchasing", "Logistics", "HR", "IT", "Administration")
USER_CLASSES: tuple[str, ...] = ("top", "person", "organizationalPerson", "inetOrgPerson", "user")
#: accountExpires: 0 and this value both mean "never"
NEVER_EXPIRES = "9223372036854775807"
#: the as-of date of synthetic_entries (fixed, so the output does not depend on the clock)
SYNTHETIC_AS_OF = dt.date(2025, 6, 30)
#: members of synthetic_entries' large group when group_size is not given (above AD's 1500-value range)
DEFAULT_GROUP_SIZE = 5000

UAC_NORMAL, UAC_DISABLED, UAC_LOCKED, UAC_PASSWORD_NEVER_EXPIRES = 512, 0x2, 0x10, 0x10000
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
_BATCH = 1000
_SQL = ("directory_generate", "jde_people.sql")


@dataclass(frozen=True)
class FixtureOutcome:
    """What the directory job should conclude for one fixture user: the rule that matches (None:
    no directory account), the findings, and the OU of the matching account."""

    rule: Rule | None
    findings: frozenset[Finding] = frozenset()
    ou: str | None = OU_USERS
    note: str = ""


def _outcome(rule: Rule | None, *findings: Finding, ou: str | None = OU_USERS, note: str = "") -> FixtureOutcome:
    return FixtureOutcome(rule, frozenset(findings), ou if rule else None, note)


#: the expected reconciliation of every named fixture user, in every profile (as of the as-of date)
FIXTURE_DIRECTORY: Mapping[str, FixtureOutcome] = MappingProxyType(
    {
        "JDE": _outcome("account", ou=OU_SERVICE, note="service account sAMAccountName JDE, password never expires"),
        "ADMIN1": _outcome("employee_id", note="employeeID 1001"),
        "AUDITOR1": _outcome("employee_id", note="employeeID 00001002 (leading zeros)"),
        "APCLRK1": _outcome("employee_id", note="no employeeID; description 1003"),
        "APCLRK2": _outcome("mail", note="mail Apclrk2@synthetic-jde.example (case differs)"),
        "APMGR1": _outcome("employee_id", "ambiguous", note="two accounts with employeeID 1005 (m.apmgr1, adm.apmgr1)"),
        "GLUSER1": _outcome("account", note="sAMAccountName gluser1"),
        "SALES1": _outcome("account", note="sAMAccountName Sales1; no employeeID (AN8 1007 is shared with SALES2)"),
        "SALES2": _outcome("account", note="sAMAccountName SALES2"),
        "BUYER1": _outcome(
            "employee_id", ou=OU_DISABLED, note="disabled in both: JDE 02 and the directory; no finding"
        ),
        "DORMANT1": _outcome("employee_id", "directory_expired", note="accountExpires 30 days before the as-of date"),
        "NEVERIN": _outcome("mail", note="mail NEVERIN@SYNTHETIC-JDE.EXAMPLE; never logged on (pwdLastSet 0)"),
        "NOROLE1": _outcome("account", "directory_disabled", note="userAccountControl 514, still in ou=Users"),
        "NESTED1": _outcome(None, "directory_missing", note="no directory account while JDE-enabled: leaver risk"),
        "GHOSTED1": _outcome("employee_id", note="description 00001014; locked out (userAccountControl 528)"),
        "LEAVER1": _outcome("employee_id", "hr_terminated", note="F060116 terminated A-60, account still enabled"),
        "PWDOLD1": _outcome("account", note="sAMAccountName Pwdold1; password never expires (66048)"),
        "MULTI1": _outcome("mail", note="mail multi1@synthetic-jde.example (same case)"),
        "FORMUSR1": _outcome("employee_id", note="accountExpires a real date 1000 days after the as-of date"),
        "NOSIGNON": _outcome(None, note="no directory account, but no F98OWSEC record (not JDE-enabled): no finding"),
    }
)

#: active directory accounts of every profile without a JDE user (the ``directory_only`` information;
#: sAMAccountName -> what they are). Also unmatched but disabled, so not reported: ``f.former1021``
#: (former employee 1021, terminated A-400, in ou=Disabled Users)
DIRECTORY_ONLY: Mapping[str, str] = MappingProxyType(
    {
        "e.employee1020": "employee 1020 (F0101, F060116) without a JDE user",
        "svc_jdebatch": "service account of the JDE batch server",
        "svc_backup": "backup service account, locked out",
        "svc_reporting": "reporting service account, description '<b>x</b> reporting service'",
        "r.mueller": "contractor René Müller, no JDE user, accountExpires in the future",
    }
)

# --------------------------------------------------------------------------------------------------
# the shape of a JDE user's directory account
# --------------------------------------------------------------------------------------------------

Case = Literal["upper", "lower", "title"]
_CASES: tuple[Case, ...] = ("upper", "lower", "title")


@dataclass(frozen=True)
class _Shape:
    """How a JDE user's account is written: which attribute carries the match (None: no account)."""

    match: Literal["employee_id", "description", "account", "mail"] | None
    padded: bool = False  # the address number with leading zeros (8 digits)
    case: Case = "upper"  # of the sAMAccountName (account) or of the mail (mail)
    disabled: bool = False
    ou: str = OU_USERS
    expires: str | int = "0"  # "0", NEVER_EXPIRES, or days after the as-of date
    locked: bool = False
    password_never_expires: bool = False
    twin: bool = False  # a second, administrative account with the same employeeID


_FIXTURE_SHAPES: Mapping[str, _Shape] = {
    "JDE": _Shape("account", ou=OU_SERVICE, expires=NEVER_EXPIRES, password_never_expires=True),
    "ADMIN1": _Shape("employee_id", expires=NEVER_EXPIRES),
    "AUDITOR1": _Shape("employee_id", padded=True),
    "APCLRK1": _Shape("description"),
    "APCLRK2": _Shape("mail", case="title"),
    "APMGR1": _Shape("employee_id", twin=True),
    "GLUSER1": _Shape("account", case="lower"),
    "SALES1": _Shape("account", case="title"),
    "SALES2": _Shape("account", case="upper"),
    "BUYER1": _Shape("employee_id", disabled=True, ou=OU_DISABLED),
    "DORMANT1": _Shape("employee_id", expires=-30),
    "NEVERIN": _Shape("mail", case="upper"),
    "NOROLE1": _Shape("account", case="lower", disabled=True),
    "NESTED1": _Shape(None),
    "GHOSTED1": _Shape("description", padded=True, locked=True),
    "LEAVER1": _Shape("employee_id"),
    "PWDOLD1": _Shape("account", case="title", password_never_expires=True),
    "MULTI1": _Shape("mail", case="lower"),
    "FORMUSR1": _Shape("employee_id", expires=1000),
    "NOSIGNON": _Shape(None),
}
#: the fixtures' title and department in the directory (F0101 files most of them under ADM)
_FIXTURE_JOBS = {
    "JDE": ("JD Edwards system account", "IT"), "ADMIN1": ("System Administrator", "IT"),
    "AUDITOR1": ("Internal Auditor", "Finance"), "APCLRK1": ("Accounts Payable Clerk", "Finance"),
    "APCLRK2": ("Accounts Payable Clerk", "Finance"), "APMGR1": ("Accounts Payable Manager", "Finance"),
    "GLUSER1": ("General Ledger Accountant", "Finance"), "SALES1": ("Sales Representative", "Sales"),
    "SALES2": ("Sales Representative", "Sales"), "BUYER1": ("Buyer", "Purchasing"),
    "DORMANT1": ("Warehouse Clerk", "Logistics"), "NEVERIN": ("Sales Assistant", "Sales"),
    "NOROLE1": ("HR Officer", "HR"), "NESTED1": ("Controller", "Finance"), "GHOSTED1": ("Payroll Clerk", "HR"),
    "LEAVER1": ("Sales Representative", "Sales"), "PWDOLD1": ("Buyer", "Purchasing"),
    "MULTI1": ("Finance Analyst", "Finance"), "FORMUSR1": ("Sales Assistant", "Sales"),
    "NOSIGNON": ("Logistics Planner", "Logistics"),
}  # fmt: skip


def _hash(text: str) -> int:
    """A stable 128-bit hash (Python's hash() changes per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16, person=b"nomasx1-dir").digest(), "big")


def _generated_shape(h: int) -> _Shape:
    """A generated user's shape: ~81 % matched (employee_id 48 %, account 27 %, mail 14 %, the
    rest leavers: 6 % disabled, 5 % expired, 5 % missing) and 3 % ambiguous."""
    bucket = h % 100
    roll = (h >> 24) % 10  # accountExpires: 70 % "0", 20 % "never", 10 % a real date after as-of
    common: dict[str, Any] = {
        "case": _CASES[(h >> 8) % 3],
        "expires": NEVER_EXPIRES if roll in (7, 8) else 400 + (h >> 12) % 1600 if roll == 9 else "0",
        "locked": (h >> 32) % 40 == 0,
        "password_never_expires": (h >> 40) % 15 == 0,
    }
    if bucket < 22:
        return _Shape("employee_id", **common)
    if bucket < 32:
        return _Shape("employee_id", padded=True, **common)
    if bucket < 40:
        return _Shape("description", padded=bool((h >> 48) & 1), **common)
    if bucket < 60 or bucket >= 93:
        return _Shape("account", **common)
    if bucket < 74:
        return _Shape("mail", **common)
    if bucket < 80:
        return _Shape("employee_id", disabled=True, ou=OU_DISABLED if (h >> 52) & 1 else OU_USERS, **common)
    if bucket < 85:
        return _Shape("employee_id", **{**common, "expires": -1 - (h >> 56) % 365})
    if bucket < 90:
        return _Shape(None)
    return _Shape("employee_id", twin=True, **common)


# --------------------------------------------------------------------------------------------------
# attribute values
# --------------------------------------------------------------------------------------------------


def filetime(moment: dt.datetime) -> str:
    """AD's large-integer time: 100-ns intervals since 1601-01-01 UTC, as text."""
    delta = moment.astimezone(dt.UTC) - _FILETIME_EPOCH
    return str((delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10)


def generalized_time(moment: dt.datetime) -> str:
    """LDAP generalized time as AD writes it: ``YYYYMMDDHHMMSS.0Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S.0Z")


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)


def _cased(text: str, case: Case) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    return text[:1].upper() + text[1:].lower()


_ACCENTS = {
    "Muller": "Müller", "Francois": "François", "Zoe": "Zoë", "Chloe": "Chloé", "Adele": "Adèle",
    "Irene": "Irène", "Guerin": "Guérin",
}  # fmt: skip
_DEPARTMENT_OF_CODE = {
    "FIN": "Finance", "SLS": "Sales", "PUR": "Purchasing", "MFG": "Logistics", "HR": "HR", "IT": "IT",
    "ADM": "Administration",
}  # fmt: skip
_TITLE_OF_JOB = {
    "CLERK": "Clerk", "ACCT": "Accountant", "SALES": "Sales Representative", "BUYER": "Buyer", "MGR": "Manager",
    "ANALYS": "Analyst", "ENGR": "Engineer",
}  # fmt: skip
#: business unit -> (l, physicalDeliveryOfficeName)
_OFFICES = {
    "1": ("Genève", "Genève HQ"), "10": ("Genève", "Genève HQ"), "20": ("Zürich", "Zürich Bahnhofstrasse"),
    "30": ("Lyon", "Lyon Part-Dieu"), "40": ("München", "München Nord"), "50": ("Köln", "Köln Hafen"),
    "60": ("Milano", "Milano Centro"), "70": ("Paris", "Paris La Défense"), "80": ("Barcelona", "Barcelona Port"),
    "90": ("London", "London Docklands"),
}  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    """The generator's word lists (sql/jde_generate/00_setup.sql), in directory spelling."""
    return tuple(text.split())


_FIRST = _words(
    "Anna Bruno Carla David Emma Felix Grace Hugo Ines Jonas Karin Louis Maria Nina Oscar Paula Quentin Rosa "
    "Samuel Tara Ugo Vera Walter Xenia Yann Zoe Adele Boris Chloe Dario Elena Fabien Greta Henri Irene Jules "
    "Lena Marc Nora Pierre"
)
_LAST = _words(
    "Smith Johnson Martin Dubois Garcia Muller Rossi Bernard Schmidt Lopez Wilson Moreau Fischer Bianchi Petit "
    "Weber Roux Taylor Martinez Leroy Wagner Romano Brown Fournier Becker Colombo Davies Girard Hoffmann Ricci "
    "Evans Bonnet Schulz Marino Thomas Lambert Koch Greco Walker Fontaine Richter Bruno Wright Chevalier Klein "
    "Gallo Roberts Francois Wolf Conti Hall Mercier Neumann Esposito Green Blanc Schwarz Costa Clark Guerin"
)


def _accented(name: str) -> str:
    """The directory spelling of a JDE (ASCII, upper-case) name: 'MULLER' -> 'Müller'."""
    return " ".join(_ACCENTS.get(part, part) for part in name.title().split())


def _rdn_value(value: str) -> str:
    """An attribute value escaped for a DN (RFC 4514)."""
    out = []
    for i, ch in enumerate(value):
        if ch in '\\,+"<>;=' or (ch == "#" and i == 0) or (ch == " " and i in (0, len(value) - 1)):
            out.append("\\" + ch)
        elif ch == "\0":
            out.append("\\00")
        else:
            out.append(ch)
    return "".join(out)


def _domain(base_dn: str) -> str:
    parts = [p.split("=", 1)[1].strip() for p in base_dn.split(",") if p.strip().lower().startswith("dc=")]
    return ".".join(parts).lower() or "nomasx1.test"


def _local_part(*names: str) -> str:
    return ".".join(re.sub(r"[^a-z0-9]+", "", n.lower()) for n in names if n)


# --------------------------------------------------------------------------------------------------
# accounts and entries
# --------------------------------------------------------------------------------------------------


@dataclass
class _Account:
    """One user entry before it is written (attributes that are None or '' are left out)."""

    ou: str
    cn: str
    sam: str
    given: str
    sn: str
    mail: str | None
    department: str
    company: str
    city: str
    office: str
    title: str
    phone: str
    mobile: str
    description: str
    employee_id: str | None
    created: dt.datetime
    expires: str
    pwd_last_set: str
    last_logon: str | None
    uac: int
    manager: str | None = None


@dataclass
class _Run:
    """One directory being written: where it goes, and the department heads (the managers)."""

    base_dn: str
    as_of: dt.date
    domain: str = ""
    heads: dict[str, str] = field(default_factory=dict)
    first_head: str | None = None

    def __post_init__(self) -> None:
        self.domain = _domain(self.base_dn)

    def dn(self, ou: str, cn: str) -> str:
        return f"cn={_rdn_value(cn)},ou={_rdn_value(ou)},{self.base_dn}"

    def manager(self, department: str, dn: str, *, head: bool = True) -> str | None:
        """A department's first person heads it (reporting to the first head of all); the others
        report to their head. Memory: one DN per department."""
        if department in self.heads:
            return self.heads[department]
        if not head:
            return self.first_head
        self.heads[department] = dn
        boss, self.first_head = self.first_head, self.first_head or dn
        return boss

    def expires(self, value: str | int) -> str:
        return filetime(_at(self.as_of + dt.timedelta(days=value), 0)) if isinstance(value, int) else value


def _entry(run: _Run, account: _Account) -> Entry:
    dn = run.dn(account.ou, account.cn)
    values: list[tuple[str, str | None]] = [
        ("cn", account.cn),
        ("sn", account.sn),
        ("givenName", account.given),
        ("displayName", f"{account.given} {account.sn}".strip()),
        ("sAMAccountName", account.sam),
        ("userPrincipalName", f"{account.sam.lower()}@{run.domain}"),
        ("mail", account.mail),
        ("manager", account.manager),
        ("company", account.company),
        ("department", account.department),
        ("physicalDeliveryOfficeName", account.office),
        ("l", account.city),
        ("title", account.title),
        ("telephoneNumber", account.phone),
        ("mobile", account.mobile),
        ("description", account.description),
        ("employeeID", account.employee_id),
        ("whenCreated", generalized_time(account.created)),
        ("accountExpires", account.expires),
        ("pwdLastSet", account.pwd_last_set),
        ("lastLogonTimestamp", account.last_logon),
        ("userAccountControl", str(account.uac)),
    ]
    attributes = {"objectClass": list(USER_CLASSES)}
    attributes.update((name, [value]) for name, value in values if value)
    return dn, attributes


def _uac(*, disabled: bool = False, locked: bool = False, password_never_expires: bool = False) -> int:
    return (
        UAC_NORMAL
        | (UAC_DISABLED if disabled else 0)
        | (UAC_LOCKED if locked else 0)
        | (UAC_PASSWORD_NEVER_EXPIRES if password_never_expires else 0)
    )


def _ou_entries(run: _Run) -> Iterator[Entry]:
    for ou in OUS:
        yield f"ou={_rdn_value(ou)},{run.base_dn}", {"objectClass": ["top", "organizationalUnit"], "ou": [ou]}


def _group(run: _Run, cn: str, sam: str, description: str, members: Sequence[str]) -> Entry:
    attributes = {"objectClass": ["top", "group"], "cn": [cn], "sAMAccountName": [sam], "description": [description]}
    if members:  # AD allows an empty group; the member attribute is then absent
        attributes["member"] = list(members)
    return run.dn(OU_GROUPS, cn), attributes


def _department_group(run: _Run, department: str, members: Sequence[str]) -> Entry:
    return _group(run, department, f"grp-{department.lower()}", f"Members of the {department} department", members)


def _jde_group(run: _Run, members: Sequence[str]) -> Entry:
    return _group(run, JDE_GROUP, "grp-jde-users", "Utilisateurs autorisés à JD Edwards EnterpriseOne", members)


# --------------------------------------------------------------------------------------------------
# the directory of a synthetic JDE source
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    """A row of jde_people.sql: a JDE user (``user_id``) or an employee without one."""

    user_id: str | None
    an8: int
    jde_first: str
    jde_last: str
    created: dt.date
    pwd_changed: dt.date | None
    last_signon: dt.date | None
    department: str
    city: str
    office: str
    email: str | None
    title: str
    terminated: bool
    h: int

    @property
    def given(self) -> str:
        return _accented(self.jde_first)

    @property
    def sn(self) -> str:
        return _accented(self.jde_last)


def _person(row: sa.Row[Any], as_of: dt.date) -> _Person:
    user_id = row.user_id
    alph = row.alph or (user_id or str(row.an8))
    last, _, first = alph.partition(",")
    city, office = _OFFICES.get((row.mcu or "").strip(), _OFFICES["10"])
    default_title = _TITLE_OF_JOB.get(row.job or "") or ("Employee" if row.at1 == "E" else "Contractor")
    title, department = _FIXTURE_JOBS.get(
        user_id or "", (default_title, _DEPARTMENT_OF_CODE.get(row.dept or "", "Administration"))
    )
    return _Person(
        user_id=user_id,
        an8=int(row.an8 or 0),
        jde_first=first.strip(),
        jde_last=last.strip(),
        created=from_julian(row.created) or as_of - dt.timedelta(days=1000),
        pwd_changed=from_julian(row.pwd_changed),
        last_signon=from_julian(row.last_signon),
        department=department,
        city=city,
        office=office,
        email=row.email or None,
        title=title,
        terminated=(row.pay_status or "") == "T" or bool(from_julian(row.terminated)),
        h=_hash(user_id or f"AN8:{row.an8}"),
    )


def _base_account(run: _Run, p: _Person, *, ou: str, cn: str, sam: str, shape: _Shape) -> _Account:
    """The attributes every account of a person shares; the caller sets the matching ones."""
    h = p.h
    created = _at(p.created - dt.timedelta(days=1), 8 * 3600 + h % 36_000)
    if p.last_signon is None:
        pwd_last_set, last_logon = "0", None  # never logged on: must change the password first
    else:
        pwd_last_set = filetime(_at(p.pwd_changed or p.created, 8 * 3600 + (h >> 16) % 30_000))
        seen = max(p.last_signon - dt.timedelta(days=(h >> 60) % 8), p.created)
        last_logon = filetime(_at(seen, 7 * 3600 + (h >> 20) % 36_000))
    return _Account(
        ou=ou,
        cn=cn,
        sam=sam,
        given=p.given,
        sn=p.sn,
        mail=f"{_local_part(p.jde_first, p.jde_last)}@{run.domain}",
        department=p.department,
        company="Synthétique SA" if (h >> 44) % 6 == 0 else "Synthetic Industries Inc.",
        city=p.city,
        office=p.office,
        title=p.title,
        phone=f"+41 22 555 {p.an8 % 10000:04d}",
        mobile=f"+41 79 {100 + (h >> 64) % 900} {p.an8 % 10000:04d}",
        description=f"{p.title}, {p.department}",
        employee_id=None,
        created=created,
        expires=run.expires(shape.expires),
        pwd_last_set=pwd_last_set,
        last_logon=last_logon,
        uac=_uac(disabled=shape.disabled, locked=shape.locked, password_never_expires=shape.password_never_expires),
    )


def _number(an8: int, padded: bool) -> str:
    return f"{an8:08d}" if padded else str(an8)


def _user_accounts(run: _Run, p: _Person) -> list[_Account]:
    """The directory accounts of a JDE user (none, one, or two for an ambiguous match)."""
    assert p.user_id is not None
    shape = _FIXTURE_SHAPES.get(p.user_id) or _generated_shape(p.h)
    match = shape.match
    if (match == "mail" and not p.email) or (match == "description" and not p.an8):
        match = "account"  # nothing to match on: fall back on the account name
    if match is None:
        return []
    alias = f"{(_local_part(p.jde_first) or 'x')[:1]}.{p.user_id}".lower()  # holds a '.': never a JDE id
    sam = _cased(p.user_id, shape.case) if match == "account" else alias
    service = shape.ou == OU_SERVICE
    cn = sam if service else f"{p.sn}, {p.given} ({sam})"
    account = _base_account(run, p, ou=shape.ou, cn=cn, sam=sam, shape=shape)
    if match == "employee_id":
        account.employee_id = _number(p.an8, shape.padded)
    elif match == "description":
        account.description = _number(p.an8, shape.padded)
    elif match == "mail":
        account.mail = _cased(p.email or "", shape.case)
    if service:
        account.department, account.description = "IT", f"{p.title}, IT"
    account.manager = run.manager(account.department, run.dn(account.ou, cn), head=not service)
    accounts = [account]
    if shape.twin:
        twin_sam = f"adm.{p.user_id}".lower()
        twin = _base_account(
            run, p, ou=OU_USERS, cn=f"{p.sn}, {p.given} ({twin_sam})", sam=twin_sam, shape=_Shape(None)
        )
        twin.employee_id, twin.description = account.employee_id, "Administrative account"
        twin.mail, twin.manager = f"adm.{_local_part(p.jde_first, p.jde_last)}@{run.domain}", account.manager
        accounts.append(twin)
    return accounts


def _employee_account(run: _Run, p: _Person) -> _Account:
    """An employee without a JDE user: directory-only (disabled in ou=Disabled Users once terminated)."""
    prefix = f"{(_local_part(p.jde_first) or 'x')[:1]}.{_local_part(p.jde_last).replace('.', '')}"
    sam = f"{prefix[: 20 - len(str(p.an8))]}{p.an8}"
    ou = OU_DISABLED if p.terminated else OU_USERS
    shape = _Shape("employee_id", disabled=p.terminated, ou=ou)
    cn = f"{p.sn}, {p.given} ({sam})"
    account = _base_account(run, p, ou=ou, cn=cn, sam=sam, shape=shape)
    account.employee_id = str(p.an8)
    account.manager = run.manager(account.department, run.dn(ou, cn))
    return account


def _fixed_accounts(run: _Run) -> Iterator[_Account]:
    """Directory-only accounts of every profile: service accounts and a contractor."""
    created = _at(run.as_of - dt.timedelta(days=2000), 9 * 3600)
    recent = filetime(_at(run.as_of - dt.timedelta(days=1), 2 * 3600))
    it_head = run.heads.get("IT") or run.first_head
    services = (
        ("svc_jdebatch", "JDE batch server service account (R09801, R42800)", False),
        ("svc_backup", "Backup service account", True),
        ("svc_reporting", "<b>x</b> reporting service", False),
    )
    for sam, description, locked in services:
        yield _Account(
            ou=OU_SERVICE, cn=sam, sam=sam, given="Service", sn=sam, mail=None, department="IT",
            company="Synthetic Industries Inc.", city="Genève", office="Genève HQ", title="Service account",
            phone="+41 22 555 0000", mobile="", description=description, employee_id=None, created=created,
            expires=NEVER_EXPIRES, pwd_last_set=filetime(created), last_logon=recent,
            uac=_uac(locked=locked, password_never_expires=True), manager=it_head,
        )  # fmt: skip
    yield _Account(
        ou=OU_USERS, cn="Müller, René (r.mueller)", sam="r.mueller", given="René", sn="Müller",
        mail=f"rene.mueller@{run.domain}", department="Logistics", company="Synthétique SA", city="Zürich",
        office="Zürich Bahnhofstrasse", title="Consultant (extern)", phone="+41 44 555 0101",
        mobile="+41 79 555 0101", description="Contractor, Logistics", employee_id=None,
        created=_at(run.as_of - dt.timedelta(days=120), 10 * 3600), expires=run.expires(200),
        pwd_last_set=filetime(_at(run.as_of - dt.timedelta(days=40), 10 * 3600)), last_logon=recent,
        uac=_uac(), manager=run.heads.get("Logistics") or run.first_head,
    )  # fmt: skip


def _people_sql(schemas: JdeSchemaMap) -> str:
    schemas = schemas.lower()
    tokens = {"system": quote(schemas.system, "JDE system schema"), "data": quote(schemas.data, "JDE data schema")}
    return fill_tokens(read_sql(*_SQL), tokens)


def jde_directory_entries(engine: sa.Engine, schemas: JdeSchemaMap, *, base_dn: str, as_of: dt.date) -> Iterator[Entry]:
    """The directory of the synthetic JDE source at ``engine`` (placed by ``schemas``, lower-cased
    as the generator does), as of ``as_of`` (accountExpires dates are relative to it).

    Yields the OUs, then each person's accounts (JDE users in user-id order, then employees
    without a user), the fixed directory-only accounts and the groups (department groups and
    :data:`JDE_GROUP`). The people come from one query streamed ``yield_per`` rows at a time; what
    is kept is the member DNs the groups are written with at the end.
    """
    run = _Run(base_dn, as_of)
    yield from _ou_entries(run)
    members: dict[str, list[str]] = {d: [] for d in (*DEPARTMENTS, JDE_GROUP)}
    with engine.connect() as conn:
        # stream_results + Result.yield_per: a server-side cursor fetching _BATCH rows at a time (in
        # SQLAlchemy 2.1 a Core yield_per execution option alone starts at 5 rows and grows)
        rows = conn.execution_options(stream_results=True).execute(sa.text(_people_sql(schemas))).yield_per(_BATCH)
        for row in rows:
            person = _person(row, as_of)
            accounts = _user_accounts(run, person) if person.user_id else [_employee_account(run, person)]
            for i, account in enumerate(accounts):
                dn, attributes = _entry(run, account)
                if i == 0:
                    members.setdefault(account.department, []).append(dn)
                    if person.user_id:
                        members[JDE_GROUP].append(dn)
                yield dn, attributes
    for account in _fixed_accounts(run):
        members.setdefault(account.department, []).append(run.dn(account.ou, account.cn))
        yield _entry(run, account)
    for department in DEPARTMENTS:
        yield _department_group(run, department, members[department])
    yield _jde_group(run, members[JDE_GROUP])


# --------------------------------------------------------------------------------------------------
# a synthetic directory of any size (benchmark)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Identity:
    """What another entry needs of synthetic user ``i`` (its DN, as a manager or group member)."""

    i: int
    h: int
    given: str
    sn: str
    sam: str
    ou: str
    department: str

    @property
    def cn(self) -> str:
        return self.sam if self.ou == OU_SERVICE else f"{self.sn}, {self.given} ({self.sam})"


def _identity(seed: int, i: int) -> _Identity:
    h = _hash(f"{seed}:{i}")
    given, sn = _accented(_FIRST[h % len(_FIRST)]), _accented(_LAST[(h >> 8) % len(_LAST)])
    n = str(i + 1)
    if i % 200 == 10:
        return _Identity(i, h, "Service", f"svc_{n}", f"svc_{n}", OU_SERVICE, "IT")
    ou = OU_DISABLED if i % 50 == 49 else OU_USERS
    prefix = f"{_local_part(_FIRST[h % len(_FIRST)])[:1]}{_local_part(_LAST[(h >> 8) % len(_LAST)])}"
    return _Identity(i, h, given, sn, prefix[: 20 - len(n)] + n, ou, DEPARTMENTS[(h >> 16) % len(DEPARTMENTS)])


def _lead(i: int) -> int | None:
    """Synthetic user i reports to the first of its block of 25, who reports to the first of 625."""
    for block in (25, 625):
        lead = i - i % block
        if lead != i:
            return lead
    return 0 if i else None


def _synthetic_account(run: _Run, seed: int, i: int) -> _Account:
    me = _identity(seed, i)
    h = me.h
    number = 100_000 + i
    kind = (h >> 24) % 10
    created_day = run.as_of - dt.timedelta(days=30 + (h >> 32) % 3000)
    never = (h >> 44) % 10 == 0
    lead = _lead(i)
    city, office = list(_OFFICES.values())[(h >> 48) % len(_OFFICES)]
    title = list(_TITLE_OF_JOB.values())[(h >> 52) % len(_TITLE_OF_JOB)]
    disabled = me.ou == OU_DISABLED
    expires: str | int = ("0", "0", "0", "0", "0", "0", NEVER_EXPIRES, NEVER_EXPIRES, 400, -30)[(h >> 56) % 10]
    manager = None
    if lead is not None:
        boss = _identity(seed, lead)
        manager = run.dn(boss.ou, boss.cn)
    return _Account(
        ou=me.ou,
        cn=me.cn,
        sam=me.sam,
        given=me.given,
        sn=me.sn,
        mail=f"{_local_part(me.sam)}@{run.domain}",
        department=me.department,
        company="Synthétique SA" if (h >> 60) % 6 == 0 else "Synthetic Industries Inc.",
        city=city,
        office=office,
        title=title,
        phone=f"+41 22 555 {number % 10000:04d}",
        mobile=f"+41 79 {100 + (h >> 64) % 900} {number % 10000:04d}",
        description=str(number) if kind == 7 else f"{title}, {me.department}",
        employee_id=str(number) if kind < 6 else f"{number:08d}" if kind == 6 else None,
        created=_at(created_day, 8 * 3600 + (h >> 72) % 36_000),
        expires=run.expires(expires),
        pwd_last_set="0" if never else filetime(_at(run.as_of - dt.timedelta(days=(h >> 80) % 180), 9 * 3600)),
        last_logon=None if never else filetime(_at(run.as_of - dt.timedelta(days=(h >> 88) % 120), 8 * 3600)),
        uac=_uac(
            disabled=disabled, locked=(h >> 96) % 50 == 0, password_never_expires=me.ou == OU_SERVICE or kind == 9
        ),
        manager=manager,
    )


def synthetic_entries(
    count: int,
    *,
    base_dn: str,
    seed: int = 1,
    group_size: int | None = None,
    as_of: dt.date = SYNTHETIC_AS_OF,
) -> Iterator[Entry]:
    """``count`` AD-shaped user entries (the attributes of :func:`jde_directory_entries`), after the
    OUs and followed by the groups: :data:`JDE_GROUP` with ``group_size`` members (default
    ``min(count, DEFAULT_GROUP_SIZE)``) and one small group per department. Lazy: an entry is made
    when asked for, from ``(seed, index)`` alone; the large group's member list is the only value
    that grows (with ``group_size``). Users: ``ou=Users``, every 50th in ``ou=Disabled Users``
    (disabled), every 200th a service account."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    size = min(count, DEFAULT_GROUP_SIZE) if group_size is None else group_size
    if not 0 <= size <= count:
        raise ValueError(f"group_size must be between 0 and count ({count}), not {group_size}")
    return _synthetic(count, base_dn, seed, size, as_of)


def _synthetic(count: int, base_dn: str, seed: int, size: int, as_of: dt.date) -> Iterator[Entry]:
    run = _Run(base_dn, as_of)
    yield from _ou_entries(run)
    for i in range(count):
        yield _entry(run, _synthetic_account(run, seed, i))
    by_department: dict[str, list[str]] = {d: [] for d in DEPARTMENTS}
    for i in range(min(count, 350)):  # department groups: members among the first 350 users
        me = _identity(seed, i)
        by_department[me.department].append(run.dn(me.ou, me.cn))
    for department in DEPARTMENTS:
        yield _department_group(run, department, by_department[department])
    yield _jde_group(run, [run.dn(me.ou, me.cn) for me in (_identity(seed, i) for i in range(size))])


# --------------------------------------------------------------------------------------------------
# LDIF
# --------------------------------------------------------------------------------------------------

# RFC 2849: SAFE-INIT-CHAR (no NUL, LF, CR, space, ':' or '<') then SAFE-CHARs (ASCII but NUL, LF, CR)

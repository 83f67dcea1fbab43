"""Step LICENSE_POSITION on a hand-built site: every count, metric, prerequisite and data-quality
check of the licence position, against values worked out by hand.

The target is a fresh nomasx1 schema holding application 10 and a small hand-built catalogue
(components, metrics, system codes, prerequisites, restrictions), with security, transactions,
Object Usage Tracking, employees and entitlement lines written directly. As-of date D.

The users of Financials (1501: system codes 04 and 09):

=========  ==========================================  ==========================  ===================
user       how it may run a Financials object           transactions (F0411/F0911)  Object Usage
=========  ==========================================  ==========================  ===================
AP1        role APCLERK: P0411, and P5504001 (a         F0411 D-10                  P0411 D-5
           custom 55 object reclassified to 04)
AP1B       (same person as AP1: address number 1001)    -                           P0911 D-100 (only
                                                                                    in license_jde_out)
GL1        user record: P0911                           F0911 D-200                 P0911 first D-30,
                                                                                    last D+2
PUB1       *PUBLIC only: P0411                          -                           -
DEF1       open default only: P0911                     -                           -
IDLE1      role APCLERK: P0411                          -                           -
DIS1       role APCLERK, but disabled                   -                           -
GHOST      (no JDE account)                             F0411 D-20                  -
BATCHJOB   (account without address number)             F0911 D-30                  -
=========  ==========================================  ==========================  ===================

NOROLE (enabled, no role) may run P0101 (System Foundation, 01) by open default; PAY1 may run
P07210 (Payroll, 07) through role PAYROLL.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.licence import position
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

APPS_ID = 10
D = dt.date(2026, 11, 28)
LOG = logging.getLogger("nomasx1.tests.position")

FINANCIALS, FOUNDATION, CORE_TOOLS, PAYROLL, TIME_LABOR, PRICING, DB_EE = 1501, 1504, 1802, 1702, 1705, 1000, 2003
COMPONENTS = [
    (FINANCIALS, "JD Edwards", "Financial Management", "Financials"),
    (FOUNDATION, "JD Edwards", "Financial Management", "System Foundation"),
    (CORE_TOOLS, "JD Edwards", "Tools & Technology", "Core Tools & Infrastructure"),
    (PAYROLL, "JD Edwards", "Human Capital Management", "Payroll"),
    (TIME_LABOR, "JD Edwards", "Human Capital Management", "Time & Labor"),
    (PRICING, "JD Edwards", "Customer Relationship Management", "Advanced Pricing"),
    (DB_EE, "Technology", "Database Editions", "Enterprise Edition"),
]
METRICS = [(10, "Application User", "authorised"), (20, "Processor", "not_countable"), (30, "Employee", "employees")]
SYSTEM_CODES = [
    ("04", FINANCIALS),
    ("09", FINANCIALS),
    ("01", FOUNDATION),
    ("07", PAYROLL),
    ("05", TIME_LABOR),
    ("45", PRICING),
    ("55", CORE_TOOLS),
    ("ZZ", None),
]
PREREQUISITES = [(FINANCIALS, FOUNDATION), (FINANCIALS, CORE_TOOLS), (PAYROLL, FOUNDATION), (CORE_TOOLS, FOUNDATION)]
#: object -> (system code after reclassification, F9860 code, type)
OBJECTS = {
    "P0411": ("04", "04", "APPL"),
    "P0911": ("09", "09", "APPL"),
    "P5504001": ("04", "55", "APPL"),
    "P0101": ("01", "01", "APPL"),
    "P07210": ("07", "07", "APPL"),
    "PZZ001": ("ZZ", "ZZ", "APPL"),
    "RZZ002": (None, None, "UBE"),
}
#: user -> (enabled, address number, no_role, last sign-on)
USERS = {
    "AP1": (True, 1001, False, D - dt.timedelta(days=1)),
    "AP1B": (True, 1001, False, None),
    "GL1": (True, 1002, False, D),
    "PUB1": (True, 1003, False, None),
    "DEF1": (True, 1004, False, None),
    "IDLE1": (True, 1005, False, D - dt.timedelta(days=300)),
    "DIS1": (False, 1006, False, None),
    "BATCHJOB": (True, None, False, None),
    "NOROLE": (True, 1007, True, None),
    "PAY1": (True, 1008, False, None),
}
#: (user, object, level, deciding principal)
RIGHTS = [
    ("AP1", "P0411", "ROLE", "APCLERK"),
    ("AP1", "P5504001", "ROLE", "APCLERK"),
    ("GL1", "P0911", "USER", "GL1"),
    ("PUB1", "P0411", "PUBLIC", "*PUBLIC"),
    ("DEF1", "P0911", "DEFAULT", None),
    ("IDLE1", "P0411", "ROLE", "APCLERK"),
    ("DIS1", "P0411", "ROLE", "APCLERK"),
    ("NOROLE", "P0101", "DEFAULT", None),
    ("PAY1", "P07210", "ROLE", "PAYROLL"),
    ("PAY1", "PZZ001", "ROLE", "PAYROLL"),  # a system code of no component: never counted
]
TABLES = [("PS920DTA", "F0411", "04"), ("PS920DTA", "F0911", "09"), ("PS920DTA", "F0006", None)]


def _days(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


class Site:
    """The target schema and a runner for the step."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def run(self, as_of: dt.date = D, run: str = "r1") -> StepContext:
        engine = self.engine

        class Target:
            pass

        Target.engine = engine  # type: ignore[attr-defined]
        ctx = StepContext(
            dag_id="nomasx1-license-1",
            step="LICENSE_POSITION",
            run_id=f"manual__{run}",
            params={
                "apps_id": APPS_ID,
                "target_connector": "nomasx1",
                "target_schema": "nomasx1",
                "as_of_date": as_of.isoformat(),
            },
            log=LOG,
            hook_factory=lambda role, conn_id: Target(),
        )
        run_step(position.license_position, ctx, job_id="nomasx1-license-1", job_kind="interval")
        return ctx

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def execute(self, sql: str, rows: list[dict[str, Any]] | dict[str, Any] | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql), rows or {})

    def position(self) -> dict[int, dict[str, Any]]:
        with self.engine.connect() as conn:
            found = conn.execute(sa.text("SELECT * FROM nomasx1.license_position WHERE apps_id = 10")).mappings()
            return {row["component_id"]: dict(row) for row in found}

    def users(self, component_id: int) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT * FROM nomasx1.license_position_users WHERE apps_id = 10 AND component_id = :c"),
                {"c": component_id},
            ).mappings()
            return {row["user_id"]: dict(row) for row in found}

    def quality(self) -> dict[tuple[str, str], tuple[int | None, str]]:
        found = self.rows("SELECT check_name, subject, component_id, detail FROM nomasx1.license_data_quality")
        return {(c, s): (comp, detail) for c, s, comp, detail in found}

    def entitle(self, entitlement_id: str, component_id: int, metric_id: int, quantity: float, **dates: Any) -> None:
        self.execute(
            "INSERT INTO nomasx1.license_entitlements (apps_id, entitlement_id, csi, component_id, metric_id, "
            "quantity, start_date, end_date) VALUES (10, :e, 'CSI-1', :c, :m, :q, :s, :end)",
            {
                "e": entitlement_id,
                "c": component_id,
                "m": metric_id,
                "q": quantity,
                "s": dates.get("start", _days(-400)),
                "end": dates.get("end"),
            },
        )


@pytest.fixture
def site(pg_engine: sa.Engine) -> Iterator[Site]:
    bootstrap.init_schema(pg_engine, "nomasx1")
    Registry(pg_engine, "nomasx1").add(APPS_ID, "JDE test", source_conn_id="jdedwards")
    s = Site(pg_engine)
    _catalogue(s)
    _security(s)
    _activity(s)
    yield s


def _catalogue(s: Site) -> None:
    s.execute(
        "INSERT INTO nomasx1.settings_lic_components (component_id, price_list, family, name) VALUES (:i, :p, :f, :n)",
        [{"i": i, "p": p, "f": f, "n": n} for i, p, f, n in COMPONENTS],
    )
    s.execute(
        "INSERT INTO nomasx1.settings_lic_metrics (metric_id, name, counted_by) VALUES (:i, :n, :b)",
        [{"i": i, "n": n, "b": b} for i, n, b in METRICS],
    )
    s.execute(
        "INSERT INTO nomasx1.settings_jde_sy (system_code, description, component_id) VALUES (:s, :s, :c)",
        [{"s": code, "c": c} for code, c in SYSTEM_CODES],
    )
    s.execute(
        "INSERT INTO nomasx1.settings_jde_prereq (component_id, prerequisite_id) VALUES (:c, :p)",
        [{"c": c, "p": p} for c, p in PREREQUISITES],
    )
    s.execute(
        "INSERT INTO nomasx1.settings_jde_restrictions (component_id, restriction_id, restriction) VALUES "
        "(1501, 2, 'second clause'), (1501, 1, 'first clause')"
    )
    s.execute(
        "INSERT INTO nomasx1.jde_objects (apps_id, object_name, system_code, source_system_code, object_type, "
        "reclassified) VALUES (10, :o, :s, :f, :t, :r)",
        [{"o": o, "s": sc, "f": f, "t": t, "r": sc != f} for o, (sc, f, t) in OBJECTS.items()],
    )


def _security(s: Site) -> None:
    s.execute(
        "INSERT INTO nomasx1.security_users (apps_id, user_id, enabled, address_number, no_role, last_login_date) "
        "VALUES (10, :u, :e, :a, :n, :l)",
        [{"u": u, "e": e, "a": a, "n": n, "l": last} for u, (e, a, n, last) in USERS.items()],
    )
    s.execute(
        "INSERT INTO nomasx1.security_assignments (apps_id, user_id, role_id, effective_date, status) "
        "VALUES (10, :u, :r, :d, 'active')",
        [
            {"u": u, "r": r, "d": _days(-100)}
            for u, r in (
                ("AP1", "APCLERK"),
                ("IDLE1", "APCLERK"),
                ("DIS1", "APCLERK"),
                ("DIS1", "GLACCT"),
                ("PAY1", "PAYROLL"),
                ("AP1B", "VIEWER"),
            )
        ],
    )
    flags = "can_run, can_add, can_change, can_delete, can_ok, can_copy"
    s.execute(
        f"INSERT INTO nomasx1.security_rights_users (apps_id, user_id, object_name, {flags}, decided_level, "
        "decided_by) VALUES (10, :u, :o, true, false, false, false, true, false, :l, :b)",
        [{"u": u, "o": o, "l": level, "b": by} for u, o, level, by in RIGHTS],
    )
    # a form-level row of the same object: folded into the object (still 1 object for AP1)
    s.execute(
        f"INSERT INTO nomasx1.security_rights_users (apps_id, user_id, object_name, form_name, {flags}, "
        "decided_level, decided_by) VALUES (10, 'AP1', 'P0411', 'W0411A', true, true, true, true, true, true, "
        "'ROLE', 'APSUPER')"
    )
    # a right that does not run: not an authorisation
    s.execute(
        f"INSERT INTO nomasx1.security_rights_users (apps_id, user_id, object_name, {flags}, decided_level, "
        "decided_by) VALUES (10, 'AP1B', 'P0411', false, false, false, false, false, false, 'ROLE', 'VIEWER')"
    )
    s.execute(
        f"INSERT INTO nomasx1.security_rights_roles (apps_id, role_id, object_name, {flags}, decided_level, "
        "decided_by, decided_object) VALUES (10, '*PUBLIC', 'P0411', true, false, false, false, true, false, "
        "'PUBLIC', '*PUBLIC', 'P0411'), (10, '*PUBLIC', 'P0911', true, false, false, false, true, false, "
        "'DEFAULT', NULL, NULL)"
    )


def _activity(s: Site) -> None:
    s.execute(
        "INSERT INTO nomasx1.license_jde_tables (apps_id, schema_name, table_name, system_code, status, "
        "window_start) VALUES (10, :s, :t, :c, 'scanned', :w)",
        [{"s": sch, "t": t, "c": c, "w": _days(-400)} for sch, t, c in TABLES],
    )
    s.execute(
        "INSERT INTO nomasx1.license_jde_users (apps_id, user_id, schema_name, table_name, transaction_date, "
        "transactions) VALUES (10, :u, 'PS920DTA', :t, :d, :n)",
        [
            {"u": "AP1", "t": "F0411", "d": _days(-10), "n": 4},
            {"u": "GL1", "t": "F0911", "d": _days(-200), "n": 2},
            {"u": "GL1", "t": "F0911", "d": _days(-380), "n": 9},  # beyond 12 months
            {"u": "GHOST", "t": "F0411", "d": _days(-20), "n": 7},
            {"u": "GHOST", "t": "F0411", "d": _days(-90), "n": 1},  # the 90-day window's first day
            {"u": "BATCHJOB", "t": "F0911", "d": _days(-30), "n": 50},
            {"u": "AP1", "t": "F0006", "d": _days(-3), "n": 1},  # a table of no component
            {"u": "AP1", "t": "F0411", "d": _days(1), "n": 5},  # after the as-of date: not counted
        ],
    )
    s.execute(
        "INSERT INTO nomasx1.license_jde_out_daily (apps_id, usage_date, object_name, user_id, uses) "
        "VALUES (10, :d, :o, :u, 1)",
        [
            {"d": _days(-5), "o": "P0411", "u": "AP1"},
            {"d": _days(2), "o": "P0911", "u": "GL1"},
        ],
    )
    s.execute(
        "INSERT INTO nomasx1.license_jde_out (apps_id, object_name, user_id, first_used, last_used, uses) "
        "VALUES (10, :o, :u, :f, :l, 1)",
        [
            {"o": "P0411", "u": "AP1", "f": _days(-5), "l": _days(-5)},
            {"o": "P0911", "u": "AP1B", "f": _days(-100), "l": _days(-100)},
            {"o": "P0911", "u": "GL1", "f": _days(-30), "l": _days(2)},
            {"o": "P0911", "u": "IDLE1", "f": _days(-500), "l": _days(-400)},  # beyond 12 months
        ],
    )
    s.execute(
        "INSERT INTO nomasx1.license_jde_employees (apps_id, extract_date, address_number, internal, in_hr_master, "
        "terminated) VALUES (10, :x, :a, :i, true, :t)",
        [
            *({"x": _days(-7), "a": a, "i": True, "t": False} for a in (1001, 1002, 1003, 1004)),
            {"x": _days(-7), "a": 1005, "i": True, "t": True},  # a leaver
            {"x": _days(-7), "a": 1006, "i": False, "t": False},  # a contractor
            {"x": _days(-14), "a": 1009, "i": True, "t": False},  # an older snapshot
            {"x": _days(3), "a": 1010, "i": True, "t": False},  # a later one
        ],
    )


def _entitle(s: Site) -> None:
    s.entitle("ENT-1", FINANCIALS, 10, 3)
    s.entitle("ENT-2", FINANCIALS, 10, 100, end=_days(-1))  # ended the day before: not active
    s.entitle("ENT-3", FINANCIALS, 10, 100, start=_days(1))  # not started yet
    s.entitle("ENT-4", FOUNDATION, 10, 7)
    s.entitle("ENT-5", PAYROLL, 30, 10, end=D)  # the end day is covered
    s.entitle("ENT-6", PRICING, 20, 2)
    s.entitle("ENT-7", TIME_LABOR, 10, 5)
    s.entitle("ENT-8", TIME_LABOR, 30, 5)


def test_counts_of_financials(site: Site) -> None:
    _entitle(site)
    site.run()
    fin = site.position()[FINANCIALS]
    assert fin["as_of_date"] == D
    # AP1, GL1, PUB1, DEF1, IDLE1 (DIS1 disabled; AP1B's right does not run)
    assert (fin["authorised_users"], fin["authorised_public_only"], fin["authorised_default_only"]) == (5, 1, 1)
    assert fin["required_users"] == 5  # no component requires Financials
    # 90 days: AP1 (D-10), GHOST (D-20 and D-90), BATCHJOB (D-30); 12 months: + GL1 (D-200)
    assert (fin["transacting_users_90d"], fin["transacting_users_12m"]) == (3, 4)
    # AP1 (D-5), GL1 (first use D-30, the last after D), AP1B (D-100: 12 months only)
    assert (fin["using_users_90d"], fin["using_users_12m"]) == (2, 3)
    assert fin["candidates_to_revoke"] == 3  # PUB1, DEF1, IDLE1
    assert (fin["last_transaction"], fin["last_use"]) == (_days(-10), _days(-5))
    assert (fin["transactions_from"], fin["usage_from"]) == (_days(-400), _days(-500))
    assert (fin["entitlement_lines"], fin["metric_id"], fin["counted_by"]) == (1, 10, "authorised")
    assert (fin["entitled_quantity"], fin["compared_count"], fin["exposure"]) == (3, 5, 2)
    assert fin["status"] == "exposed"
    assert fin["missing_prerequisites"] == "Core Tools & Infrastructure (1802)"
    assert fin["restrictions"] == "first clause; second clause"


def test_the_user_drill_down(site: Site) -> None:
    site.run()
    users = site.users(FINANCIALS)
    assert sorted(users) == ["AP1", "AP1B", "BATCHJOB", "DEF1", "GHOST", "GL1", "IDLE1", "PUB1"]
    ap1 = users["AP1"]
    assert (ap1["authorised"], ap1["authorised_level"], ap1["via_roles"], ap1["objects"]) == (
        True,
        "ROLE",
        "APCLERK, APSUPER",
        2,
    )
    assert (ap1["transacting_90d"], ap1["transactions_12m"], ap1["last_transaction"]) == (True, 4, _days(-10))
    assert (ap1["using_90d"], ap1["last_use"], ap1["candidate_to_revoke"]) == (True, _days(-5), False)
    assert (ap1["known_user"], ap1["enabled"], ap1["generic"], ap1["last_login_date"]) == (True, True, False, _days(-1))
    gl1 = users["GL1"]
    assert (gl1["authorised_level"], gl1["via_roles"], gl1["transacting_90d"], gl1["transacting_12m"]) == (
        "USER",
        None,
        False,
        True,
    )
    assert (gl1["using_90d"], gl1["last_use"]) == (True, _days(-30))
    assert (users["PUB1"]["authorised_level"], users["DEF1"]["authorised_level"]) == ("PUBLIC", "DEFAULT")
    assert users["IDLE1"]["candidate_to_revoke"] is True
    # AP1B's right does not run; its use of D-100 is known from license_jde_out only
    ap1b = users["AP1B"]
    assert (ap1b["authorised"], ap1b["using_12m"], ap1b["using_90d"], ap1b["last_use"]) == (
        False,
        True,
        False,
        _days(-100),
    )
    ghost = users["GHOST"]
    assert (ghost["known_user"], ghost["enabled"], ghost["authorised"], ghost["transactions_12m"]) == (
        False,
        None,
        False,
        8,
    )
    assert (users["BATCHJOB"]["generic"], users["BATCHJOB"]["authorised"]) == (True, False)


def test_each_metric_and_status(site: Site) -> None:
    _entitle(site)
    site.run()
    pos = site.position()
    # System Foundation: its own NOROLE + Financials' 5 + Payroll's PAY1 (+ Core Tools', none)
    foundation = pos[FOUNDATION]
    assert (foundation["authorised_users"], foundation["required_users"]) == (1, 7)
    assert (foundation["compared_count"], foundation["exposure"], foundation["status"]) == (7, 0, "compliant")
    # Payroll under the Employee metric: the latest snapshot on or before D (D-7), internal, not terminated
    payroll = pos[PAYROLL]
    assert (payroll["employees"], payroll["employees_extract_date"]) == (4, _days(-7))
    assert (payroll["counted_by"], payroll["compared_count"], payroll["exposure"], payroll["status"]) == (
        "employees",
        4,
        -6,
        "compliant",
    )
    # Core Tools: required by Financials, no line: not entitled, exposure = its required users
    tools = pos[CORE_TOOLS]
    assert (tools["authorised_users"], tools["required_users"], tools["entitlement_lines"]) == (0, 5, 0)
    assert (tools["metric_id"], tools["compared_count"], tools["exposure"], tools["status"]) == (
        None,
        5,
        5,
        "not_entitled",
    )
    # Advanced Pricing under Processor: shown, never compared
    pricing = pos[PRICING]
    assert (pricing["counted_by"], pricing["compared_count"], pricing["exposure"], pricing["status"]) == (
        "not_countable",
        None,
        None,
        "not_countable",
    )
    assert pricing["entitled_quantity"] == 2
    # Time & Labor: lines under two metrics cannot be summed
    time_labor = pos[TIME_LABOR]
    assert (time_labor["entitlement_lines"], time_labor["metric_id"], time_labor["entitled_quantity"]) == (
        2,
        None,
        None,
    )
    assert (time_labor["compared_count"], time_labor["exposure"], time_labor["status"]) == (
        None,
        None,
        "conflicting_metrics",
    )
    # technology components are not part of the JD Edwards position
    assert DB_EE not in pos
    assert sorted(pos) == sorted([FINANCIALS, FOUNDATION, CORE_TOOLS, PAYROLL, TIME_LABOR, PRICING])


def test_without_entitlements_every_component_in_use_is_not_entitled(site: Site) -> None:
    site.run()
    pos = site.position()
    assert sorted(pos) == sorted([FINANCIALS, FOUNDATION, CORE_TOOLS, PAYROLL])
    assert {c: (p["status"], p["exposure"]) for c, p in pos.items()} == {
        FINANCIALS: ("not_entitled", 5),
        FOUNDATION: ("not_entitled", 7),
        CORE_TOOLS: ("not_entitled", 5),
        PAYROLL: ("not_entitled", 1),
    }
    assert pos[FINANCIALS]["missing_prerequisites"] == "System Foundation (1504), Core Tools & Infrastructure (1802)"


def test_data_quality(site: Site) -> None:
    site.run()
    quality = site.quality()
    assert sorted(quality) == [
        ("disabled_with_roles", "DIS1"),
        ("duplicate_person", "AP1"),
        ("duplicate_person", "AP1B"),
        ("enabled_without_role", "NOROLE"),
        ("generic_id", "BATCHJOB"),
        ("public_object", "P0411"),
        ("unknown_user", "GHOST"),
    ]
    assert quality["disabled_with_roles", "DIS1"] == (None, "disabled, active roles: APCLERK, GLACCT")
    assert quality["duplicate_person", "AP1"][1] == "address number 1001 shared with: AP1B"
    assert quality["enabled_without_role", "NOROLE"][1] == "enabled, no active role; last sign-on never"
    assert quality["generic_id", "BATCHJOB"][1] == (
        "account without address number (no person behind it); matches generic pattern BATCH"
    )
    assert quality["public_object", "P0411"] == (FINANCIALS, "*PUBLIC may run it (record P0411)")
    assert quality["unknown_user", "GHOST"] == (
        FINANCIALS,
        f"8 transactions in 12 months, last {_days(-20)}; 1 component(s)",
    )


def test_generic_patterns_are_the_applications(site: Site) -> None:
    site.execute(
        "INSERT INTO nomasx1.settings_jdedwards (apps_id, generic_user_patterns) VALUES (10, '[\"^GH\"]') "
        "ON CONFLICT (apps_id) DO UPDATE SET generic_user_patterns = excluded.generic_user_patterns"
    )
    site.run()
    generic = {s: d for (c, s), (_, d) in site.quality().items() if c == "generic_id"}
    assert generic == {
        "BATCHJOB": "account without address number (no person behind it)",
        "GHOST": "matches generic pattern ^GH; unknown to JDE security",
    }


def test_rerun_replaces_and_history_keeps_each_as_of_date(site: Site) -> None:
    _entitle(site)
    site.run(run="r1")
    first = site.position()
    site.run(run="r2")
    assert site.position().keys() == first.keys()
    assert {c: p["exposure"] for c, p in site.position().items()} == {c: p["exposure"] for c, p in first.items()}
    history = site.rows("SELECT as_of_date, count(*), min(run_id) FROM nomasx1.license_position_history GROUP BY 1")
    assert history == [(D, len(first), "manual__r2")]
    site.run(as_of=_days(-1), run="r3")
    history = dict(site.rows("SELECT as_of_date, count(*) FROM nomasx1.license_position_history GROUP BY 1"))
    assert history == {D: len(first), _days(-1): len(site.position())}
    # ENT-2 (ended D-1) is active on D-1: Financials is entitled to 103 then
    fin = site.rows(
        "SELECT entitled_quantity, exposure, status FROM nomasx1.license_position_history "
        "WHERE as_of_date = :d AND component_id = 1501",
        d=_days(-1),
    )
    assert fin == [(Decimal(103), Decimal(-98), "compliant")]


def test_without_security_the_position_is_left_alone(site: Site) -> None:
    site.run()
    before = site.rows("SELECT component_id, run_id FROM nomasx1.license_position ORDER BY 1")
    site.execute("DELETE FROM nomasx1.security_users")
    ctx = site.run(run="r2")
    assert "no security collection yet" in (ctx.result.message or "")
    assert site.rows("SELECT component_id, run_id FROM nomasx1.license_position ORDER BY 1") == before


def test_objects_of_no_component_at_all_are_refused(site: Site) -> None:
    site.run()
    before = site.rows("SELECT component_id, run_id FROM nomasx1.license_position ORDER BY 1")
    site.execute("UPDATE nomasx1.settings_jde_sy SET component_id = NULL")
    with pytest.raises(ConfigurationError, match="maps to a JD Edwards licence component"):
        site.run(run="r2")
    assert site.rows("SELECT component_id, run_id FROM nomasx1.license_position ORDER BY 1") == before


def test_the_step_reports_statuses_shortfalls_and_unmapped_codes(site: Site) -> None:
    _entitle(site)
    ctx = site.run()
    details = ctx.result.details["position"]
    assert details["statuses"] == {
        "exposed": 1,
        "compliant": 2,
        "not_entitled": 1,
        "not_countable": 1,
        "conflicting_metrics": 1,
    }
    assert details["exposed"] == [
        {"component_id": CORE_TOOLS, "component": "Core Tools & Infrastructure", "exposure": 5.0},
        {"component_id": FINANCIALS, "component": "Financials", "exposure": 2.0},
    ]
    # PZZ001 (ZZ: no component) and RZZ002 (no system code)
    assert details["unmapped_system_codes"] == {"objects": 2, "codes": {"": 1, "ZZ": 1}}
    assert details["data_quality"]["unknown_user"] == 1
    message = ctx.result.message or ""
    assert "6 components as of 2026-11-28" in message
    assert "short: Core Tools & Infrastructure +5; Financials +2" in message


def test_without_a_use_after_the_as_of_date_the_last_uses_come_from_license_jde_out(site: Site) -> None:
    # the daily rows are read only for a use after the as-of date: here none, and the daily rows
    # are gone (purged), so every count comes from license_jde_out's last use
    site.execute("DELETE FROM nomasx1.license_jde_out_daily")
    site.execute("UPDATE nomasx1.license_jde_out SET last_used = :d WHERE user_id = 'GL1'", {"d": _days(-30)})
    site.run()
    fin = site.position()[FINANCIALS]
    assert (fin["using_users_90d"], fin["using_users_12m"], fin["last_use"]) == (2, 3, _days(-5))
    users = site.users(FINANCIALS)
    assert {u: users[u]["last_use"] for u in ("AP1", "GL1", "AP1B")} == {
        "AP1": _days(-5),
        "GL1": _days(-30),
        "AP1B": _days(-100),
    }
    assert users["IDLE1"]["using_12m"] is False  # its last use, D-400, is beyond 12 months

"""Segregation of duties (nomasx1-sod-1): hand-built cases on real PostgreSQL (the job end to end
through Airflow is tests/dags/test_sod_job.py).

The hand-built cases write rows straight into the tables the SoD steps read (security_users,
security_rights_users, security_rights_roles, sod_* and sod_exceptions) for application 10 of a
fresh schema, run SOD_CONFLICT_DETAILS and SOD_CONFLICT_SUMMARY, and check each rule: paths of
both sides (role, user-direct, *PUBLIC, default-open), disabled users, expired roles, action-level
activities, placeholders, risk normalisation, mitigations (valid, expired, future, by role),
summary counts, self-conflicting roles, the per-run history and re-runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from support.sod import APPS, AS_OF

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.sod import conflicts as sod
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import Nomasx1Error
from airflow_provider_nomasx1.schema import bootstrap

LOG = logging.getLogger("nomasx1.tests.sod")

# --- the hand-built setup --------------------------------------------------------------------------
# Activities: A1 maintain supplier (run), A2 enter vouchers (add), A3 pay (run), A4 approve (change).
ACTIVITIES = {"A1": "run", "A2": "add", "A3": "run", "A4": "change"}
OBJECTS = [
    ("A1", "P04012", "", ""),
    ("A1", "######", "", ""),  # placeholder "to be defined"
    ("A1", "", "", ""),  # blank placeholder
    ("A2", "P0411", "", ""),
    ("A2", "P0411SV", "", ""),
    ("A3", "R04570", "", ""),
    ("A3", "P04571", "W04571A", ""),  # one form only
    ("A4", "P0450", "", ""),
]
RISKS = [("R1", "High"), ("R2", "Low"), ("R4", None)]
# (activity1, activity2, risk, matrix level)
MATRIX = [
    ("A1", "A2", "R1", "100"),  # numeric 100 -> High / 100
    ("A2", "A3", "R2", "Medium"),  # text overrides the risk's Low -> Medium / 50
    ("A1", "A3", "R2", ""),  # no matrix level: the risk's default Low -> Low / 10
    ("A3", "A4", "R4", "H"),  # H -> High / 100
    ("A1", "A4", None, "60"),  # numeric kept: Medium / 60
]
# user -> (enabled, privileged)
USERS = {
    "INTER": (True, True),
    "DIRECT": (True, False),
    "PUB": (True, False),
    "DEFLT": (True, False),
    "OFF": (False, False),
    "EXPIRED": (True, False),
    "VIEWER": (True, False),
    "PLACE": (True, False),
    "FORMY": (True, False),
    "MULTI": (True, False),
    "MULTI2": (True, False),
    "PART": (True, False),
    "UNORD": (True, False),
}


def right(
    subject: str,
    obj: str,
    level: str,
    by: str | None,
    *,
    run: bool = True,
    add: bool = True,
    change: bool = True,
    form: str = "",
    version: str = "",
    action_level: str = "DEFAULT",
    action_by: str | None = None,
) -> dict[str, Any]:
    """A rights row (user or role subject) decided by ``level`` / ``by``."""
    return {
        "subject": subject,
        "object_name": obj,
        "form_name": form,
        "version": version,
        "can_run": run,
        "can_add": add,
        "can_change": change,
        "can_delete": True,
        "can_ok": True,
        "can_copy": True,
        "decided_level": level,
        "decided_by": by,
        "decided_object": obj if level != "DEFAULT" else None,
        "action_decided_level": action_level,
        "action_decided_by": action_by,
    }


AP_ADD = {"action_level": "ROLE", "action_by": "AP"}
USER_RIGHTS = [
    # inter-role: supplier via VENDOR, vouchers via AP
    right("INTER", "P04012", "ROLE", "VENDOR"),
    right("INTER", "P0411", "ROLE", "AP", **AP_ADD),
    # user-direct supplier record
    right("DIRECT", "P04012", "USER", "DIRECT"),
    right("DIRECT", "P0411", "ROLE", "AP", **AP_ADD),
    # vouchers opened by *PUBLIC
    right("PUB", "P0411", "PUBLIC", "*PUBLIC", action_level="PUBLIC", action_by="*PUBLIC"),
    right("PUB", "R04570", "ROLE", "PAY"),
    # payments open by default (no record anywhere)
    right("DEFLT", "P0411", "ROLE", "AP", **AP_ADD),
    right("DEFLT", "R04570", "DEFAULT", None),
    # disabled account holding both
    right("OFF", "P04012", "ROLE", "VENDOR"),
    right("OFF", "P0411", "ROLE", "AP", **AP_ADD),
    # VENDOR expired for this user: *PUBLIC *ALL N decides P04012 now
    right("EXPIRED", "P04012", "PUBLIC", "*PUBLIC", run=False),
    right("EXPIRED", "P0411", "ROLE", "AP", **AP_ADD),
    # inquiry-only voucher entry: runs P0411 but cannot add
    right("VIEWER", "P04012", "ROLE", "VENDOR"),
    right("VIEWER", "P0411", "ROLE", "AUDIT", add=False, action_level="ROLE", action_by="AUDIT"),
    # only the placeholders of A1
    right("PLACE", "######", "DEFAULT", None),
    right("PLACE", "", "DEFAULT", None),
    right("PLACE", "P0411", "ROLE", "AP", **AP_ADD),
    # the form bound to A3 (the object as a whole is closed), speed vouchers
    right("FORMY", "P04571", "PUBLIC", "*PUBLIC", run=False),
    right("FORMY", "P04571", "ROLE", "PAY", form="W04571A"),
    right("FORMY", "P04571", "ROLE", "OTHER", form="W04571B"),  # not the bound form
    right("FORMY", "P0411SV", "ROLE", "AP", **AP_ADD),
    # several rows of P0411: the object-level row gives the path
    right("MULTI", "P0411", "USER", "MULTI", version="ZJDE0001", action_level="USER", action_by="MULTI"),
    right("MULTI", "P0411", "ROLE", "AP", **AP_ADD),
    right("MULTI", "R04570", "ROLE", "PAY"),
    # no object-level grant: the first by form, version
    right("MULTI2", "P0411", "PUBLIC", "*PUBLIC", run=False),
    right("MULTI2", "P0411", "USER", "MULTI2", version="ZJDE0002", action_level="USER", action_by="MULTI2"),
    right("MULTI2", "P0411", "ROLE", "AP", version="ZJDE0001", **AP_ADD),
    right("MULTI2", "R04570", "ROLE", "PAY"),
    # two voucher objects through two roles; only one side mitigated
    right("PART", "P0411", "ROLE", "AP", **AP_ADD),
    right("PART", "P0411SV", "ROLE", "AP2", action_level="ROLE", action_by="AP2"),
    right("PART", "R04570", "ROLE", "PAY"),
    # the pair (A3, A4): approval needs change
    right("UNORD", "P0450", "ROLE", "APPROVER", change=True, action_level="ROLE", action_by="APPROVER"),
    right("UNORD", "R04570", "ROLE", "PAY"),
]
ROLE_RIGHTS = [
    # AP alone enters vouchers and pays: self-conflicting (A2, A3)
    right("AP", "P0411", "ROLE", "AP", **AP_ADD),
    right("AP", "R04570", "ROLE", "AP"),
    # VENDOR's vouchers come from *PUBLIC: not its own design
    right("VENDOR", "P04012", "ROLE", "VENDOR"),
    right("VENDOR", "P0411", "PUBLIC", "*PUBLIC", action_level="PUBLIC", action_by="*PUBLIC"),
    # PAY pays and approves (change open by default): self-conflicting (A3, A4)
    right("PAY", "R04570", "ROLE", "PAY"),
    right("PAY", "P0450", "ROLE", "PAY"),
    # AUDIT runs P0411 but cannot add
    right("AUDIT", "P04012", "ROLE", "AUDIT"),
    right("AUDIT", "P0411", "ROLE", "AUDIT", add=False, action_level="ROLE", action_by="AUDIT"),
    # ADDPUB's add right on P0411 is *PUBLIC's
    right("ADDPUB", "P04012", "ROLE", "ADDPUB"),
    right("ADDPUB", "P0411", "ROLE", "ADDPUB", action_level="PUBLIC", action_by="*PUBLIC"),
    # *PUBLIC itself grants both sides of (A2, A3)
    right("*PUBLIC", "P0411", "PUBLIC", "*PUBLIC", action_level="PUBLIC", action_by="*PUBLIC"),
    right("*PUBLIC", "R04570", "PUBLIC", "*PUBLIC"),
]
# (id, user, role, rule, valid_from, valid_to)
EXCEPTIONS = [
    ("E-USER-OK", "INTER", None, ("A1", "A2"), dt.date(2026, 1, 1), None),
    ("E-USER-EXP", "DIRECT", None, ("A1", "A2"), dt.date(2025, 1, 1), dt.date(2026, 11, 27)),
    ("E-USER-FUT", "PUB", None, ("A2", "A3"), dt.date(2026, 11, 29), None),
    ("E-LAST-DAY", "MULTI", None, ("A2", "A3"), dt.date(2026, 6, 1), AS_OF),
    ("E-ROLE-PAY", None, "PAY", ("A3", "A4"), dt.date(2026, 1, 1), None),
    ("E-ROLE-AP2", None, "AP2", ("A2", "A3"), dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ("E-OTHER-RULE", "DEFLT", None, ("A1", "A2"), dt.date(2026, 1, 1), None),  # DEFLT is not in (A1, A2)
]


@pytest.fixture(scope="module")
def sod_engine(pg_server: URL) -> Iterator[sa.Engine]:
    url = testing.create_database(pg_server, prefix="nomasx1_sod")
    engine = sa.create_engine(url)
    bootstrap.init_schema(engine, "nomasx1")
    Registry(engine, "nomasx1").add(APPS, "x")
    yield engine
    engine.dispose()
    testing.drop_database(url)


def _insert(conn: sa.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        cols = list(rows[0])
        conn.execute(
            sa.text(f"INSERT INTO nomasx1.{table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"),
            rows,
        )


def _ensure_partition(conn: sa.Connection, table: str) -> None:
    """When ``table`` is partitioned by application (the rights collection swaps whole partitions),
    give application 10 a partition so rows can be written straight into it."""
    partitioned = conn.execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t))"),
        {"t": f"nomasx1.{table}"},
    ).scalar()
    if partitioned:
        partition = f"nomasx1.{table}_a{APPS}"
        conn.execute(
            sa.text(f"CREATE TABLE IF NOT EXISTS {partition} PARTITION OF nomasx1.{table} FOR VALUES IN ({APPS})")
        )


def write_setup(engine: sa.Engine, *, exceptions: list[tuple] = EXCEPTIONS) -> None:
    """Replace application 10's security results and SoD configuration by the hand-built setup."""
    with engine.begin() as conn:
        for table in ("security_rights_users", "security_rights_roles"):
            _ensure_partition(conn, table)
        for table in (
            "sod_conflict_history",
            "sod_role_conflicts",
            "sod_conflict_summary",
            "sod_conflict_details",
            "sod_exceptions",
            "sod_matrix",
            "sod_objects",
            "sod_activities",
            "sod_risks",
            "sod_process",
            "security_rights_users",
            "security_rights_roles",
            "security_users",
        ):
            conn.execute(sa.text(f"DELETE FROM nomasx1.{table} WHERE apps_id = :a"), {"a": APPS})
        _insert(conn, "sod_process", [{"apps_id": APPS, "process_id": "P2P", "name": "Procure to pay"}])
        _insert(
            conn,
            "sod_risks",
            [{"apps_id": APPS, "risk_id": r, "name": r, "default_level": lvl} for r, lvl in RISKS],
        )
        _insert(
            conn,
            "sod_activities",
            [
                {"apps_id": APPS, "activity_id": a, "process_id": "P2P", "name": a, "action": action}
                for a, action in ACTIVITIES.items()
            ],
        )
        _insert(
            conn,
            "sod_objects",
            [
                {"apps_id": APPS, "activity_id": a, "object_name": o, "form_name": f, "version": v}
                for a, o, f, v in OBJECTS
            ],
        )
        _insert(
            conn,
            "sod_matrix",
            [
                {
                    "apps_id": APPS,
                    "process_id": "P2P",
                    "activity1_id": a1,
                    "activity2_id": a2,
                    "risk_id": risk,
                    "risk_level": level,
                }
                for a1, a2, risk, level in MATRIX
            ],
        )
        _insert(
            conn,
            "security_users",
            [
                {"apps_id": APPS, "user_id": u, "enabled": enabled, "privileged": privileged}
                for u, (enabled, privileged) in USERS.items()
            ],
        )
        _insert(
            conn,
            "security_rights_users",
            [{"apps_id": APPS, "user_id": r.pop("subject"), **r} for r in (dict(x) for x in USER_RIGHTS)],
        )
        _insert(
            conn,
            "security_rights_roles",
            [{"apps_id": APPS, "role_id": r.pop("subject"), **r} for r in (dict(x) for x in ROLE_RIGHTS)],
        )
        _insert(
            conn,
            "sod_exceptions",
            [
                {
                    "apps_id": APPS,
                    "exception_id": eid,
                    "user_id": user,
                    "role_id": role,
                    "process_id": "P2P",
                    "activity1_id": a1,
                    "activity2_id": a2,
                    "valid_from": start,
                    "valid_to": end,
                    "control_id": "C-01",
                    "approver": "CFO",
                    "justification": "test",
                    "created_by": "tests",
                }
                for eid, user, role, (a1, a2), start, end in exceptions
            ],
        )


def run_step(engine: sa.Engine, function: Any, run_id: str = "manual__sod1", as_of: dt.date = AS_OF) -> dict:
    class Target:
        pass

    Target.engine = engine
    ctx = StepContext(
        dag_id="nomasx1-sod-1",
        step=function.__name__.upper(),
        run_id=run_id,
        params={"apps_id": APPS, "target_connector": "nomasx1", "as_of_date": as_of.isoformat()},
        log=LOG,
        hook_factory=lambda role, conn_id: Target(),
    )
    return function(ctx)


def run_sod(engine: sa.Engine, run_id: str = "manual__sod1", as_of: dt.date = AS_OF) -> tuple[dict, dict]:
    return (
        run_step(engine, sod.sod_conflict_details, run_id, as_of),
        run_step(engine, sod.sod_conflict_summary, run_id, as_of),
    )


DETAIL_COLUMNS = (
    "process_id, activity1_id, activity2_id, user_id, object1, object2, risk_id, risk_level, risk_score, "
    "role1, grant1_level, role2, grant2_level, privileged, mitigated, exception_id, run_id"
)


@pytest.fixture(scope="session", name="details")
def details_fixture(
    sod_rows: Callable[..., list[dict[str, Any]]],
) -> Callable[[sa.Engine], dict[tuple, dict[str, Any]]]:
    """``details(engine)``: the conflict details by (user, activity1, activity2, object1, object2)."""

    def details(engine: sa.Engine) -> dict[tuple[str, str, str, str, str], dict[str, Any]]:
        found = sod_rows(engine, f"SELECT {DETAIL_COLUMNS} FROM nomasx1.sod_conflict_details WHERE apps_id = :a")
        return {(r["user_id"], r["activity1_id"], r["activity2_id"], r["object1"], r["object2"]): r for r in found}

    return details


@pytest.fixture(scope="module")
def computed(
    sod_engine: sa.Engine,
    sod_rows: Callable[..., list[dict[str, Any]]],
    details: Callable[[sa.Engine], dict[tuple, dict[str, Any]]],
) -> dict[str, Any]:
    """The hand-built setup computed once: details, summary, role conflicts and step counts."""
    write_setup(sod_engine)
    counts = run_sod(sod_engine)
    return {
        "counts": counts,
        "details": details(sod_engine),
        "summary": {
            (r["activity1_id"], r["activity2_id"]): r
            for r in sod_rows(sod_engine, "SELECT * FROM nomasx1.sod_conflict_summary WHERE apps_id = :a")
        },
        "roles": {
            (r["role_id"], r["activity1_id"], r["activity2_id"], r["object1"], r["object2"])
            for r in sod_rows(sod_engine, "SELECT * FROM nomasx1.sod_role_conflicts WHERE apps_id = :a")
        },
        "history": sod_rows(sod_engine, "SELECT * FROM nomasx1.sod_conflict_history WHERE apps_id = :a"),
    }


def path(row: dict[str, Any]) -> tuple:
    return (row["role1"], row["grant1_level"], row["role2"], row["grant2_level"])


# --- paths ------------------------------------------------------------------------------------------


def test_every_conflict_is_found_once(computed) -> None:
    assert sorted(computed["details"]) == sorted(
        [
            ("INTER", "A1", "A2", "P04012", "P0411"),
            ("DIRECT", "A1", "A2", "P04012", "P0411"),
            ("PUB", "A2", "A3", "P0411", "R04570"),
            ("DEFLT", "A2", "A3", "P0411", "R04570"),
            ("FORMY", "A2", "A3", "P0411SV", "P04571"),
            ("MULTI", "A2", "A3", "P0411", "R04570"),
            ("MULTI2", "A2", "A3", "P0411", "R04570"),
            ("PART", "A2", "A3", "P0411", "R04570"),
            ("PART", "A2", "A3", "P0411SV", "R04570"),
            ("UNORD", "A3", "A4", "R04570", "P0450"),
        ]
    )
    assert computed["counts"][0] == {"sod_conflict_details": 10}
    assert all(r["run_id"] == "manual__sod1" for r in computed["details"].values())


def test_inter_role_conflict_names_both_roles(computed) -> None:
    row = computed["details"][("INTER", "A1", "A2", "P04012", "P0411")]
    assert path(row) == ("VENDOR", "ROLE", "AP", "ROLE")
    assert row["privileged"] is True


def test_user_direct_grant(computed) -> None:
    assert path(computed["details"][("DIRECT", "A1", "A2", "P04012", "P0411")]) == ("DIRECT", "USER", "AP", "ROLE")


def test_public_grant(computed) -> None:
    row = computed["details"][("PUB", "A2", "A3", "P0411", "R04570")]
    assert path(row) == ("*PUBLIC", "PUBLIC", "PAY", "ROLE")


def test_default_open_grant_has_no_principal(computed) -> None:
    row = computed["details"][("DEFLT", "A2", "A3", "P0411", "R04570")]
    assert path(row) == ("AP", "ROLE", None, "DEFAULT")


def test_disabled_user_never_appears(computed) -> None:
    assert not [k for k in computed["details"] if k[0] == "OFF"]


def test_user_whose_role_expired_is_not_in_conflict(computed) -> None:
    assert not [k for k in computed["details"] if k[0] == "EXPIRED"]


def test_action_activity_needs_the_action_flag(computed) -> None:
    # VIEWER runs P0411 without add: not "enter vouchers"
    assert not [k for k in computed["details"] if k[0] == "VIEWER"]
    # UNORD approves (change) through APPROVER's action record
    row = computed["details"][("UNORD", "A3", "A4", "R04570", "P0450")]
    assert path(row) == ("PAY", "ROLE", "APPROVER", "ROLE")


def test_placeholder_objects_bind_nothing(computed) -> None:
    assert not [k for k in computed["details"] if k[0] == "PLACE"]


def test_form_binding_and_the_path_of_several_rows(computed) -> None:
    # only the bound form W04571A of P04571 counts; the object-level row is closed
    assert path(computed["details"][("FORMY", "A2", "A3", "P0411SV", "P04571")]) == ("AP", "ROLE", "PAY", "ROLE")
    # object-level row ('' / '') preferred over the version row
    assert path(computed["details"][("MULTI", "A2", "A3", "P0411", "R04570")])[:2] == ("AP", "ROLE")
    # no object-level grant: the first granting row by form, version (ZJDE0001 before ZJDE0002)
    assert path(computed["details"][("MULTI2", "A2", "A3", "P0411", "R04570")])[:2] == ("AP", "ROLE")


def test_pairs_are_unordered_one_row_per_rule(computed) -> None:
    # UNORD got A4 and A3 from different roles: one row, object1 is the object of activity1 (A3)
    unord = [k for k in computed["details"] if k[0] == "UNORD"]
    assert unord == [("UNORD", "A3", "A4", "R04570", "P0450")]


def test_a_pair_can_only_be_declared_smaller_activity_first(sod_engine: sa.Engine, computed) -> None:
    with pytest.raises(sa.exc.IntegrityError), sod_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.sod_matrix (apps_id, process_id, activity1_id, activity2_id, risk_level) "
                "VALUES (:a, 'P2P', 'A4', 'A2', 'High')"
            ),
            {"a": APPS},
        )


# --- risk levels -------------------------------------------------------------------------------------


def test_risk_levels_are_normalised(computed) -> None:
    levels = {(a1, a2): (r["risk_level"], r["risk_score"]) for (_, a1, a2, _, _), r in computed["details"].items()}
    assert levels == {
        ("A1", "A2"): ("High", 100),  # numeric 100
        ("A2", "A3"): ("Medium", 50),  # 'Medium' overrides the risk's Low
        ("A3", "A4"): ("High", 100),  # 'H'
    }
    summary = {k: (r["risk_id"], r["risk_level"]) for k, r in computed["summary"].items()}
    assert summary == {
        ("A1", "A2"): ("R1", "High"),
        ("A2", "A3"): ("R2", "Medium"),
        ("A1", "A3"): ("R2", "Low"),  # no matrix level: the risk's default
        ("A3", "A4"): ("R4", "High"),
        ("A1", "A4"): (None, "Medium"),  # 60
    }


# --- mitigations ---------------------------------------------------------------------------------------


def test_mitigation_by_user_valid_expired_future_and_last_day(computed) -> None:
    d = computed["details"]
    inter = d[("INTER", "A1", "A2", "P04012", "P0411")]
    assert (inter["mitigated"], inter["exception_id"]) == (True, "E-USER-OK")
    direct = d[("DIRECT", "A1", "A2", "P04012", "P0411")]
    assert (direct["mitigated"], direct["exception_id"]) == (False, None)  # expired yesterday
    pub = d[("PUB", "A2", "A3", "P0411", "R04570")]
    assert (pub["mitigated"], pub["exception_id"]) == (False, None)  # starts tomorrow
    multi = d[("MULTI", "A2", "A3", "P0411", "R04570")]
    assert (multi["mitigated"], multi["exception_id"]) == (True, "E-LAST-DAY")  # valid_to = as-of
    # an exception of another rule mitigates nothing here
    deflt = d[("DEFLT", "A2", "A3", "P0411", "R04570")]
    assert (deflt["mitigated"], deflt["exception_id"]) == (False, None)


def test_mitigation_by_role(computed) -> None:
    d = computed["details"]
    unord = d[("UNORD", "A3", "A4", "R04570", "P0450")]
    assert (unord["mitigated"], unord["exception_id"]) == (True, "E-ROLE-PAY")  # PAY granted side 1
    # AP2 granted only one of PART's two rows of the rule
    assert d[("PART", "A2", "A3", "P0411SV", "R04570")]["exception_id"] == "E-ROLE-AP2"
    assert d[("PART", "A2", "A3", "P0411", "R04570")]["mitigated"] is False
    # PAY's exception is for (A3, A4): PAY also grants PUB's payments but not on that rule
    assert d[("PUB", "A2", "A3", "P0411", "R04570")]["mitigated"] is False


def test_exceptions_name_exactly_one_principal(sod_engine: sa.Engine, computed) -> None:
    for user, role in (("INTER", "AP"), (None, None)):
        with pytest.raises(sa.exc.IntegrityError), sod_engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.sod_exceptions (apps_id, exception_id, user_id, role_id, process_id, "
                    "activity1_id, activity2_id, valid_from) VALUES (:a, 'BAD', :u, :r, 'P2P', 'A1', 'A2', :d)"
                ),
                {"a": APPS, "u": user, "r": role, "d": AS_OF},
            )
    with pytest.raises(sa.exc.IntegrityError), sod_engine.begin() as conn:  # not a rule of the matrix
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.sod_exceptions (apps_id, exception_id, user_id, process_id, "
                "activity1_id, activity2_id, valid_from) VALUES (:a, 'BAD', 'INTER', 'P2P', 'A2', 'A4', :d)"
            ),
            {"a": APPS, "d": AS_OF},
        )


# --- summary, roles, history ---------------------------------------------------------------------


def test_summary_counts_per_rule(computed) -> None:
    counts = {
        k: (r["users_count"], r["privileged_users_count"], r["mitigated_count"]) for k, r in computed["summary"].items()
    }
    assert counts == {
        ("A1", "A2"): (2, 1, 1),  # INTER (privileged, mitigated), DIRECT
        ("A2", "A3"): (6, 0, 1),  # PUB, DEFLT, FORMY, MULTI (mitigated), MULTI2, PART (half mitigated)
        ("A1", "A3"): (0, 0, 0),
        ("A3", "A4"): (1, 0, 1),  # UNORD (by role)
        ("A1", "A4"): (0, 0, 0),
    }
    assert computed["counts"][1] == {"sod_conflict_summary": 5, "sod_role_conflicts": 3, "sod_conflict_history": 5}


def test_self_conflicting_roles(computed) -> None:
    assert computed["roles"] == {
        ("AP", "A2", "A3", "P0411", "R04570"),
        ("PAY", "A3", "A4", "R04570", "P0450"),  # change open by default
        ("*PUBLIC", "A2", "A3", "P0411", "R04570"),
    }


def test_history_of_the_run(computed) -> None:
    history = {(r["run_id"], r["activity1_id"], r["activity2_id"]): r for r in computed["history"]}
    assert set(history) == {("manual__sod1", a1, a2) for a1, a2, _, _ in MATRIX}
    row = history[("manual__sod1", "A2", "A3")]
    assert (row["users_count"], row["mitigated_count"], row["privileged_users_count"]) == (6, 1, 0)
    assert (row["risk_level"], row["as_of_date"]) == ("Medium", AS_OF)


def test_rerun_is_idempotent_and_history_keeps_one_snapshot_per_run(
    sod_engine: sa.Engine,
    sod_rows: Callable[..., list[dict[str, Any]]],
    details: Callable[[sa.Engine], dict[tuple, dict[str, Any]]],
) -> None:
    write_setup(sod_engine)
    run_sod(sod_engine, "run_a")
    first = details(sod_engine)
    summary_sql = "SELECT * FROM nomasx1.sod_conflict_summary WHERE apps_id = :a ORDER BY 2, 3, 4"
    strip = ("refreshed_at",)
    first_summary = [{k: v for k, v in r.items() if k not in strip} for r in sod_rows(sod_engine, summary_sql)]

    run_sod(sod_engine, "run_a")  # same run again (a retry): same rows, history replaced
    assert details(sod_engine) == first
    assert [{k: v for k, v in r.items() if k not in strip} for r in sod_rows(sod_engine, summary_sql)] == first_summary
    history_sql = (
        "SELECT run_id, count(*) AS rules, sum(users_count) AS users, sum(mitigated_count) AS mitigated "
        "FROM nomasx1.sod_conflict_history WHERE apps_id = :a GROUP BY run_id ORDER BY run_id"
    )
    assert [tuple(r.values()) for r in sod_rows(sod_engine, history_sql)] == [("run_a", 5, 9, 3)]

    # a later run, one month on: E-ROLE-AP2 still valid, E-LAST-DAY expired, E-USER-FUT started
    run_sod(sod_engine, "run_b", as_of=dt.date(2026, 12, 28))
    later = details(sod_engine)
    assert later[("MULTI", "A2", "A3", "P0411", "R04570")]["mitigated"] is False
    assert later[("PUB", "A2", "A3", "P0411", "R04570")]["exception_id"] == "E-USER-FUT"
    assert [tuple(r.values()) for r in sod_rows(sod_engine, history_sql)] == [("run_a", 5, 9, 3), ("run_b", 5, 9, 3)]

    # a rights change: DEFLT loses payments; the next run drops its row and the history shows it
    with sod_engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE nomasx1.security_rights_users SET can_run = false "
                "WHERE apps_id = :a AND user_id = 'DEFLT' AND object_name = 'R04570'"
            ),
            {"a": APPS},
        )
    run_sod(sod_engine, "run_c")
    assert not [k for k in details(sod_engine) if k[0] == "DEFLT"]
    assert [tuple(r.values()) for r in sod_rows(sod_engine, history_sql)][-1] == ("run_c", 5, 8, 3)


def test_other_applications_are_untouched(sod_engine: sa.Engine, sod_rows: Callable[..., list[dict[str, Any]]]) -> None:
    write_setup(sod_engine)
    with sod_engine.begin() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM nomasx1.settings_applications WHERE apps_id = 11")).first():
            Registry(sod_engine, "nomasx1").add(11, "y")
        conn.execute(sa.text("DELETE FROM nomasx1.sod_conflict_summary WHERE apps_id = 11"))
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.sod_conflict_summary (apps_id, process_id, activity1_id, activity2_id, "
                "users_count) VALUES (11, 'X', 'X1', 'X2', 7)"
            )
        )
    run_sod(sod_engine)
    assert sod_rows(sod_engine, "SELECT users_count FROM nomasx1.sod_conflict_summary WHERE apps_id = 11") == [
        {"users_count": 7}
    ]


def test_missing_rights_fail_clearly_and_keep_the_previous_results(
    sod_engine: sa.Engine,
    sod_rows: Callable[..., list[dict[str, Any]]],
    details: Callable[[sa.Engine], dict[tuple, dict[str, Any]]],
) -> None:
    write_setup(sod_engine)
    run_sod(sod_engine)
    with sod_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM nomasx1.security_rights_users WHERE apps_id = :a"), {"a": APPS})
    for step in (sod.sod_conflict_details, sod.sod_conflict_summary):
        with pytest.raises(Nomasx1Error, match="run nomasx1-security-1 for application 10 first"):
            run_step(sod_engine, step, "manual__again")
    assert len(details(sod_engine)) == 10
    assert sod_rows(
        sod_engine,
        "SELECT count(*) AS n FROM nomasx1.sod_conflict_history WHERE apps_id = :a AND run_id = 'manual__again'",
    ) == [{"n": 0}]


def test_object_bound_after_the_security_run_is_refused(
    sod_engine: sa.Engine, computed, sod_rows: Callable[..., list[dict[str, Any]]]
) -> None:
    """A program bound to an activity after the rights were computed has no rights row: the step
    says to re-run the security job instead of silently finding nobody (JDE is open by default)."""
    activity = OBJECTS[0][0]
    write_setup(sod_engine)  # the rights of the hand-built setup (another test removes them)
    run_sod(sod_engine)
    before = sod_rows(sod_engine, "SELECT count(*) AS n FROM nomasx1.sod_conflict_details WHERE apps_id = :a", a=APPS)
    with sod_engine.begin() as conn:
        _insert(conn, "sod_objects", [{"apps_id": APPS, "activity_id": activity, "object_name": "P55NEW"}])
    try:
        with pytest.raises(Nomasx1Error, match=r"P55NEW.*nomasx1-security-1"):
            run_step(sod_engine, sod.sod_conflict_details)
    finally:
        with sod_engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM nomasx1.sod_objects WHERE object_name = 'P55NEW'"))
    after = sod_rows(sod_engine, "SELECT count(*) AS n FROM nomasx1.sod_conflict_details WHERE apps_id = :a", a=APPS)
    assert after == before

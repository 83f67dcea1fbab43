"""The SQL rights engine against the plain-Python reference resolver, right by right.

Random small security setups (hypothesis) are written straight into the nomasx1 tables the
rights steps read (jde_sec_objects, security_users / _roles / _assignments); the four rights
steps run; every row of security_rights_users and security_rights_roles must equal the
reference resolver's answer (flags and the deciding record), and the set of keys must be the
keys named by the subject's levels. Both role-sequence directions. Then table-driven cases name
each rule of JDE-SOURCE.md section 3.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.security import rights
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.jde.resolution import (
    ACTION,
    APPLICATION,
    KIND_FLAGS,
    PUBLIC,
    Assignment,
    Decision,
    Record,
    SecuritySetup,
)
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 28)
APPS = 10
LOG = logging.getLogger("nomasx1.tests.rights")
USERS = ("U1", "U2", "U3")
ROLES = ("R1", "R2", "R3", "R4")
FLAG_COLUMNS = ("can_run", "can_add", "can_change", "can_delete", "can_ok", "can_copy", "can_scroll")


@pytest.fixture(scope="module")
def rights_engine(pg_server) -> Iterator[sa.Engine]:
    from airflow_provider_nomasx1 import testing

    url = testing.create_database(pg_server, prefix="nomasx1_rights")
    engine = sa.create_engine(url)
    bootstrap.init_schema(engine, "nomasx1")
    Registry(engine, "nomasx1").add(APPS, "rights test")
    yield engine
    engine.dispose()
    testing.drop_database(url)


# --- writing a setup and running the steps -----------------------------------------------------


def _status(a: Assignment) -> str:
    if a.expiration is not None and a.expiration <= AS_OF:
        return "expired"
    if a.effective > AS_OF:
        return "future"
    return "active"


def _write_setup(engine: sa.Engine, setup: SecuritySetup, users: tuple[str, ...], direction: str) -> None:
    with engine.begin() as conn:
        for table in (
            "jde_sec_objects",
            "security_users",
            "security_roles",
            "security_assignments",
            "security_rights_menus",
            "security_rights_users",
            "security_rights_roles",
        ):
            conn.execute(sa.text(f"DELETE FROM nomasx1.{table} WHERE apps_id = :a"), {"a": APPS})
        conn.execute(
            sa.text("UPDATE nomasx1.settings_applications SET role_sequence_direction = :d WHERE apps_id = :a"),
            {"d": direction, "a": APPS},
        )
        for user in users:
            conn.execute(
                sa.text("INSERT INTO nomasx1.security_users (apps_id, user_id) VALUES (:a, :u)"), {"a": APPS, "u": user}
            )
        for role, sequence in setup.role_sequences.items():
            if sequence is not None:
                conn.execute(
                    sa.text("INSERT INTO nomasx1.security_roles (apps_id, role_id, sequence) VALUES (:a, :r, :s)"),
                    {"a": APPS, "r": role, "s": sequence},
                )
        seen = set()
        for a in setup.assignments:
            if (a.user_id, a.role_id, a.effective) in seen:
                continue
            seen.add((a.user_id, a.role_id, a.effective))
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.security_assignments (apps_id, user_id, role_id, effective_date, "
                    "expiration_date, include_in_all, status) VALUES (:a, :u, :r, :e, :x, :i, :s)"
                ),
                {
                    "a": APPS,
                    "u": a.user_id,
                    "r": a.role_id,
                    "e": a.effective,
                    "x": a.expiration,
                    "i": a.include_in_all,
                    "s": _status(a),
                },
            )
        for n, r in enumerate(setup.records, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.jde_sec_objects (apps_id, record_no, type_code, security_type, principal, "
                    "object_name, form_name, version, " + ", ".join(FLAG_COLUMNS) + ") VALUES (:a, :n, :c, :k, :p, "
                    ":o, :f, :v, " + ", ".join(f":{c}" for c in FLAG_COLUMNS) + ")"
                ),
                {
                    "a": APPS,
                    "n": n,
                    "c": "1" if r.kind == APPLICATION else "2",
                    "k": r.kind,
                    "p": r.principal,
                    "o": r.object_name,
                    "f": r.form_name,
                    "v": r.version,
                    **{c: r.flags.get(c) for c in FLAG_COLUMNS},
                },
            )


BATCHED = (rights.security_rights_apps, rights.security_rights_apps_users)


def _run_steps(engine: sa.Engine, batch_rows: int = rights.BATCH_ROWS) -> None:
    class Target:
        pass

    Target.engine = engine

    for step in (
        rights.security_rights_apps,
        rights.security_rights_actions,
        rights.security_rights_apps_users,
        rights.security_rights_actions_users,
    ):
        ctx = StepContext(
            dag_id="nomasx1-security-1",
            step=step.__name__.upper(),
            run_id="manual__prop",
            params={"apps_id": APPS, "target_connector": "nomasx1", "as_of_date": AS_OF.isoformat()},
            log=LOG,
            hook_factory=lambda role, conn_id: Target(),
        )
        if step in BATCHED:  # the application steps batch their subjects
            step(ctx, batch_rows=batch_rows)
        else:
            step(ctx)


def _rows(engine: sa.Engine, table: str, subject: str) -> dict[tuple, dict]:
    with engine.connect() as conn:
        result = conn.execute(sa.text(f"SELECT * FROM nomasx1.{table} WHERE apps_id = :a"), {"a": APPS}).mappings()
        return {(r[subject], r["object_name"], r["form_name"], r["version"]): dict(r) for r in result}


def _expected(decision: Decision, prefix: str) -> dict:
    return {
        f"{prefix}decided_level": decision.level,
        f"{prefix}decided_by": decision.principal,
        f"{prefix}decided_object": decision.object_name,
        f"{prefix}decided_form": decision.form_name,
        f"{prefix}decided_version": decision.version,
        **decision.flags,
    }


def _actual(row: dict, prefix: str, kind: str) -> dict:
    keys = [
        f"{prefix}decided_level",
        f"{prefix}decided_by",
        f"{prefix}decided_object",
        f"{prefix}decided_form",
        f"{prefix}decided_version",
    ]
    return {**{k: row[k] for k in keys}, **{f: row[f] for f in KIND_FLAGS[kind]}}


def _check(engine: sa.Engine, setup: SecuritySetup, users: tuple[str, ...]) -> int:
    checked = 0
    got_users = _rows(engine, "security_rights_users", "user_id")
    expected_keys = set()
    for user in users:
        levels = [p for _, p in setup.user_levels(user, AS_OF)]
        for key in setup.keys_named_by(levels):
            expected_keys.add((user, *key))
    assert set(got_users) == expected_keys
    for (user, *key), row in got_users.items():
        key = tuple(key)
        for kind, prefix in ((APPLICATION, ""), (ACTION, "action_")):
            want = _expected(setup.user_right(user, key, kind, AS_OF), prefix)
            assert _actual(row, prefix, kind) == want, (user, key, kind)
            checked += 1
        assert row["as_of_date"] == AS_OF

    got_roles = _rows(engine, "security_rights_roles", "role_id")
    roles = [r for r, s in setup.role_sequences.items() if s is not None] + [PUBLIC]
    expected_role_keys = {(r, *k) for r in roles for k in setup.keys_named_by(setup_levels(setup, r))}
    assert set(got_roles) == expected_role_keys
    for (role, *key), row in got_roles.items():
        for kind, prefix in ((APPLICATION, ""), (ACTION, "action_")):
            want = _expected(setup.role_right(role, tuple(key), kind), prefix)
            assert _actual(row, prefix, kind) == want, (role, key, kind)
            checked += 1
    return checked


def setup_levels(setup: SecuritySetup, role: str) -> list[str]:
    return [p for _, p in setup.role_levels(role)]


# --- random setups -----------------------------------------------------------------------------

_flag = st.sampled_from([True, False, None])


@st.composite
def records(draw) -> Record:
    kind = draw(st.sampled_from([APPLICATION, ACTION]))
    obj = draw(st.sampled_from(["P1", "P1", "P1", "P2", "*ALL"]))
    return Record(
        principal=draw(st.sampled_from(("U1", "U2", "U3", "R1", "R2", "R3", "R4", PUBLIC, "U1", "R1", "R2"))),
        kind=kind,
        object_name=obj,
        form_name=draw(st.sampled_from(["", "W1", "W1", "W2"] if obj == "P2" else ["", "W1"]))
        if obj != "*ALL"
        else draw(st.sampled_from(["", "", "", "W1"])),
        version=draw(st.sampled_from(["", "V1", "V1", "V2"] if obj == "P2" else ["", "V1"]))
        if obj != "*ALL"
        else draw(st.sampled_from(["", "", "", "V1"])),
        flags={name: draw(_flag) for name in KIND_FLAGS[kind]},
    )


@st.composite
def assignments(draw) -> Assignment:
    eff = AS_OF + dt.timedelta(days=draw(st.integers(-3, 2)))
    exp = draw(st.one_of(st.none(), st.integers(-2, 3)))
    return Assignment(
        user_id=draw(st.sampled_from(USERS)),
        role_id=draw(st.sampled_from(ROLES)),
        effective=eff,
        expiration=None if exp is None else AS_OF + dt.timedelta(days=exp),
        include_in_all=draw(st.booleans()),
    )


@st.composite
def setups(draw) -> SecuritySetup:
    sequences = {r: draw(st.one_of(st.none(), st.integers(1, 4))) for r in ROLES}
    if all(s is None for s in sequences.values()):
        sequences["R1"] = 1
    return SecuritySetup(
        records=draw(st.lists(records(), min_size=0, max_size=18)),
        role_sequences=sequences,
        # F95921's key is (role, member, effective date): one row per key, as in the target table
        assignments=draw(st.lists(assignments(), max_size=8, unique_by=lambda a: (a.user_id, a.role_id, a.effective))),
        direction=draw(st.sampled_from(["ascending", "descending"])),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=setups(), batch_rows=st.sampled_from([rights.BATCH_ROWS, 1, 3]))
def test_sql_engine_matches_reference_resolver(rights_engine: sa.Engine, setup: SecuritySetup, batch_rows: int) -> None:
    """Also with tiny batches: a subject's rights never depend on how subjects are batched."""
    _write_setup(rights_engine, setup, USERS, setup.direction)
    _run_steps(rights_engine, batch_rows)
    _check(rights_engine, setup, USERS)


@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_both_directions_on_a_dense_setup(rights_engine: sa.Engine, direction: str) -> None:
    """A fixed setup where every rule matters: at least 100 rights compared per direction."""
    recs = []
    for principal in (*USERS[:1], *ROLES, PUBLIC):
        for obj in ("P1", "P2", "*ALL"):
            for form in ("", "W1"):
                for version in ("", "V1"):
                    if obj == "*ALL" and (form or version):
                        continue
                    if sum(map(ord, principal + obj + form + version)) % 3 == 0 and principal != PUBLIC:
                        continue
                    allowed = (len(principal) + len(obj) + len(form) + len(version)) % 2 == 0
                    recs.append(Record(principal, APPLICATION, obj, form, version, {"can_run": allowed}))
                    recs.append(
                        Record(principal, ACTION, obj, form, version, {f: not allowed for f in KIND_FLAGS[ACTION]})
                    )
    setup = SecuritySetup(
        records=recs,
        role_sequences={"R1": 3, "R2": 1, "R3": 2, "R4": None},
        assignments=[Assignment(u, r, AS_OF - dt.timedelta(days=1)) for u in USERS for r in ROLES],
        direction=direction,
    )
    _write_setup(rights_engine, setup, USERS, direction)
    _run_steps(rights_engine)
    assert _check(rights_engine, setup, USERS) >= 100


# --- the rules, one by one ---------------------------------------------------------------------


def _app(principal: str, obj: str, run: bool, form: str = "", version: str = "") -> Record:
    return Record(principal, APPLICATION, obj, form, version, {"can_run": run})


def _user_row(engine: sa.Engine, user: str, key: tuple[str, str, str]) -> dict:
    return _rows(engine, "security_rights_users", "user_id")[(user, *key)]


def _run_case(engine: sa.Engine, setup: SecuritySetup, direction: str = "ascending") -> None:
    _write_setup(engine, setup, USERS, direction)
    _run_steps(engine)
    _check(engine, setup, USERS)  # the reference resolver agrees on every row, too


def _active(user: str, role: str, **kw) -> Assignment:
    return Assignment(user, role, AS_OF - dt.timedelta(days=10), **kw)


RULE_CASES = {
    # rule 4: object + version beats object + form inside one level
    "version beats form": (
        [
            _app("R1", "P1", False, version="V1"),
            _app("R1", "P1", True, form="W1"),
            _app(PUBLIC, "P1", True, "W1", "V1"),
        ],
        ("P1", "W1", "V1"),
        ("ROLE", "R1", False, ("P1", "", "V1")),
    ),
    # rule 4: object + form beats object alone
    "form beats object": (
        [_app("R1", "P1", True), _app("R1", "P1", False, form="W1")],
        ("P1", "W1", ""),
        ("ROLE", "R1", False, ("P1", "W1", "")),
    ),
    # rule 4: object beats *ALL
    "object beats *ALL": (
        [_app("R1", "*ALL", False), _app("R1", "P1", True)],
        ("P1", "", ""),
        ("ROLE", "R1", True, ("P1", "", "")),
    ),
    # rule 5: a user-level *ALL beats a role's record for the specific object
    "user *ALL beats role object": (
        [_app("U1", "*ALL", False), _app("R1", "P1", True)],
        ("P1", "", ""),
        ("USER", "U1", False, ("*ALL", "", "")),
    ),
    # rule 5: one role wins (first in sequence), rights are not added up
    "first role decides": (
        [_app("R1", "P1", False), _app("R2", "P1", True)],
        ("P1", "", ""),
        ("ROLE", "R1", False, ("P1", "", "")),
    ),
    # rule 5: a role with only *ALL still decides before a later role's specific record
    "earlier role *ALL decides": (
        [_app("R1", "*ALL", True), _app("R2", "P1", False)],
        ("P1", "", ""),
        ("ROLE", "R1", True, ("*ALL", "", "")),
    ),
    # rule 3: *PUBLIC only when no user or role record
    "public last": (
        [_app(PUBLIC, "P1", False), _app(PUBLIC, "P2", True), _app("R2", "P2", False)],
        ("P1", "", ""),
        ("PUBLIC", PUBLIC, False, ("P1", "", "")),
    ),
}


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule(rights_engine: sa.Engine, name: str) -> None:
    recs, key, (level, by, run, decided) = RULE_CASES[name]
    setup = SecuritySetup(
        records=recs, role_sequences={"R1": 10, "R2": 20}, assignments=[_active("U1", "R1"), _active("U1", "R2")]
    )
    _run_case(rights_engine, setup)
    row = _user_row(rights_engine, "U1", key)
    assert (row["decided_level"], row["decided_by"], row["can_run"]) == (level, by, run)
    assert (row["decided_object"], row["decided_form"], row["decided_version"]) == decided


def test_default_open_when_no_record(rights_engine: sa.Engine) -> None:
    """rule 6: a key named only by an action record gets run allowed by DEFAULT."""
    setup = SecuritySetup(
        records=[Record("R1", ACTION, "P1", flags={"can_add": False})],
        role_sequences={"R1": 1},
        assignments=[_active("U1", "R1")],
    )
    _run_case(rights_engine, setup)
    row = _user_row(rights_engine, "U1", ("P1", "", ""))
    assert (row["decided_level"], row["decided_by"], row["can_run"]) == ("DEFAULT", None, True)
    assert (row["action_decided_level"], row["action_decided_by"], row["can_add"], row["can_change"]) == (
        "ROLE",
        "R1",
        False,
        True,
    )


@pytest.mark.parametrize(("direction", "winner"), [("ascending", "R1"), ("descending", "R2")])
def test_sequence_direction(rights_engine: sa.Engine, direction: str, winner: str) -> None:
    """rule 2: ascending = the lowest sequence first; descending = the highest first."""
    setup = SecuritySetup(
        records=[_app("R1", "P1", False), _app("R2", "P1", True)],
        role_sequences={"R1": 10, "R2": 20},
        assignments=[_active("U1", "R1"), _active("U1", "R2")],
        direction=direction,
    )
    _run_case(rights_engine, setup, direction)
    row = _user_row(rights_engine, "U1", ("P1", "", ""))
    assert (row["decided_by"], row["can_run"]) == (winner, winner == "R2")
    with rights_engine.connect() as conn:
        recorded = conn.execute(
            sa.text("SELECT role_sequence_direction FROM nomasx1.security_rights_runs WHERE run_id = 'manual__prop'")
        ).scalar()
    assert recorded == direction


@pytest.mark.parametrize(
    ("assignment", "active"),
    [
        (Assignment("U1", "R1", AS_OF, None), True),  # effective today
        (Assignment("U1", "R1", AS_OF + dt.timedelta(days=1), None), False),  # future
        (Assignment("U1", "R1", AS_OF - dt.timedelta(days=9), AS_OF), False),  # expires today: inactive
        (Assignment("U1", "R1", AS_OF - dt.timedelta(days=9), AS_OF + dt.timedelta(days=1)), True),  # last day
        (Assignment("U1", "R1", AS_OF - dt.timedelta(days=9), None, include_in_all=False), False),  # not in *ALL
    ],
)
def test_assignment_window_and_include_in_all(rights_engine: sa.Engine, assignment: Assignment, active: bool) -> None:
    """rule 1: a role counts from its effective date until the start of its expiration day, and
    only when flagged include-in-*ALL."""
    setup = SecuritySetup(
        records=[_app("R1", "P1", False), _app(PUBLIC, "P1", True)],
        role_sequences={"R1": 1},
        assignments=[assignment],
    )
    _run_case(rights_engine, setup)
    row = _user_row(rights_engine, "U1", ("P1", "", ""))
    assert row["decided_by"] == ("R1" if active else PUBLIC)

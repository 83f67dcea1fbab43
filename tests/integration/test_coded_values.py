"""Never wrong silently: coded JDE values, empty or collapsed required sources, optional tables.

Each test plays another site on the tiny synthetic JDE source: the JDE tables it changes are
copied (per test) and edited with SQL, and the `jdedwards` connection's extras.catalogue points
at the copies, so the shared source stays as generated. See jde/coded_values.py and
docs/security.md ("Required and optional tables", "Coded values").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from support.security import APPS_ID, SecurityTarget

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.security.menus import jde_menus, jde_tasks, security_menus
from airflow_provider_nomasx1.collectors.security.objects import jde_objects, jde_sec_objects
from airflow_provider_nomasx1.collectors.security.principals import (
    security_assignments,
    security_roles,
    security_users,
    security_users_data,
)
from airflow_provider_nomasx1.collectors.security.rights import (
    jde_sec_menus,
    security_rights_actions,
    security_rights_apps,
)
from airflow_provider_nomasx1.errors import ConfigurationError, SourceUnavailableError

PRINCIPALS = (security_roles, security_users, security_users_data, security_assignments)
FLAGS = ("fsrun", "fsvwyn", "fsa", "fschng", "fsdlt", "fsiok", "fscopy", "fsscrl")

#: the table each JDE name lives in, in the tiny source (lower-case, as PostgreSQL stores it)
SOURCE = {
    "F0092": "sy920.f0092",
    "F00926": "sy920.f00926",
    "F95921": "sy920.f95921",
    "F98OWSEC": "sy920.f98owsec",
    "F9312": "sy920.f9312",
    "F00950": "sy920.f00950",
    "F9860": "ol920.f9860",
    "F01151": "ps920dta.f01151",
    "F9001": "prodctl.f9001",
}


class Site:
    """Per-test copies of JDE tables, edited to play another site, and the catalogue pointing at them."""

    def __init__(self, target: SecurityTarget, monkeypatch: pytest.MonkeyPatch) -> None:
        self.target = target
        self.monkeypatch = monkeypatch
        self.engine = sa.create_engine(target.source_url)
        self.overrides: dict[str, str] = {}
        self.created: list[str] = []

    def copy(self, jde_name: str, edit: str | None = None, rows: bool = True) -> str:
        """Copy ``jde_name`` (``edit``: SQL run on the copy, ``{t}`` = its name) and read the copy."""
        schema = SOURCE[jde_name].split(".")[0]
        name = f"{jde_name.lower()}_cv{uuid.uuid4().hex[:8]}"
        copy = f"{schema}.{name}"
        with self.engine.begin() as conn:
            conn.exec_driver_sql(
                f"CREATE TABLE {copy} AS SELECT * FROM {SOURCE[jde_name]}{'' if rows else ' WHERE false'}"
            )
            if edit:
                conn.exec_driver_sql(edit.format(t=copy))
        self.created.append(copy)
        self.use(jde_name, name)
        return copy

    def use(self, jde_name: str, physical: str) -> None:
        """Read ``jde_name`` from ``physical`` (a missing name plays a dropped table)."""
        self.overrides[jde_name] = physical
        env = testing.connection_env(
            "jdedwards", self.target.source_url, conn_type="jdedwards", db_type="postgres", catalogue=self.overrides
        )
        for key, value in env.items():
            self.monkeypatch.setenv(key, value)

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for name in self.created:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        self.engine.dispose()


@pytest.fixture
def site(security_target: SecurityTarget, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(security_target, monkeypatch)
    yield s
    s.drop()


def run(target: SecurityTarget, steps: tuple[Callable, ...], run_id: str) -> dict[str, int]:
    rows: dict[str, int] = {}
    for step in steps:
        rows.update(target.run(step, run_id=run_id))
    return rows


def rows_of(target: SecurityTarget, table: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row of the application in ``table`` (sorted), without refreshed_at, run_id and ``drop``."""
    with target.engine.connect() as conn:
        found = conn.execute(sa.text(f"SELECT * FROM nomasx1.{table} WHERE apps_id = :a"), {"a": APPS_ID}).mappings()
        result = [{k: v for k, v in r.items() if k not in ("refreshed_at", "run_id", *drop)} for r in found]
    return sorted(result, key=repr)


def audit(target: SecurityTarget, run_id: str, step: str) -> tuple[str, str | None, dict[str, Any]]:
    status, message, details = target.rows(
        "SELECT status, message, details FROM nomasx1.collect_audit WHERE run_id = :r AND step = :s", r=run_id, s=step
    )[0]
    return status, message, details


def users(target: SecurityTarget, where: str) -> set[str]:
    return {u for (u,) in target.rows(f"SELECT user_id FROM nomasx1.security_users WHERE apps_id = 10 AND {where}")}


# --------------------------------------------------------------------------------------------------
# another site's conventions give the same answers
# --------------------------------------------------------------------------------------------------

SAME_ANSWER = [
    # case, JDE table, edit of the copy, steps, table compared, columns that keep the raw code
    (
        "F95921 include-in-*ALL as Y/N",
        "F95921",
        "UPDATE {t} SET rlcustom = CASE rlcustom WHEN '1' THEN 'Y' WHEN '0' THEN 'N' ELSE rlcustom END",
        (security_users, security_assignments),
        ("security_assignments", "security_users"),
        (),
    ),
    (
        "F98OWSEC status as 1/2",
        "F98OWSEC",
        "UPDATE {t} SET sceuser = CASE sceuser WHEN '01' THEN '1' WHEN '02' THEN '2' ELSE sceuser END",
        (security_users,),
        ("security_users",),
        ("status_code",),
    ),
    (
        "F00950 flags as 1/0 (and lower-case y)",
        "F00950",
        "UPDATE {t} SET "
        + ", ".join(f"{f} = CASE {f} WHEN 'Y' THEN '1' WHEN 'N' THEN '0' ELSE {f} END" for f in FLAGS)
        + "; UPDATE {t} SET fsrun = 'y' WHERE fsrun = '1' AND fsuser = 'APCLERK'",
        (jde_sec_objects,),
        ("jde_sec_objects",),
        ("record_no",),  # ties between duplicate keys are numbered by their raw flags
    ),
    (
        "F9312 event types without a leading zero",
        "F9312",
        "UPDATE {t} SET shevtyp = ltrim(shevtyp, '0') WHERE shevtyp IN ('01 ', '05 ')",
        (security_users,),
        ("security_users",),
        (),
    ),
]


@pytest.mark.parametrize(
    ("case", "jde_name", "edit", "steps", "tables", "raw"), SAME_ANSWER, ids=[c[0] for c in SAME_ANSWER]
)
def test_another_sites_codes_give_the_same_rows(
    site: Site, case: str, jde_name: str, edit: str, steps: tuple, tables: tuple[str, ...], raw: tuple[str, ...]
) -> None:
    t = site.target
    run(t, (*PRINCIPALS, jde_sec_objects), "manual__baseline")
    before = {table: rows_of(t, table, raw) for table in tables}
    assert users(t, "no_role") == {"NOROLE1", "SALES1"}  # the fixtures' answer

    site.copy(jde_name, edit)
    run(t, steps, "manual__other_site")
    for table in tables:
        assert rows_of(t, table, raw) == before[table], (case, table)
    for step in steps:
        status, message, details = audit(t, "manual__other_site", step.__name__.upper())
        assert status == "success" and "unknown_coded_values" not in details, (case, message)


# --------------------------------------------------------------------------------------------------
# unknown codes are counted and reported
# --------------------------------------------------------------------------------------------------


def test_unknown_codes_are_counted_in_the_message_and_collect_audit(site: Site) -> None:
    t = site.target
    run(t, PRINCIPALS, "manual__baseline")
    excluded_before = t.rows("SELECT user_id FROM nomasx1.security_assignments WHERE NOT include_in_all")
    site.copy(
        "F95921",
        "UPDATE {t} SET rlcustom = 'X' WHERE ctid IN (SELECT ctid FROM {t} WHERE rlcustom = '1' "
        "AND rltorole IN ('SALES2', 'ADMIN1'))",
    )
    site.copy("F98OWSEC", "UPDATE {t} SET sceuser = '07' WHERE scuser = 'GLUSER1'")
    site.copy("F00950", "UPDATE {t} SET fsrun = 'T' WHERE ctid IN (SELECT ctid FROM {t} WHERE fsrun = 'Y' LIMIT 3)")

    run(t, (security_users, security_assignments, jde_sec_objects), "manual__unknown")

    status, message, details = audit(t, "manual__unknown", "SECURITY_ASSIGNMENTS")
    assert status == "success"
    assert details["unknown_coded_values"] == {
        "include_in_all_values": {"column": "F95921.RLCUSTOM", "rows": 2, "values": {"X": 2}}
    }
    assert details["rows"] == {"security_assignments": 29}
    assert "2 F95921.RLCUSTOM value(s) outside include_in_all_values: 'X' (2)" in message
    # an unknown code is not "set": those two assignments are not included in *ALL
    excluded = t.rows("SELECT user_id FROM nomasx1.security_assignments WHERE NOT include_in_all")
    assert sorted(excluded) == sorted([*excluded_before, ("ADMIN1",), ("SALES2",)])

    status, message, details = audit(t, "manual__unknown", "SECURITY_USERS")
    assert details["unknown_coded_values"]["signon_status_values"] == {
        "column": "F98OWSEC.SCEUSER",
        "rows": 1,
        "values": {"07": 1},
    }
    assert details["unknown_coded_values"]["include_in_all_values"]["rows"] == 2
    assert "outside signon_status_values: '07' (1)" in message
    assert "GLUSER1" not in users(t, "enabled")  # an unknown status is not enabled
    assert details["source_rows"] == {"F0092": 28, "F00926": 8, "F95921": 31, "F98OWSEC": 19}

    status, message, details = audit(t, "manual__unknown", "JDE_SEC_OBJECTS")
    assert details["unknown_coded_values"]["security_flag_values"]["values"] == {"T": 3}
    assert "outside security_flag_values: 'T' (3)" in message
    assert t.scalar("SELECT count(*) FROM nomasx1.jde_sec_objects WHERE apps_id = 10 AND can_run") == 21 - 3


# --------------------------------------------------------------------------------------------------
# implausible results fail loudly and leave the previous rows
# --------------------------------------------------------------------------------------------------

IMPLAUSIBLE = [
    # case, JDE table, edit, step, message (regex), tables that must keep their rows
    (
        "every assignment excluded from *ALL",
        "F95921",
        "UPDATE {t} SET rlcustom = CASE rlcustom WHEN '1' THEN 'J' ELSE 'N' END",
        security_users,
        r"all 31 assignments \(F95921 rows\) would be excluded from \*ALL: F95921\.RLCUSTOM holds only "
        r"'J' \(29\), 'N' \(2\); see include_in_all_values .*`nomasx1 apps update --apps-id 10 --coded-values '",
        ("security_users", "security_assignments"),
    ),
    (
        "every assignment excluded, assignments step",
        "F95921",
        "UPDATE {t} SET rlcustom = CASE rlcustom WHEN '1' THEN 'J' ELSE 'N' END",
        security_assignments,
        r"all 31 assignments .* excluded from \*ALL: F95921\.RLCUSTOM holds only 'J' \(29\), 'N' \(2\)",
        ("security_assignments",),
    ),
    (
        "every account disabled",
        "F98OWSEC",
        "UPDATE {t} SET sceuser = CASE sceuser WHEN '01' THEN 'A' ELSE 'D' END",
        security_users,
        r"all 19 accounts \(F98OWSEC rows\) would be disabled: F98OWSEC\.SCEUSER holds only 'A' \(18\), 'D' \(1\); "
        r"see signon_status_values",
        ("security_users",),
    ),
    (
        "every F00950 flag unknown",
        "F00950",
        "UPDATE {t} SET "
        + ", ".join(f"{f} = CASE {f} WHEN 'Y' THEN 'T' WHEN 'N' THEN 'F' ELSE {f} END" for f in FLAGS),
        jde_sec_objects,
        r"no F00950 flag of the [0-9,]+ set is allowed or secured: F00950 flags .* holds only "
        r"'[TF]' \(\d+\), '[TF]' \(\d+\); see security_flag_values",
        ("jde_sec_objects",),
    ),
    (
        "every F9312 event type unknown",
        "F9312",
        "UPDATE {t} SET shevtyp = 'Z' || btrim(shevtyp)",
        security_users,
        r"none of the 124 F9312 events has a known event type.*F9312\.SHEVTYP holds only 'Z13' \(31\), 'Z01' \(25\)"
        r".*"
        r"see event_type_values",
        ("security_users",),
    ),
    (
        "every FSSETY code unmapped",
        "F00950",
        "UPDATE {t} SET fssety = 'Q'",
        jde_sec_objects,
        r"all 48 F00950 records have an FSSETY code outside application 10's security_type_codes .*"
        r"`nomasx1 apps update --apps-id 10 --security-type-codes '",
        ("jde_sec_objects",),
    ),
]


@pytest.mark.parametrize(
    ("case", "jde_name", "edit", "step", "message", "kept"), IMPLAUSIBLE, ids=[c[0] for c in IMPLAUSIBLE]
)
def test_implausible_result_fails_and_leaves_the_previous_rows(
    site: Site, case: str, jde_name: str, edit: str, step: Callable, message: str, kept: tuple[str, ...]
) -> None:
    t = site.target
    run(t, (*PRINCIPALS, jde_sec_objects), "manual__baseline")
    before = {table: rows_of(t, table) for table in kept}
    site.copy(jde_name, edit)
    with pytest.raises(ConfigurationError, match=message):
        t.run(step, run_id="manual__implausible")
    for table in kept:
        assert rows_of(t, table) == before[table], (case, table)
    status, audit_message, _ = audit(t, "manual__implausible", step.__name__.upper())
    assert status == "failed" and "ConfigurationError" in audit_message


def test_the_setting_the_message_names_fixes_the_site(site: Site) -> None:
    """The 'J'/'N' site of the implausible case, once its codes are set, gives the fixtures' answer."""
    t = site.target
    run(t, PRINCIPALS, "manual__baseline")
    before = rows_of(t, "security_assignments")
    site.copy("F95921", "UPDATE {t} SET rlcustom = CASE rlcustom WHEN '1' THEN 'J' ELSE 'N' END")
    Registry(t.engine, "nomasx1").update(APPS_ID, coded_values='{"include_in_all_values": {"set": ["J"]}}')
    run(t, (security_users, security_assignments), "manual__fixed")
    assert rows_of(t, "security_assignments") == before
    assert users(t, "no_role") == {"NOROLE1", "SALES1"}


# --------------------------------------------------------------------------------------------------
# required sources: empty refused, collapse guarded
# --------------------------------------------------------------------------------------------------

EMPTY = [
    # JDE table, the step reading it, the tables that keep their rows
    ("F0092", security_users, ("security_users",)),
    ("F00926", security_roles, ("security_roles",)),
    ("F95921", security_assignments, ("security_assignments",)),
    ("F98OWSEC", security_users, ("security_users",)),
    ("F00950", jde_sec_objects, ("jde_sec_objects",)),
    ("F9860", jde_objects, ("jde_objects",)),
]


@pytest.mark.parametrize(("jde_name", "step", "kept"), EMPTY, ids=[c[0] for c in EMPTY])
def test_empty_required_source_is_refused_and_changes_nothing(
    site: Site, jde_name: str, step: Callable, kept: tuple[str, ...]
) -> None:
    t = site.target
    run(t, (*PRINCIPALS, jde_objects, jde_sec_objects), "manual__baseline")
    before = {table: rows_of(t, table) for table in kept}
    counts_before = t.rows("SELECT * FROM nomasx1.collect_source_counts ORDER BY table_name")
    empty = site.copy(jde_name, rows=False)
    with pytest.raises(SourceUnavailableError, match=rf"{empty} \({jde_name}\) returned no rows.*looks empty"):
        t.run(step, run_id="manual__empty")
    for table in kept:
        assert rows_of(t, table) == before[table], table
    assert t.rows("SELECT * FROM nomasx1.collect_source_counts ORDER BY table_name") == counts_before
    assert audit(t, "manual__empty", step.__name__.upper())[0] == "failed"


def test_collapsed_source_is_refused_until_the_setting_allows_it(site: Site) -> None:
    t = site.target
    run(t, PRINCIPALS, "manual__first")
    users_before, assignments_before = rows_of(t, "security_users"), rows_of(t, "security_assignments")
    assert t.rows("SELECT row_count, run_id FROM nomasx1.collect_source_counts WHERE table_name = 'F95921'") == [
        (31, "manual__first")
    ]

    # 80% of F95921 gone (25 of 31 rows)
    copy = site.copy(
        "F95921", "DELETE FROM {t} WHERE ctid IN (SELECT ctid FROM {t} ORDER BY rltorole, rlfrrole LIMIT 25)"
    )
    with pytest.raises(
        ConfigurationError,
        match=rf"JDE table {copy} \(F95921\) shrank from 31 to 6 rows \(-81%\) since the last collection "
        r"\(run manual__first\): more than application 10 allows \(collapse_max_shrink 0\.5\).*"
        r"`nomasx1 apps update --apps-id 10 --collapse-max-shrink 1`",
    ):
        t.run(security_users, run_id="manual__collapsed")
    assert rows_of(t, "security_users") == users_before
    assert rows_of(t, "security_assignments") == assignments_before
    assert t.scalar("SELECT row_count FROM nomasx1.collect_source_counts WHERE table_name = 'F95921'") == 31

    Registry(t.engine, "nomasx1").update(APPS_ID, collapse_max_shrink=1)
    run(t, (security_users, security_assignments), "manual__allowed")
    assert t.scalar("SELECT count(*) FROM nomasx1.security_assignments WHERE apps_id = 10") < 29 * 0.5
    assert t.rows("SELECT row_count, run_id FROM nomasx1.collect_source_counts WHERE table_name = 'F95921'") == [
        (6, "manual__allowed")
    ]


def test_collapsed_derived_table_is_refused(site: Site) -> None:
    """F95921 keeps its 31 rows, but most of them now name a member that is no user."""
    t = site.target
    run(t, PRINCIPALS, "manual__first")
    before = rows_of(t, "security_assignments")
    site.copy(
        "F95921",
        "UPDATE {t} SET rltorole = 'NOBODY' WHERE ctid IN (SELECT ctid FROM {t} ORDER BY rltorole, rlfrrole LIMIT 24)",
    )
    with pytest.raises(
        ConfigurationError, match=r"nomasx1\.security_assignments shrank from 29 to \d rows .*collapse_max_shrink 0\.5"
    ):
        t.run(security_assignments, run_id="manual__derived")
    assert rows_of(t, "security_assignments") == before


# --------------------------------------------------------------------------------------------------
# optional enrichment tables never block the job
# --------------------------------------------------------------------------------------------------


def test_missing_email_table_warns_and_the_job_goes_on(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    t = site.target
    run(t, PRINCIPALS, "manual__baseline")
    before = rows_of(t, "security_users_data", ("email",))
    assert t.scalar("SELECT count(email) FROM nomasx1.security_users_data WHERE apps_id = 10") > 0

    site.use("F01151", "f01151_dropped")
    rows = run(t, PRINCIPALS, "manual__no_email")
    assert rows == {"security_roles": 8, "security_users": 20, "security_users_data": 20, "security_assignments": 29}
    assert t.scalar("SELECT count(email) FROM nomasx1.security_users_data WHERE apps_id = 10") == 0
    assert rows_of(t, "security_users_data", ("email",)) == before  # the other columns are unchanged
    status, message, details = audit(t, "manual__no_email", "SECURITY_USERS_DATA")
    assert status == "success"
    assert "optional JDE table F01151 unreadable, security_users_data.email left empty" in message
    assert "ps920dta.f01151_dropped (F01151) not found" in details["missing_optional_sources"]["F01151"]
    assert any("F01151" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_missing_sign_on_history_leaves_dates_empty_and_dormant_unknown(site: Site) -> None:
    t = site.target
    site.use("F9312", "f9312_dropped")
    run(t, PRINCIPALS, "manual__no_history")
    assert t.rows(
        "SELECT count(last_login_date), count(created_date), count(*) FILTER (WHERE dormant IS NULL) "
        "FROM nomasx1.security_users WHERE apps_id = 10"
    ) == [(0, 0, 18)]  # the 18 enabled accounts: unknown; the 2 others: not dormant
    assert users(t, "dormant IS NOT NULL") == {"BUYER1", "NOSIGNON"}
    _, message, details = audit(t, "manual__no_history", "SECURITY_USERS")
    assert "F9312" in details["missing_optional_sources"] and "dormant unknown" in message


def test_missing_menu_tables_leave_the_menus_empty(site: Site) -> None:
    t = site.target
    run(t, (jde_sec_objects, security_roles), "manual__baseline")
    site.use("F9001", "f9001_dropped")
    rows = run(t, (jde_tasks, jde_menus, security_menus, jde_sec_menus), "manual__no_menus")
    assert rows["jde_menus"] == 0 and rows["security_menus"] == 0 and rows["jde_sec_menus"] == 0
    assert rows["jde_tasks"] > 0  # F9000 is there
    for step in ("JDE_MENUS", "JDE_SEC_MENUS"):
        status, message, details = audit(t, "manual__no_menus", step)
        assert status == "success" and "F9001" in details["missing_optional_sources"], step


def test_missing_required_table_still_fails_at_once(site: Site) -> None:
    t = site.target
    site.use("F98OWSEC", "f98owsec_dropped")
    with pytest.raises(SourceUnavailableError, match=r"sy920\.f98owsec_dropped \(F98OWSEC\) not found"):
        t.run(security_users, run_id="manual__no_signon")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            '{"include_in_all": {"set": ["Y"]}}',
            r"unknown coded value setting 'include_in_all'; valid: \[.*'include_in_all_values'",
        ),
        ('{"include_in_all_values": {"yes": ["Y"]}}', r"unknown meaning 'yes'; valid: \['set', 'not_set'\]"),
        ('{"include_in_all_values": ["Y"]}', r"must be an object \{meaning: \[codes\]\}"),
        ('{"include_in_all_values": {"set": "Y"}}', r"must be a list of codes"),
        ('{"include_in_all_values": {"set": ["N"]}}', r"code 'N' is given two meanings \(set and not_set\)"),
        ('{"signon_status_values": {"enabled": ["O\'1"]}}', r"is not a JDE code"),
        ("[1]", r"must be a JSON object .*settings: \["),
        ("{not json", r"--coded-values is not valid JSON"),
    ],
)
def test_bad_coded_values_are_refused_naming_the_valid_ones(
    security_target: SecurityTarget, given: str, message: str
) -> None:
    registry = Registry(security_target.engine, "nomasx1")
    with pytest.raises(ConfigurationError, match=message):
        registry.update(APPS_ID, coded_values=given)
    assert registry.show(APPS_ID)["coded_values"] == {}


@pytest.mark.parametrize("share", [-0.1, 1.5, "half"])
def test_bad_collapse_setting_is_refused(security_target: SecurityTarget, share: Any) -> None:
    registry = Registry(security_target.engine, "nomasx1")
    with pytest.raises(ConfigurationError, match="collapse_max_shrink must be a share between 0 and 1"):
        registry.update(APPS_ID, collapse_max_shrink=share)


def test_cli_sets_and_shows_the_coded_values(security_target: SecurityTarget, capsys: pytest.CaptureFixture) -> None:
    url = security_target.engine.url.render_as_string(hide_password=False)
    given = '{"include_in_all_values": {"set": [" y", "1"], "not_set": ["n", "0", ""]}}'
    assert (
        main(
            ["apps", "update", "--apps-id", "10", "--coded-values", given, "--collapse-max-shrink", "0.8", "--url", url]
        )
        == 0
    )
    app = Registry(security_target.engine, "nomasx1").show(APPS_ID)
    assert app["coded_values"] == {"include_in_all_values": {"set": ["Y", "1"], "not_set": ["N", "0", ""]}}
    assert float(app["collapse_max_shrink"]) == 0.8
    capsys.readouterr()
    assert main(["apps", "update", "--apps-id", "10", "--coded-values", '{"nope": {}}', "--url", url]) == 2
    assert "unknown coded value setting 'nope'" in capsys.readouterr().err


def test_collapsed_rights_are_refused(site: Site) -> None:
    """The guard on the rights tables compares with the rights the previous run wrote."""
    t = site.target
    steps = (jde_sec_objects, security_roles, security_rights_apps, security_rights_actions)
    run(t, steps, "manual__first")
    before = rows_of(t, "security_rights_roles")
    with t.engine.begin() as conn:  # a site left with one role: most role rights disappear
        conn.execute(sa.text("DELETE FROM nomasx1.security_roles WHERE apps_id = 10 AND role_id <> 'APCLERK'"))
    t.run(security_rights_apps, run_id="manual__second")
    with pytest.raises(
        ConfigurationError,
        match=r"nomasx1\.security_rights_roles shrank from [0-9,]+ to [0-9,]+ rows .*run manual__first",
    ):
        t.run(security_rights_actions, run_id="manual__second")
    assert rows_of(t, "security_rights_roles") == before

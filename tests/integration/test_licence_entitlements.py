"""The entitlement register: EntitlementStore (license_entitlements) and `nomasx1 licence entitlement`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import cli
from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.licence.entitlements import (
    MAX_PROBLEMS,
    EntitlementNotFoundError,
    EntitlementStore,
    active_on_sql,
)
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.collectors.registers import whoami
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema import bootstrap, nomasx1

FINANCIALS, PAYROLL, HR = 1501, 1702, 1700  # curated settings_lic_components
APP_USER, EMPLOYEE = 10, 30  # curated settings_lic_metrics

HEADER = "csi,component_id,metric_id,quantity,start_date,end_date,support_status,note,entitlement_id"


@pytest.fixture
def register_db(pg_engine: sa.Engine) -> sa.Engine:
    """A nomasx1 schema with applications 10 and 11 and the curated licence catalogue."""
    bootstrap.init_schema(pg_engine, "nomasx1")
    Registry(pg_engine, "nomasx1").add(10, "JDE PROD")
    Registry(pg_engine, "nomasx1").add(11, "JDE TEST")
    import_reference_bundle(pg_engine, "nomasx1", target_apps_ids=(10,))
    return pg_engine


@pytest.fixture
def store(register_db: sa.Engine) -> EntitlementStore:
    return EntitlementStore(register_db, "nomasx1")


def _add(store: EntitlementStore, apps_id: int = 10, **overrides):
    values = dict(csi="1234567", component_id=FINANCIALS, metric_id=APP_USER, quantity=150, start_date="2026-01-01")
    values.update(overrides)
    return store.add(apps_id, **values)


def _ids(rows: list[dict]) -> list[str]:
    return [r["entitlement_id"] for r in rows]


def _rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT apps_id, entitlement_id, csi, component_id, metric_id, quantity, start_date, end_date, "
                "support_status, note FROM nomasx1.license_entitlements ORDER BY apps_id, entitlement_id"
            )
        ).all()


def _csv(tmp_path: Path, *lines: str, name: str = "lines.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# add
# --------------------------------------------------------------------------------------------------


def test_add_generates_ids_and_returns_the_stored_line(store: EntitlementStore) -> None:
    first = _add(store, note="order 4711")
    assert {k: first[k] for k in ("apps_id", "entitlement_id", "csi", "component_id", "metric_id")} == {
        "apps_id": 10,
        "entitlement_id": "ENT-10-1",
        "csi": "1234567",
        "component_id": FINANCIALS,
        "metric_id": APP_USER,
    }
    assert (first["component"], first["metric"], first["counted_by"]) == (
        "Financials",
        "Application User",
        "authorised",
    )
    assert (first["quantity"], first["start_date"], first["end_date"]) == (Decimal("150"), dt.date(2026, 1, 1), None)
    assert (first["support_status"], first["note"], first["created_by"]) == ("active", "order 4711", whoami())
    assert first["created_at"] is not None
    # by name, any case; a decimal quantity; a given id does not disturb the numbering
    second = _add(store, component_id=" payroll ", metric_id="EMPLOYEE", quantity="1200.5", created_by="lic-mgr")
    assert (second["entitlement_id"], second["component_id"], second["metric_id"]) == ("ENT-10-2", PAYROLL, EMPLOYEE)
    assert (second["counted_by"], second["quantity"], second["created_by"]) == (
        "employees",
        Decimal("1200.5"),
        "lic-mgr",
    )
    assert _add(store, entitlement_id="PO-2026-7", end_date="2026-12-31")["entitlement_id"] == "PO-2026-7"
    assert _add(store, component_id=str(HR), support_status="Lapsed")["entitlement_id"] == "ENT-10-3"
    assert _add(store, apps_id=11)["entitlement_id"] == "ENT-11-1"  # numbered per application
    with pytest.raises(ConfigurationError, match="'PO-2026-7' already exists for application 10: choose another --id"):
        _add(store, entitlement_id="PO-2026-7")
    jan1, dec31 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert _rows(store.engine)[:4] == [
        (10, "ENT-10-1", "1234567", FINANCIALS, APP_USER, Decimal("150"), jan1, None, "active", "order 4711"),
        (10, "ENT-10-2", "1234567", PAYROLL, EMPLOYEE, Decimal("1200.5"), jan1, None, "active", None),
        (10, "ENT-10-3", "1234567", HR, APP_USER, Decimal("150"), jan1, None, "lapsed", None),
        (10, "PO-2026-7", "1234567", FINANCIALS, APP_USER, Decimal("150"), jan1, dec31, "active", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"component_id": 9999},
            r"component: 9999 is not in settings_lic_components .*\(known components: 1000 Advanced Pricing, "
            r"1007 Sales Order Management, .*\(\d+ in all: SELECT \* FROM nomasx1.settings_lic_components\)\)",
        ),
        ({"component_id": "Financial"}, r"no component is named 'Financial' .*did you mean 'Financials'\?"),
        (
            {"metric_id": 99},
            r"metric: 99 is not in settings_lic_metrics .*\(known metrics: 10 Application User, 20 Processor, "
            r"30 Employee, .*80 Enterprise \$M\)",
        ),
        ({"metric_id": "Named Users"}, r"no metric is named 'Named Users' .*did you mean 'Named User Plus'\?"),
        ({"quantity": -1}, r"quantity: must be a number, 0 or more \(e.g. 150 or 12.5\), got '-1'"),
        ({"quantity": "NaN"}, "quantity: must be a number, 0 or more"),
        ({"quantity": "Infinity"}, "quantity: must be a number, 0 or more"),
        ({"quantity": "ten"}, "quantity: must be a number, 0 or more .*got 'ten'"),
        ({"quantity": None}, "quantity: is required"),
        ({"end_date": "2025-12-31"}, "end_date: 2025-12-31 is before start_date 2026-01-01: end_date is the last day"),
        ({"start_date": "01/02/2026"}, "start_date: must be a date YYYY-MM-DD, got '01/02/2026'"),
        ({"start_date": None}, "start_date: is required"),
        ({"support_status": "expired"}, "support_status: must be one of active, lapsed, terminated, got 'expired'"),
        ({"csi": "  "}, "csi: is required"),
    ],
)
def test_invalid_lines_are_refused_and_change_nothing(store: EntitlementStore, overrides: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"entitlement line not recorded: .*{message}"):
        _add(store, **overrides)
    assert _rows(store.engine) == []


def test_the_known_components_count_is_the_reference_table_size(store: EntitlementStore) -> None:
    with store.engine.connect() as conn:
        components = conn.execute(sa.text("SELECT count(*) FROM nomasx1.settings_lic_components")).scalar_one()
    with pytest.raises(
        ConfigurationError, match=rf"\({components} in all: SELECT \* FROM nomasx1.settings_lic_components\)"
    ):
        _add(store, component_id=9999)


def test_every_problem_of_a_line_is_reported(store: EntitlementStore) -> None:
    with pytest.raises(ConfigurationError) as info:
        _add(store, component_id=9999, metric_id=99, quantity=-3, end_date="2025-01-01", support_status="gone")
    message = str(info.value)
    for column in ("component", "metric", "quantity", "end_date", "support_status"):
        assert f"{column}: " in message, column
    assert _rows(store.engine) == []


def test_unknown_application_and_empty_catalogue(pg_engine: sa.Engine) -> None:
    bootstrap.init_schema(pg_engine, "nomasx1")
    Registry(pg_engine, "nomasx1").add(10, "JDE PROD")
    store = EntitlementStore(pg_engine, "nomasx1")
    with pytest.raises(ApplicationNotFoundError, match="nomasx1 apps add --apps-id 42"):
        _add(store, apps_id=42)
    with pytest.raises(ConfigurationError, match=r"settings_lic_components is empty: import the curated reference .*"
                       r"`nomasx1 reference import --url URL`"):  # fmt: skip
        _add(store)
    assert _rows(pg_engine) == []


# --------------------------------------------------------------------------------------------------
# list and end
# --------------------------------------------------------------------------------------------------


def test_list_filters_and_the_active_rule(store: EntitlementStore) -> None:
    _add(store, start_date="2026-01-01", end_date="2026-06-30")  # ENT-10-1
    _add(store, start_date="2026-07-01")  # ENT-10-2, open
    _add(store, component_id="Payroll", metric_id="Employee", start_date="2026-03-01", end_date="2026-03-31")  # 3
    _add(store, apps_id=11, start_date="2025-01-01")  # ENT-11-1

    def ids(**kw) -> list[str]:
        return _ids(store.list(10, **kw))

    assert ids() == ["ENT-10-1", "ENT-10-2", "ENT-10-3"]  # per component, then start
    assert _ids(store.list()) == ["ENT-10-1", "ENT-10-2", "ENT-10-3", "ENT-11-1"]
    assert ids(active_on="2026-06-30") == ["ENT-10-1"]  # the end day is covered
    assert ids(active_on=dt.date(2026, 7, 1)) == ["ENT-10-2"]  # the start day is covered
    assert ids(active_on="2026-03-01") == ["ENT-10-1", "ENT-10-3"]
    assert ids(active_on="2026-03-31") == ["ENT-10-1", "ENT-10-3"]
    assert ids(active_on="2026-04-01") == ["ENT-10-1"]
    assert ids(active_on="2025-12-31") == []
    assert ids(active_on="2099-01-01") == ["ENT-10-2"]  # open-ended
    assert ids(component_id=PAYROLL) == ids(component_id="PAYROLL") == ["ENT-10-3"]
    assert ids(component_id="Financials", active_on="2026-08-01") == ["ENT-10-2"]
    assert store.list(12) == []
    row = store.list(10, component_id=PAYROLL)[0]
    assert (row["component"], row["metric"], row["counted_by"]) == ("Payroll", "Employee", "employees")
    with pytest.raises(ConfigurationError, match="component 4242 is not in settings_lic_components"):
        store.list(10, component_id=4242)
    with pytest.raises(ConfigurationError, match="active_on must be a date YYYY-MM-DD"):
        store.list(10, active_on="31/12/2026")


def test_the_active_rule_as_sql_matches_the_store(store: EntitlementStore) -> None:
    _add(store, start_date="2026-01-01", end_date="2026-06-30")
    _add(store, start_date="2026-07-01")
    sql = active_on_sql("e", "CAST(:day AS date)")
    assert sql == "e.start_date <= CAST(:day AS date) AND (e.end_date IS NULL OR e.end_date >= CAST(:day AS date))"
    query = sa.text(f"SELECT entitlement_id FROM nomasx1.license_entitlements AS e WHERE {sql} ORDER BY 1")
    with store.engine.connect() as conn:
        for day in ("2025-12-31", "2026-01-01", "2026-06-30", "2026-07-01"):
            assert conn.execute(query, {"day": day}).scalars().all() == _ids(store.list(10, active_on=day)), day


def test_end_keeps_history_and_delete_removes(store: EntitlementStore) -> None:
    _add(store, start_date="2026-01-01")
    ended = store.end(10, "ENT-10-1", end_date="2026-12-31")
    assert ended is not None and ended["end_date"] == dt.date(2026, 12, 31)
    assert _ids(store.list(10, active_on="2027-01-01")) == []
    with pytest.raises(ConfigurationError, match="already ends on 2026-12-31; nothing to change .*a renewal is a new"):
        store.end(10, "ENT-10-1", end_date="2027-06-30")
    shortened = store.end(10, "ENT-10-1", end_date="2026-01-01")  # earlier, down to its first day: allowed
    assert shortened is not None and shortened["end_date"] == dt.date(2026, 1, 1)
    with pytest.raises(ConfigurationError, match="starts on 2026-01-01: end it on that day or later, .*--delete"):
        store.end(10, "ENT-10-1", end_date="2025-12-31")
    _add(store, start_date="2020-01-01")  # ENT-10-2, ended today by default
    today = store.end(10, "ENT-10-2")
    assert today is not None and today["end_date"] == dt.date.today()
    with pytest.raises(EntitlementNotFoundError, match="nomasx1 licence entitlement list --apps-id 11"):
        store.end(11, "ENT-10-1")
    assert store.end(10, "ENT-10-1", delete=True) is None
    assert _ids(store.list()) == ["ENT-10-2"]
    with pytest.raises(EntitlementNotFoundError, match="'ENT-10-1' does not exist for application 10"):
        store.end(10, "ENT-10-1", delete=True)


# --------------------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------------------


def test_import_is_all_or_nothing_and_reports_every_problem(store: EntitlementStore, tmp_path: Path) -> None:
    _add(store, entitlement_id="KEEP-1")
    before = _rows(store.engine)
    path = _csv(
        tmp_path,
        "111,1501,10,150,2026-01-01,,,,",  # line 2: good
        "",  # line 3: blank, skipped (still counted)
        "222,9999,10,-5,2026-01-01,2025-12-31,active,,",  # line 4: component, quantity, end before start
        '333,1702,30,1200,2026-02-30,,gone,"two-line\nnote",',  # lines 5-6: start date, support status
        "444,1700,abc,10,2026-01-01,,,,KEEP-1",  # line 7: metric not an id, id taken
        "555,1700,10,10,2026-01-01,,,,",  # line 8: good
    )
    with pytest.raises(ConfigurationError) as info:
        store.import_csv(10, path)
    message = str(info.value)
    problems = [
        "line 4: column component_id: 9999 is not in settings_lic_components",
        "line 4: column quantity: must be a number, 0 or more (e.g. 150 or 12.5), got '-5'",
        "line 4: column end_date: 2025-12-31 is before start_date 2026-01-01",
        "line 5: column start_date: must be a date YYYY-MM-DD, got '2026-02-30'",
        "line 5: column support_status: must be one of active, lapsed, terminated, got 'gone'",
        "line 7: column metric_id: must be a metric id (a whole number), got 'abc': a name goes in column metric",
        "line 7: column entitlement_id: KEEP-1 already exists for application 10",
    ]
    assert message.startswith(f"{path}: 7 problem(s), nothing was imported: "), message
    positions = [message.find(p) for p in problems]
    assert -1 not in positions, [p for p in problems if p not in message]
    assert positions == sorted(positions)  # in file order
    assert "known components: 1000 Advanced Pricing" in message
    assert "line 2:" not in message and "line 8:" not in message
    assert _rows(store.engine) == before  # nothing written


def test_import_by_names_semicolons_bom_and_generated_ids(store: EntitlementStore, tmp_path: Path) -> None:
    _add(store)  # ENT-10-1
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeffCSI;Component;Metric;Quantity;Start_Date;End_Date;Support_Status;Note;Entitlement_ID\n"
        "CSI-9;financials;APPLICATION USER;25;2026-01-01;;;;\n"
        "CSI-9;Payroll;Employee;1200;2026-01-01;;;;\n"
        'CSI-9;Time & Labor;employee;1200;2026-01-01;2026-12-31;terminated;"a; b";ENT-10-5\n'
        "CSI-9;1700;10;3;2026-01-01;;;;\n",
        encoding="utf-8",
    )
    summary = store.import_csv(10, path, created_by="importer")
    assert (summary.added, summary.replaced, summary.replace) == (4, 0, False)
    assert summary.summary() == f"application 10: 4 entitlement line(s) imported from {path}"
    rows = {r["entitlement_id"]: r for r in store.list(10)}
    assert sorted(rows) == ["ENT-10-1", "ENT-10-5", "ENT-10-6", "ENT-10-7", "ENT-10-8"]  # after the given ENT-10-5
    assert [
        (r["csi"], r["component_id"], r["metric_id"], r["quantity"]) for r in store.list(10) if r["csi"] == "CSI-9"
    ] == [
        ("CSI-9", FINANCIALS, APP_USER, Decimal("25")),
        ("CSI-9", HR, APP_USER, Decimal("3")),
        ("CSI-9", PAYROLL, EMPLOYEE, Decimal("1200")),
        ("CSI-9", 1705, EMPLOYEE, Decimal("1200")),
    ]
    assert (rows["ENT-10-5"]["note"], rows["ENT-10-5"]["support_status"]) == ("a; b", "terminated")
    assert {r["created_by"] for r in rows.values() if r["csi"] == "CSI-9"} == {"importer"}


def test_import_checks_names_ids_and_duplicates(store: EntitlementStore, tmp_path: Path) -> None:
    _add(store, entitlement_id="OLD-1")
    path = _csv(
        tmp_path,
        "1,Nope,Employee,1,2026-01-01,,",  # line 2
        "1,Financials,Employe,1,2026-01-01,,",  # line 3
        "1,,,1,2026-01-01,,",  # line 4
        "1,Payroll,Employee,1,2026-01-01,,X-1",  # line 5
        "1,Payroll,Employee,1,2026-01-01,,X-1",  # line 6
        "1,Payroll,Employee,1,2026-01-01,,OLD-1",  # line 7
        header="csi,component,metric,quantity,start_date,end_date,entitlement_id",
    )
    with pytest.raises(ConfigurationError) as info:
        store.import_csv(10, path)
    message = str(info.value)
    for problem in (
        "line 2: column component: no component is named 'Nope' in settings_lic_components",
        "line 3: column metric: no metric is named 'Employe' in settings_lic_metrics: did you mean 'Employee'?",
        "line 4: column component_id: is required (the component's id, or its exact name)",
        "line 4: column metric_id: is required",
        "line 6: column entitlement_id: X-1 is also on line 5",
        "line 7: column entitlement_id: OLD-1 already exists for application 10",
    ):
        assert problem in message, problem
    assert "line 5:" not in message
    assert _ids(store.list()) == ["OLD-1"]
    both = _csv(
        tmp_path,
        "1,1501,Payroll,10,Application User,1,2026-01-01",
        name="both.csv",
        header="csi,component_id,component,metric_id,metric,quantity,start_date",
    )
    with pytest.raises(ConfigurationError, match=r"line 2: column component_id: component_id 1501 and component "
                       r"'Payroll' \(1702\) name different components"):  # fmt: skip
        store.import_csv(10, both)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "csi,component_id,metric_id,quantity,start_dat\n",
            "line 1: unknown column(s) start_dat: the columns are csi,",
        ),
        ("csi,component_id,metric_id,quantity,start_date,csi\n", "line 1: column(s) csi given twice"),
        ("csi,quantity,start_date\n", "line 1: missing column(s) component_id (or component), metric_id (or metric)"),
        ("", "line 1: no header: the first line names the columns"),
        (HEADER + "\n\n", "the file has no entitlement line under its header: nothing to import"),
        (HEADER + "\n1,1501,10,1,2026-01-01,,,,,,extra\n", "line 2: 11 cells, the header has 9 columns"),
    ],
)
def test_import_refuses_a_file_of_the_wrong_shape(
    store: EntitlementStore, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        store.import_csv(10, path)
    assert _rows(store.engine) == []


def test_import_lists_at_most_max_problems(store: EntitlementStore, tmp_path: Path) -> None:
    path = _csv(tmp_path, *[f"{n},1501,10,-1,2026-01-01,,,," for n in range(MAX_PROBLEMS + 5)])
    with pytest.raises(ConfigurationError) as info:
        store.import_csv(10, path)
    message = str(info.value)
    assert f"{MAX_PROBLEMS + 5} problem(s)" in message and message.count("column quantity") == MAX_PROBLEMS
    assert "; ... and 5 more" in message and f"line {MAX_PROBLEMS + 1}:" in message
    assert f"line {MAX_PROBLEMS + 2}:" not in message


def test_import_refuses_a_file_that_is_not_utf8_text(store: EntitlementStore, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n1,1501,10,1,2026-01-01,,,Société,\n").encode("latin-1"))
    with pytest.raises(ConfigurationError, match="not UTF-8 text .*save the file as CSV UTF-8; nothing was imported"):
        store.import_csv(10, path)
    with pytest.raises(ApplicationNotFoundError):
        store.import_csv(42, _csv(tmp_path, "1,1501,10,1,2026-01-01,,,,"))


def test_replace_swaps_the_whole_register_atomically(store: EntitlementStore, tmp_path: Path) -> None:
    for _ in range(3):
        _add(store)  # ENT-10-1 .. 3
    _add(store, apps_id=11)  # another application: untouched
    bad = _csv(
        tmp_path, "9,1501,10,5,2026-01-01,,,,", "9,1501,10,5,2026-01-01,,,,ENT-10-1", "9,1501,10,x,2026-01-01,,,,"
    )
    before = _rows(store.engine)
    with pytest.raises(ConfigurationError, match="line 4: column quantity"):
        store.import_csv(10, bad, replace=True)
    assert _rows(store.engine) == before  # a wrong line: the old register stays whole
    good = _csv(tmp_path, "9,1702,30,800,2026-01-01,,,,", "9,1501,10,40,2026-01-01,,,,ENT-10-1", name="good.csv")
    summary = store.import_csv(10, good, replace=True)
    assert (summary.added, summary.replaced) == (2, 3)
    assert summary.summary().endswith(", replacing the 3 line(s) the register held")
    assert [(r[0], r[1], r[3], r[5]) for r in _rows(store.engine)] == [
        (10, "ENT-10-1", FINANCIALS, Decimal("40")),  # an id of the old register may come back with replace
        (10, "ENT-10-2", PAYROLL, Decimal("800")),  # numbered after the file's own ids
        (11, "ENT-11-1", FINANCIALS, Decimal("150")),
    ]


def test_checks_match_the_schema(store: EntitlementStore) -> None:
    """What the store refuses, the table refuses too (the checks are not the only guard)."""
    with store.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError, match="ck_license_entitlements_quantity"):
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.license_entitlements (apps_id, entitlement_id, csi, component_id, metric_id, "
                "quantity, start_date) VALUES (10, 'X', 'c', 1501, 10, -1, '2026-01-01')"
            )
        )
    assert cli.SUPPORT_STATUSES == nomasx1.SUPPORT_STATUSES


# --------------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------------


def test_entitlement_command(
    register_db: sa.Engine,
    pg_url: URL,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_fails: Callable[..., str],
) -> None:
    url = ["--url", pg_url.render_as_string(hide_password=False)]
    ent = ["licence", "entitlement"]
    line = ["--csi", "1234567", "--component", "Financials", "--metric", "Application User", "--quantity", "150"]
    assert main([*ent, "add", "--apps-id", "10", *url, *line, "--start", "2026-01-01", "--note", "order 4711"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "apps_id", "entitlement_id", "csi", "component", "metric", "quantity", "start", "end", "support", "note"
    ]  # fmt: skip
    assert out[1].split() == ["10", "ENT-10-1", "1234567", "1501", "Financials", "10", "Application", "User", "150",
                              "2026-01-01", "-", "active", "order", "4711"]  # fmt: skip
    assert out[1][out[0].index("quantity") :].startswith("150 ")  # aligned under its header
    add = [*ent, "add", "--apps-id", "10", *url]
    assert main([*add, *line[:4], "--metric", "30", "--quantity", "12", "--id", "PO-1", "--created-by", "me"]) == 0
    assert "PO-1" in capsys.readouterr().out
    row = EntitlementStore(register_db).list(10, component_id=FINANCIALS)[-1]
    assert (row["entitlement_id"], row["metric_id"], row["start_date"], row["created_by"]) == (
        "PO-1",
        EMPLOYEE,
        dt.date.today(),  # --start defaults to today
        "me",
    )

    path = _csv(tmp_path, "9,1702,30,800,2026-01-01,,,,", "9,1700,10,40,2026-01-01,,lapsed,,")
    assert main([*ent, "import", "--apps-id", "10", *url, "--file", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"application 10: 2 entitlement line(s) imported from {path}"
    assert main([*ent, "list", *url, "--active-on", "2026-06-30", "--component", "payroll"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and listed[1].split()[:5] == ["10", "ENT-10-2", "9", "1702", "Payroll"]
    assert main([*ent, "end", "--apps-id", "10", "--id", "ENT-10-2", "--end", "2026-06-30", *url]) == 0
    assert (
        capsys.readouterr().out.strip()
        == "entitlement line ENT-10-2 of application 10 ends on 2026-06-30 (last day covered)"
    )
    assert main([*ent, "list", "--apps-id", "10", *url, "--active-on", "2026-07-01", "--component", "1702"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["(no entitlement line)"]
    assert main([*ent, "end", "--apps-id", "10", "--id", "ENT-10-2", "--delete", *url]) == 0
    assert capsys.readouterr().out.strip() == "entitlement line ENT-10-2 of application 10 deleted"
    replacement = _csv(tmp_path, "9,1501,10,200,2026-01-01,,,,", name="all.csv")
    assert main([*ent, "import", "--apps-id", "10", *url, "--file", str(replacement), "--replace"]) == 0
    assert capsys.readouterr().out.strip().endswith("replacing the 3 line(s) the register held")
    assert _ids(EntitlementStore(register_db).list(10)) == ["ENT-10-1"]

    # errors: one line, exit code 2, nothing changed
    before = _rows(register_db)
    cli_fails(capsys, [*add, *line[:6], "--quantity", "-2"], "quantity: must be a number, 0 or more", "got '-2'")
    cli_fails(capsys, [*add, "--csi", "1"], "licence entitlement add needs --component, --metric, --quantity")
    cli_fails(capsys, [*ent, "add", *url, *line], "licence entitlement add needs --apps-id")
    cli_fails(
        capsys,
        [*add, *line[:2], "--component", "9999", *line[4:]],
        "component: 9999 is not in settings_lic_components",
        "known components: 1000 Advanced Pricing",
    )
    cli_fails(capsys, [*add, *line, "--start", "2026-02-01", "--end", "2026-01-31"], "end_date: 2026-01-31 is before")
    cli_fails(capsys, [*add, *line, "--support-status", "expired"], "invalid choice: 'expired'")
    cli_fails(capsys, [*add, *line, "--start", "31/01/2026"], "'31/01/2026' is not a date: use YYYY-MM-DD")
    cli_fails(capsys, [*ent, "add", "--apps-id", "42", *url, *line], "application 42 is not registered")
    cli_fails(capsys, [*ent, "end", "--apps-id", "10", *url], "licence entitlement end needs --id")
    cli_fails(
        capsys, [*ent, "end", "--apps-id", "10", "--id", "NOPE", *url], "'NOPE' does not exist for application 10"
    )
    cli_fails(capsys, [*ent, "import", "--apps-id", "10", *url], "licence entitlement import needs --file")
    cli_fails(capsys, [*ent, "import", "--apps-id", "10", *url, "--file", str(tmp_path / "missing.csv")], "missing.csv")
    cli_fails(capsys, [*ent, "list", *url, "--component", "Nothing"], "no component is named 'Nothing'")
    bad = _csv(tmp_path, "9,1501,10,5,2026-01-01,,,,", "9,1501,10,x,2026-13-01,,,,", name="bad.csv")
    error = cli_fails(
        capsys,
        [*ent, "import", "--apps-id", "10", *url, "--file", str(bad), "--replace"],
        "2 problem(s), nothing was imported",
        "line 3: column quantity: must be a number",
        "line 3: column start_date: must be a date YYYY-MM-DD, got '2026-13-01'",
    )
    assert "line 2:" not in error
    assert _rows(register_db) == before

    with register_db.begin() as conn:  # a schema older than the licence position (migration 0011)
        conn.exec_driver_sql("DROP TABLE nomasx1.license_entitlements CASCADE")
    cli_fails(
        capsys, [*ent, "list", *url], "schema nomasx1 has no licence entitlement tables yet", "nomasx1-upgrade-schema-1"
    )

"""The curated reference catalogue (``airflow_provider_nomasx1/reference/data/*.csv``), checked on values.

The CSVs are read with the ``csv`` module only (no database): headers against the SQLAlchemy tables,
keys, foreign keys inside the data set, and the content rules of ``docs/reference-data.md``.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.schema import nomasx1

DATA = Path(__file__).resolve().parents[2] / "airflow_provider_nomasx1" / "reference" / "data"
APP_SCOPED = "apps_id"  # stamped by the bundle builder, absent from the sod_* files
JDE_OBJECT = re.compile(r"^[A-Z][A-Z0-9]{2,9}$")
PLACEHOLDERS = ("#", "TBD", "TO BE DEFINED", "TO DEFINE")


def table(name: str) -> sa.Table:
    return nomasx1.metadata.tables[name]


def expected_columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns if c.name != APP_SCOPED]


@cache
def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [dict(zip(header, values, strict=True)) for values in reader]
    return header, rows


def rows(name: str) -> list[dict[str, str]]:
    return read(name)[1]


def matrix_pairs() -> dict[tuple[str, str], dict[str, str]]:
    return {(r["activity1_id"], r["activity2_id"]): r for r in rows("sod_matrix")}


def test_one_file_per_reference_table() -> None:
    assert sorted(p.stem for p in DATA.glob("*.csv")) == sorted(nomasx1.REFERENCE_TABLES)


@pytest.mark.parametrize("name", nomasx1.REFERENCE_TABLES)
def test_header_is_the_table_columns_in_order(name: str) -> None:
    header, _ = read(name)
    assert header == expected_columns(name)
    assert (APP_SCOPED in header) is False


@pytest.mark.parametrize("name", nomasx1.REFERENCE_TABLES)
def test_cells_fit_their_column(name: str) -> None:
    _, data = read(name)
    assert data, f"{name} is empty"
    for row in data:
        for column, value in row.items():
            col = table(name).c[column]
            assert value == value.strip(), f"{name}.{column}: surrounding blanks in {value!r}"
            if value == "":
                # NULL for nullable columns; '' only for the NOT NULL text keys with a '' default
                blank_key = col.server_default is not None and "''" in str(col.server_default.arg)
                assert col.nullable or blank_key, f"{name}.{column} is NOT NULL but empty in {row}"
            elif isinstance(col.type, sa.Integer):
                assert re.fullmatch(r"-?[0-9]+", value), f"{name}.{column}: {value!r} is not an integer"
            elif isinstance(col.type, sa.Boolean):
                assert value in ("true", "false"), f"{name}.{column}: {value!r} is not a boolean"


@pytest.mark.parametrize("name", nomasx1.REFERENCE_TABLES)
def test_primary_keys_are_unique(name: str) -> None:
    key = [c.name for c in table(name).primary_key.columns if c.name != APP_SCOPED]
    values = [tuple(r[c] for c in key) for r in rows(name)]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    assert duplicates == [], f"{name}: duplicate keys {duplicates}"


@pytest.mark.parametrize("name", nomasx1.REFERENCE_TABLES)
def test_foreign_keys_resolve_inside_the_data_set(name: str) -> None:
    for fk in table(name).foreign_key_constraints:
        pairs = [(e.parent.name, e.column.name) for e in fk.elements if e.parent.name != APP_SCOPED]
        referred = fk.referred_table.name
        if referred not in nomasx1.REFERENCE_TABLES:
            continue  # settings_applications: customer configuration, not shipped
        local = [p for p, _ in pairs]
        remote = [r for _, r in pairs]
        known = {tuple(r[c] for c in remote) for r in rows(referred)}
        for row in rows(name):
            value = tuple(row[c] for c in local)
            if any(v == "" for v in value):
                continue  # NULL foreign key
            assert value in known, f"{name}{local}={value} has no row in {referred}{remote}"


def test_licence_metrics_are_the_eight_documented() -> None:
    metrics = {int(r["metric_id"]): r["name"] for r in rows("settings_lic_metrics")}
    assert metrics == {
        10: "Application User",
        20: "Processor",
        30: "Employee",
        40: "Named User Plus",
        50: "Concurrent User",
        60: "Expense Report",
        70: "Stream",
        80: "Enterprise $M",
    }


def test_components_use_the_documented_ids_and_price_lists() -> None:
    components = {int(r["component_id"]): r for r in rows("settings_lic_components")}
    for component in components.values():
        assert component["price_list"] in nomasx1.PRICE_LISTS
        cid = int(component["component_id"])
        if component["price_list"] == "JD Edwards":
            assert 1000 <= cid <= 1804
        else:
            assert 2000 <= cid <= 2600
    names = {cid: c["name"] for cid, c in components.items()}
    assert names[1501] == "Financials"
    assert names[1504] == "System Foundation"
    assert names[1802] == "Core Tools & Infrastructure"
    assert names[2003] == "Enterprise Edition"
    assert names[2001] == "Standard Edition"
    assert names[2106] == "Advanced Compression"
    assert names[2600] == "GoldenGate"


def test_system_codes_map_to_the_documented_components() -> None:
    sy = {r["system_code"]: r for r in rows("settings_jde_sy")}
    expected = {
        "00": 1504, "01": 1504, "02": 1504, "03B": 1501, "04": 1501, "09": 1501, "09E": 1500,
        "03B_OVR": 1503, "04_OVR": 1503, "09_OVR": 1503, "05T": 1705, "07": 1702, "08": 1700,
        "13": 1301, "15": 1305, "17": 1009, "31": 1113, "41": 1111, "42": 1007, "43": 1202,
        "45": 1000, "46": 1122, "49": 1120, "51": 1405, "52": 1402, "H90": 1802, "55": 1802,
    }  # fmt: skip
    assert {code: int(sy[code]["component_id"]) for code in expected} == expected
    assert sy["42"]["e1_component"] == "CSO"
    assert all(r["description"] for r in sy.values())


def test_documented_reclassifications_are_present() -> None:
    rclst = {r["object_name"]: r["system_code"] for r in rows("settings_jde_rclst")}
    assert rclst["F4117"] == "41"
    assert rclst["P03013"] == "01"


def test_every_module_requires_system_foundation_and_core_tools() -> None:
    prereq = {(int(r["component_id"]), int(r["prerequisite_id"])) for r in rows("settings_jde_prereq")}
    assert all(c != p for c, p in prereq)
    assert {(1111, 1504), (1111, 1802), (1702, 1504), (1702, 1802)} <= prereq


def test_database_editions_options_and_features() -> None:
    versions = {r["edition"]: int(r["component_id"]) for r in rows("settings_db_versions")}
    assert versions["Enterprise Edition"] == 2003 and versions["Standard Edition 2"] == 2001
    options = {r["option_name"]: r for r in rows("settings_db_options")}
    assert int(options["Advanced Compression"]["component_id"]) == 2106
    assert {o["product_kind"] for o in options.values()} == {"option", "pack", "other"}
    assert all(o["requires_edition"] == "Enterprise Edition" for o in options.values() if o["product_kind"] != "other")
    rules = {(r["feature_name"], r["option_name"], r["min_version"]): r for r in rows("settings_db_features")}
    assert rules["Partitioning (user)", "Partitioning", "11.2"]["below_version"] == ""
    assert rules["Data Guard", "Advanced Compression", "11.2"]["condition"] == "C001"
    # one feature, two products: compression bills Advanced Compression, encryption Advanced Security
    assert rules["Oracle Utility Datapump (Export)", "Advanced Compression", "11.2"]["condition"] == "C001"
    assert rules["Oracle Utility Datapump (Export)", "Advanced Security", "11.2"]["condition"] == "C002"
    # one feature, two version ranges: a known false positive on 12.1, counted from 12.2
    assert (
        rules["Heat Map", "Advanced Compression", "12.1"]["below_version"],
        rules["Heat Map", "Advanced Compression", "12.1"]["condition"],
    ) == ("12.2", "BUG")
    assert rules["Heat Map", "Advanced Compression", "12.2"]["condition"] == ""
    assert rules["ASO native encryption and checksumming", "Advanced Security", "11.2"]["condition"] == "INVALID"
    assert rules["Oracle Multitenant", "Multitenant", "19"]["condition"] == "C005"
    assert all(r["option_name"] in options for r in rules.values())
    assert all(r["condition"] in ("", *nomasx1.DB_FEATURE_CONDITIONS) for r in rules.values())


def test_the_seven_processes_exist() -> None:
    assert {r["process_id"] for r in rows("sod_process")} == {"P2P", "O2C", "R2R", "INV", "HR", "FA", "IT"}


def test_activity_and_risk_ids_follow_the_process() -> None:
    for activity in rows("sod_activities"):
        assert re.fullmatch(re.escape(activity["process_id"]) + r"[0-9]{2}", activity["activity_id"])
        assert activity["action"] in nomasx1.SOD_ACTIONS
    processes = {r["process_id"] for r in rows("sod_process")}
    for risk in rows("sod_risks"):
        match = re.fullmatch(r"(.+)R([0-9]{2})", risk["risk_id"])
        assert match and match.group(1) in processes, risk["risk_id"]
        assert risk["default_level"] in ("High", "Medium", "Low")


def test_every_activity_is_bound_to_real_jde_objects() -> None:
    objects = rows("sod_objects")
    bound = {o["activity_id"] for o in objects}
    unbound = sorted({a["activity_id"] for a in rows("sod_activities")} - bound)
    assert unbound == [], f"activities without objects: {unbound}"
    for obj in objects:
        name = obj["object_name"]
        assert name, obj
        assert not any(p in name.upper() for p in PLACEHOLDERS), obj
        assert not any(p in obj["description"].upper() for p in ("TBD", "TO BE DEFINED", "######")), obj
        assert JDE_OBJECT.match(name), f"{name!r} does not look like a JDE object"
        assert name[0] in "PR", f"{name}: an SoD activity is performed through an application or a batch"
    # the programs the sources name for the classic duties
    by_object = {(o["activity_id"], o["object_name"]) for o in objects}
    assert {("P2P01", "P04012"), ("P2P02", "P0411"), ("P2P04", "R04570"), ("P2P04", "P04571")} <= by_object
    assert {("O2C01", "P03013"), ("O2C02", "P03B102"), ("HR03", "P07210"), ("IT01", "P00950")} <= by_object


def test_matrix_rules_are_ordered_pairs_with_valid_levels() -> None:
    matrix = rows("sod_matrix")
    assert len(matrix) >= 26
    risks = {r["risk_id"] for r in rows("sod_risks")}
    unordered = [frozenset((r["activity1_id"], r["activity2_id"])) for r in matrix]
    assert len(set(unordered)) == len(unordered), "a pair is declared twice"
    for rule in matrix:
        assert rule["activity1_id"] < rule["activity2_id"], rule
        assert rule["risk_level"] in ("High", "Medium", "Low"), rule
        assert rule["risk_id"] in risks, rule


def _activity(process: str, object_name: str) -> str:
    """The activity of ``process`` bound to ``object_name`` (a program the source names for it)."""
    found = {
        o["activity_id"]
        for o in rows("sod_objects")
        if o["object_name"] == object_name and o["activity_id"].startswith(process)
    }
    assert len(found) == 1, (process, object_name, found)
    return found.pop()


# domain-anchors.md §3.4, one program per side: (rule, side A, side B, level)
STARTER_RULES = [
    ("P2P-01", ("P2P", "P04012"), ("P2P", "P0411"), "High"),
    ("P2P-01", ("P2P", "P04012"), ("P2P", "P4314"), "High"),
    ("P2P-02", ("P2P", "P04012"), ("P2P", "R04570"), "High"),
    ("P2P-03", ("P2P", "P0411"), ("P2P", "P04571"), "High"),
    ("P2P-04", ("P2P", "P04012"), ("P2P", "P0450"), "High"),
    ("P2P-05", ("P2P", "P4310"), ("P2P", "P43081"), "High"),
    ("P2P-06", ("P2P", "P4310"), ("P2P", "P4312"), "Medium"),
    ("P2P-07", ("P2P", "P4310"), ("P2P", "P4314"), "High"),
    ("P2P-08", ("P2P", "P04012"), ("P2P", "P4310"), "Medium"),
    ("O2C-01", ("O2C", "P03013"), ("O2C", "P03B102"), "High"),
    ("O2C-02", ("O2C", "P03B11"), ("O2C", "P03B0001"), "High"),
    ("O2C-03", ("O2C", "P03013"), ("O2C", "P4210"), "Medium"),
    ("O2C-04", ("O2C", "P4210"), ("O2C", "P43070"), "Medium"),
    ("O2C-05", ("O2C", "P4106"), ("O2C", "P4210"), "Medium"),
    ("R2R-01", ("R2R", "P0911"), ("R2R", "R09801"), "High"),
    ("R2R-02", ("R2R", "P0911"), ("R2R", "P0011"), "High"),
    ("R2R-03", ("R2R", "P0901"), ("R2R", "P0911"), "Medium"),
    ("INV-01", ("INV", "P4101"), ("INV", "P4114"), "High"),
    ("INV-02", ("P2P", "P4312"), ("INV", "P4114"), "High"),
    ("INV-02", ("P2P", "P4312"), ("INV", "P4112"), "High"),
    ("INV-03", ("INV", "P4114"), ("INV", "R41413"), "Medium"),
    ("HR-01", ("HR", "P0801"), ("HR", "P07210"), "High"),
    ("HR-02", ("HR", "P0801CMP"), ("HR", "P07210"), "High"),
    ("HR-03", ("HR", "P055011"), ("HR", "P07210"), "High"),
    ("FA-01", ("FA", "P1201"), ("FA", "P12105"), "Medium"),
    ("SEC-01", ("IT", "P00950"), ("P2P", "P0411"), "High"),
    ("SEC-01", ("IT", "P98OWSEC"), ("HR", "P07210"), "High"),
    ("SEC-02", ("IT", "P98220"), ("IT", "P9631"), "High"),
    ("SEC-03", ("IT", "P0004A"), ("R2R", "P0911"), "Medium"),
]


@pytest.mark.parametrize(("rule", "side_a", "side_b", "level"), STARTER_RULES, ids=[r[0] for r in STARTER_RULES])
def test_starter_ruleset_conflicts_are_in_the_matrix(
    rule: str, side_a: tuple[str, str], side_b: tuple[str, str], level: str
) -> None:
    a, b = sorted((_activity(*side_a), _activity(*side_b)))
    declared = matrix_pairs().get((a, b))
    assert declared is not None, f"{rule}: no matrix row for {a} x {b}"
    assert declared["risk_level"] == level
    assert declared["description"].startswith(rule)


def test_security_administration_conflicts_with_every_business_activity() -> None:
    admin = _activity("IT", "P00950")
    business = {a["activity_id"] for a in rows("sod_activities") if a["process_id"] != "IT"}
    paired = {a for pair in matrix_pairs() for a in pair if admin in pair} - {admin}
    assert business <= paired


def test_every_starter_rule_id_is_traced() -> None:
    """All 26 rules of domain-anchors §3.4 are in the matrix."""
    traced = {r["description"].split(":", 1)[0] for r in rows("sod_matrix")}
    assert {rule for rule, *_ in STARTER_RULES} <= traced
    assert len({rule for rule, *_ in STARTER_RULES}) == 26

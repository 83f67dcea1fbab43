"""Oracle knowledge without a database: editions in banners, versions, standby shapes, grants,
the dialect adapter's values and error classification."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from airflow_provider_nomasx1.oracle import dictionary, properties
from airflow_provider_nomasx1.oracle.dialect import Dialect


@pytest.mark.parametrize(
    ("banner", "edition"),
    [
        ("Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production", "Enterprise Edition"),
        ("Oracle Database 19c Standard Edition 2 Release 19.0.0.0.0 - Production", "Standard Edition 2"),
        ("Oracle Database 11g Release 11.2.0.4.0 - 64bit Production Standard Edition", "Standard Edition"),
        ("Oracle Database 12c Standard Edition One Release 12.1.0.1.0", "Standard Edition One"),
        ("Oracle Database 23ai Free Release 23.0.0.0.0 - Develop, Learn, and Run for Free", "Free"),
        ("Oracle Database 21c Express Edition Release 21.0.0.0.0 - Production", "Express Edition"),
        ("Personal Oracle Database 11g Release 11.2.0.1.0", "Personal Edition"),
        ("Some other banner", properties.UNKNOWN_EDITION),
    ],
)
def test_the_edition_named_in_a_banner(banner: str, edition: str) -> None:
    assert properties.edition_of(banner) == edition


def test_the_database_line_of_v_version_and_cloud_packages() -> None:
    lines = ["PL/SQL Release 12.1.0.2.0 - Production", "Oracle Database 12c EE Extreme Perf Release 12.1.0.2.0"]
    banner = properties.database_banner(lines)
    assert banner == lines[1] and properties.is_cloud_package(banner)
    assert not properties.is_cloud_package("Oracle Database 19c Enterprise Edition Release 19.0.0.0.0")


def test_major_versions() -> None:
    assert [properties.major_version(v) for v in ("11.2.0.4.0", "19.0.0.0.0", "23.0.0.0.0")] == [11, 19, 23]
    with pytest.raises(ValueError, match="not an Oracle version"):
        properties.major_version("beta")


def test_data_guard_and_active_data_guard_shapes() -> None:
    standby_dest = [(2, "VALID", "STANDBY", "PRODSB")]
    assert properties.data_guard("PRIMARY", standby_dest) and not properties.data_guard("PRIMARY", [])
    assert properties.data_guard("PHYSICAL STANDBY", [])
    mounted = [(2, "VALID", "PHYSICAL", "MOUNTED-STANDBY", "MANAGED REAL TIME APPLY")]
    opened = [(2, "VALID", "PHYSICAL", "OPEN_READ-ONLY", "MANAGED REAL TIME APPLY")]
    assert not properties.active_data_guard("PRIMARY", "READ WRITE", mounted)
    assert properties.active_data_guard("PRIMARY", "READ WRITE", opened)
    assert properties.active_data_guard("PHYSICAL STANDBY", "READ ONLY WITH APPLY", [])
    assert not properties.active_data_guard("PHYSICAL STANDBY", "MOUNTED", [])
    assert properties.user_pdbs([(2, "PDB$SEED", "NORMAL"), (3, "JDEPDB", "NORMAL")]) == 1


def test_grants_name_the_sys_objects_behind_the_views() -> None:
    assert dictionary.grant_object("V$OPTION") == "SYS.V_$OPTION"
    assert dictionary.grant_object("GV$INSTANCE") == "SYS.GV_$INSTANCE"
    assert dictionary.grant_object("DBA_FEATURE_USAGE_STATISTICS") == "SYS.DBA_FEATURE_USAGE_STATISTICS"
    script = dictionary.grants_script("NOMASX1_READER").splitlines()
    assert "GRANT SELECT ON SYS.V_$DATABASE TO NOMASX1_READER;" in script
    assert len(script) == len({query.view for query in dictionary.QUERIES})


def test_every_query_reads_one_view_it_names() -> None:
    for query in dictionary.QUERIES:
        assert f"FROM {query.view.lower()}" in query.sql, query.view
        assert " JOIN " not in query.sql.upper() and "LIMIT" not in query.sql.upper(), query.view


class _Error(Exception):
    def __init__(self, text: str, sqlstate: str | None = None) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


def test_the_dialect_adapter() -> None:
    oracle, emulated = Dialect("oracle"), Dialect("emulated")
    assert oracle.cannot_read(_Error("ORA-00942: table or view does not exist"))
    assert not oracle.cannot_read(_Error("ORA-01017: invalid username/password"))
    assert emulated.cannot_read(_Error("permission denied", "42501")) and not emulated.cannot_read(_Error("x", "22P02"))
    assert oracle.unknown_column(_Error('ORA-00904: "VERSION_FULL": invalid identifier'))
    assert emulated.unknown_column(_Error("column does not exist", "42703"))
    assert oracle.value(decimal.Decimal("42")) == 42 and oracle.value(decimal.Decimal("1.5")) == decimal.Decimal("1.5")
    assert oracle.value(dt.datetime(2026, 1, 2)) == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert len(oracle.value("x" * 5000)) == 4000
    with pytest.raises(ValueError, match="unknown dictionary dialect"):
        Dialect("mysql")


def test_the_emulated_dictionary_fixtures() -> None:
    from airflow_provider_nomasx1.errors import ConfigurationError
    from airflow_provider_nomasx1.oracle import emulation

    assert emulation.fixture_description("19c_se2").startswith("19c Standard Edition 2")
    with pytest.raises(
        ConfigurationError, match="unknown dictionary fixture 'nope' .*19c_se2, 19c_ee_rac, 23ai_ee_adg"
    ):
        emulation.load_fixture(None, "s", "nope")  # type: ignore[arg-type]

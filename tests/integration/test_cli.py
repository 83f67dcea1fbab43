"""The `nomasx1` command against a database: synthetic JDE, schema maintenance, reference data."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import applications, cli
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.schema import bootstrap


def test_jde_generate_and_schema_commands(pg_url: URL, capsys: pytest.CaptureFixture) -> None:
    url = pg_url.render_as_string(hide_password=False)
    assert main(["jde", "generate", "--profile", "tiny", "--url", url, "--as-of", "2025-06-30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("synthetic JDE, profile tiny, seed 1, as of 2025-06-30: 2,490 rows in 30 tables")
    assert main(["schema", "revision", "--url", url]) == 0
    assert "revision none" in capsys.readouterr().out
    assert main(["schema", "init", "--url", url, "--schema", "nomasx1"]) == 0
    assert main(["schema", "upgrade", "--url", url]) == 0
    assert f"already at head {bootstrap.head_revision()}" in capsys.readouterr().out
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sy920.f0092")).scalar() == 28
    engine.dispose()


def test_bad_schema_name_is_a_clear_error(pg_url: URL, capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "init", "--url", pg_url.render_as_string(hide_password=False), "--schema", "x;drop"]) == 2
    assert "Invalid" in capsys.readouterr().err


def test_reference_commands(pg_url: URL, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = pg_url.render_as_string(hide_password=False)
    assert main(["reference", "build", "--output", str(tmp_path), "--apps-id", "12"]) == 0
    bundle = tmp_path / "nomasx1-reference-curated.tar.gz"
    assert "rows in 14 tables" in capsys.readouterr().out
    assert main(["reference", "verify", "--bundle", str(bundle)]) == 0
    assert "sod_matrix" in capsys.readouterr().out
    assert main(["schema", "init", "--url", url]) == 0
    assert main(["reference", "import", "--url", url, "--bundle", str(bundle)]) == 2
    assert "nomasx1 apps add --apps-id 12" in capsys.readouterr().err
    assert main(["apps", "add", "--apps-id", "12", "--name", "JDE EMEA", "--url", url]) == 0
    assert main(["reference", "import", "--url", url, "--bundle", str(bundle)]) == 0
    assert "applications 12" in capsys.readouterr().out
    assert main(["reference", "export", "--url", url, "--output", str(tmp_path / "out.tar.gz")]) == 0
    assert main(["reference", "verify", "--bundle", str(tmp_path / "out.tar.gz")]) == 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT DISTINCT apps_id FROM nomasx1.sod_matrix")).scalars().all() == [12]
    engine.dispose()


def test_apps_update_sets_the_out_settings(pg_url: URL, capsys: pytest.CaptureFixture) -> None:
    url = pg_url.render_as_string(hide_password=False)
    assert main(["schema", "init", "--url", url]) == 0
    assert main(["apps", "add", "--apps-id", "10", "--name", "JDE PROD", "--url", url]) == 0
    capsys.readouterr()

    def shown() -> dict[str, str]:
        assert main(["apps", "show", "--apps-id", "10", "--url", url]) == 0
        lines = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()]
        return {k: v.strip() for k, v in (line for line in lines if len(line) == 2)}

    keys = ("out_purge", "out_retention_days", "jde_out_purge", "jde_out_retention_days", "license_max_sessions")
    assert {k: shown()[k] for k in keys} == {
        "out_purge": "True",
        "out_retention_days": "90",
        "jde_out_purge": "False",
        "jde_out_retention_days": "400",
        "license_max_sessions": "4",
    }  # the schema's defaults, before the application has a settings_jdedwards row
    assert main(["apps", "update", "--apps-id", "10", "--jde-out-purge", "--url", url]) == 2
    assert "jde_out_purge needs jde_out_purge_connector" in capsys.readouterr().err
    args = ["--no-out-purge", "--out-retention-days", "30", "--jde-out-purge", "--jde-out-purge-connector", "jde_admin"]
    assert main(["apps", "update", "--apps-id", "10", *args, "--jde-out-retention-days", "730", "--url", url]) == 0
    engine = sa.create_engine(url)
    query = (
        "SELECT out_purge, out_retention_days, jde_out_purge, jde_out_purge_connector, jde_out_retention_days, "
        "license_max_sessions FROM nomasx1.settings_jdedwards WHERE apps_id = 10"
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text(query)).all() == [(False, 30, True, "jde_admin", 730, 4)]
    assert shown()["jde_out_purge_connector"] == "jde_admin"
    for bad in (["--out-retention-days", "0"], ["--jde-out-retention-days", "-1"]):
        assert main(["apps", "update", "--apps-id", "10", *bad, "--url", url]) == 2
        assert "is not a number of days: give a whole number from 1" in capsys.readouterr().err
    assert main(["apps", "update", "--apps-id", "10", "--jde-out-purge-connector", "", "--url", url]) == 2
    assert "jde_out_purge needs jde_out_purge_connector" in capsys.readouterr().err  # still on
    args = ["--no-jde-out-purge", "--jde-out-purge-connector", "", "--out-purge"]
    assert main(["apps", "update", "--apps-id", "10", *args, "--url", url]) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text(query)).all() == [(True, 30, False, None, 730, 4)]
    assert main(["apps", "update", "--apps-id", "10", "--license-max-sessions", "8", "--url", url]) == 0
    assert shown()["license_max_sessions"] == "8"
    for bad in ("0", "33"):
        assert main(["apps", "update", "--apps-id", "10", "--license-max-sessions", bad, "--url", url]) == 2
        assert f"{bad!r} is not a number of sessions: give a whole number from 1 to 32" in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(sa.text(query)).all() == [(True, 30, False, None, 730, 8)]  # nothing changed
    engine.dispose()
    assert cli.LICENSE_MAX_SESSIONS == applications.LICENSE_MAX_SESSIONS == (1, 32)

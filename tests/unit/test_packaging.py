"""The wheel ships the DAG bundle and the SQL, and registers the provider and the CLI."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from airflow_provider_nomasx1.resources import bundle_dir, sql_path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_contains_bundle_sql_and_entry_points(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = tmp_path.glob("airflow_provider_nomasx1-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for spec in (REPO / "dags" / "jobs").glob("*.yaml"):
        assert f"airflow_provider_nomasx1/dags/jobs/{spec.name}" in names
    assert "airflow_provider_nomasx1/dags/nomasx1_jobs.py" in names
    for sql in (REPO / "sql").rglob("*.sql"):
        assert f"airflow_provider_nomasx1/sql/{sql.relative_to(REPO / 'sql')}" in names
    assert "airflow_provider_nomasx1/schema/migrations/script.py.mako" in names
    [entry_points] = [n for n in names if n.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "provider_info = airflow_provider_nomasx1.get_provider_info:get_provider_info" in text
    assert "nomasx1 = airflow_provider_nomasx1.cli:main" in text


def test_resources_resolve_in_a_checkout() -> None:
    assert (bundle_dir() / "nomasx1_jobs.py").is_file()
    assert sql_path("views").is_dir()

"""The reference export / import jobs through Airflow: import, export, import again with replace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.reference_bundles import APP_ROWS, GLOBAL_ROWS

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.reference import bundle as rb


@pytest.mark.airflow
def test_both_jobs_through_airflow(
    tmp_path: Path,
    curated: Path,
    reference_target: sa.Engine,
    airflow_db: str,
    reference_counts: Callable[..., dict[str, int]],
) -> None:
    imported = testing.run_bundled_dag(
        "nomasx1-import-reference", conf={"bundle_path": str(curated), "target_apps_ids": "10"}
    )
    assert imported.state == "success" and imported.tasks == {"IMPORT_REFERENCE": "success"}
    assert reference_counts(reference_target)["sod_matrix"] == 2
    exported = testing.run_bundled_dag("nomasx1-export-reference", conf={"output_path": str(tmp_path)})
    assert exported.state == "success"
    [bundle] = tmp_path.glob("nomasx1-reference-*.tar.gz")
    assert rb.verify_bundle(bundle).total_rows == GLOBAL_ROWS + APP_ROWS
    again = testing.run_bundled_dag("nomasx1-import-reference", conf={"bundle_path": str(bundle), "replace": True})
    assert again.state == "success"
    with reference_target.connect() as conn:
        audit = dict(conn.execute(sa.text("SELECT step, rows_written FROM nomasx1.collect_audit")).all())
    assert audit == {"IMPORT_REFERENCE": GLOBAL_ROWS + APP_ROWS, "EXPORT_REFERENCE": GLOBAL_ROWS + APP_ROWS}

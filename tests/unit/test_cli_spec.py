"""The `nomasx1` command without a database: spec validation of the bundle and of a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.resources import bundle_dir


def test_spec_validate_passes_on_the_bundle(capsys: pytest.CaptureFixture) -> None:
    assert main(["spec", "validate"]) == 0
    assert "0 problem(s)" in capsys.readouterr().out


def test_spec_validate_fails_on_a_bad_spec(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    jobs = tmp_path / "jobs"
    shutil.copytree(bundle_dir() / "jobs", jobs)
    (jobs / "nomasx1-x-1.yaml").write_text("dag_id: nomasx1-x-1\n")
    assert main(["spec", "validate", str(jobs)]) == 1
    err = capsys.readouterr().err
    assert "ERROR jobs/nomasx1-x-1.yaml: family: required key is missing" in err

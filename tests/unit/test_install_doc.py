"""docs/install.md lists exactly the bundled jobs (dags/jobs/*.yaml), each with its purpose: adding,
renaming or removing a job without updating the install guide fails here."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
#: a row of the install guide's job table: | `dag-id` | purpose |
ROW = re.compile(r"^\|\s*`(?P<dag_id>[^`]+)`\s*\|\s*(?P<purpose>[^|]*?)\s*\|")


def _bundled_dag_ids() -> list[str]:
    return sorted(yaml.safe_load(path.read_text())["dag_id"] for path in (REPO / "dags" / "jobs").glob("*.yaml"))


def _listed_jobs() -> dict[str, str]:
    """The job table of docs/install.md's "The bundled jobs" section: dag_id -> purpose."""
    section = (REPO / "docs" / "install.md").read_text().split("### The bundled jobs", 1)
    assert len(section) == 2, 'docs/install.md has no "### The bundled jobs" section'
    body = re.split(r"^#{1,3} ", section[1], maxsplit=1, flags=re.MULTILINE)[0]
    return {m["dag_id"]: m["purpose"] for line in body.splitlines() if (m := ROW.match(line))}


def test_install_doc_lists_exactly_the_bundled_jobs() -> None:
    bundled = _bundled_dag_ids()
    assert len(bundled) >= 10
    assert sorted(_listed_jobs()) == bundled


def test_each_listed_job_says_what_it_is_for() -> None:
    assert all(len(purpose) > 15 for purpose in _listed_jobs().values())

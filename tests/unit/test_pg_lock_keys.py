"""The advisory-lock keys of ``pg/``: one format for every lock (no database)."""

from __future__ import annotations

from airflow_provider_nomasx1.pg import locks


def test_lock_keys_share_one_format() -> None:
    assert locks.advisory_key("sync", "nomajde", "f0005") == "nomasx1:sync:nomajde:f0005"
    assert locks.advisory_key("sod_mitigations", 7) == "nomasx1:sod_mitigations:7"
    assert locks.session_lock_key(3, "nomasx1-security-1") == "nomasx1:3:nomasx1-security-1"
    assert locks.session_lock_key(None, "deploy-databases") == "nomasx1:-:deploy-databases"

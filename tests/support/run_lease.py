"""The two release policies the run-lease tests give a step (plain data)."""

from __future__ import annotations

from airflow_provider_nomasx1.run_lease import ReleasePolicy

#: a step in the middle of a run (the lease stays with the run)
KEEP = ReleasePolicy(last_step=False)
LAST = ReleasePolicy(last_step=True)

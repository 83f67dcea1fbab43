"""Run lease (job_run_locks), the ``interrupted`` step status, the stage keyed by run.

- ``job_run_locks``: the one run of a job that may work on an application holds its row from its
  first step to its last (airflow_provider_nomasx1/run_lease.py, docs/operations.md);
- ``collect_audit.status`` accepts ``interrupted``: a step found still ``running`` by the next run
  of the job (its process was killed);
- the internal working table ``security_rights_stage`` (unlogged, created by the rights steps) is
  dropped: the next application-rights step re-creates it with ``run_id`` NOT NULL. It only holds
  the decisions of an unfinished run, which the upgrade (taken with the jobs stopped) discards.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.pg.identifiers import quote

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_STATUSES_BEFORE = "status IN ('running', 'success', 'failed')"
_STATUSES = "status IN ('running', 'success', 'failed', 'interrupted')"


def upgrade() -> None:
    schema = target_schema()
    op.create_table(
        "job_run_locks",
        sa.Column(
            "lock_key",
            sa.String(),
            nullable=False,
            comment="nomasx1:<apps_id>:<job_id>, one per application and job",
        ),
        sa.Column("apps_id", sa.Integer(), nullable=True, comment="null for jobs not tied to an application"),
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("dag_id", sa.String(), nullable=False, comment="DAG of the run holding the lease"),
        sa.Column("run_id", sa.String(), nullable=False, comment="the run holding the lease"),
        sa.Column("holder", sa.String(), nullable=False, comment="host:pid of the step that took or last refreshed it"),
        sa.Column("acquired_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("lock_key", name=op.f("pk_job_run_locks")),
        schema=schema,
        comment="run lease: the one run of a job that may work on an application (docs/operations.md)",
    )
    op.drop_constraint(op.f("ck_collect_audit_status"), "collect_audit", schema=schema, type_="check")
    op.create_check_constraint(op.f("ck_collect_audit_status"), "collect_audit", _STATUSES, schema=schema)
    op.execute(f"DROP TABLE IF EXISTS {quote(schema, 'schema')}.security_rights_stage")


def downgrade() -> None:
    schema = target_schema()
    op.execute(f"UPDATE {quote(schema, 'schema')}.collect_audit SET status = 'failed' WHERE status = 'interrupted'")
    op.drop_constraint(op.f("ck_collect_audit_status"), "collect_audit", schema=schema, type_="check")
    op.create_check_constraint(op.f("ck_collect_audit_status"), "collect_audit", _STATUSES_BEFORE, schema=schema)
    op.drop_table("job_run_locks", schema=schema)

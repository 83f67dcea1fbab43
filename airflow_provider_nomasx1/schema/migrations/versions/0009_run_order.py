"""Run order (job_current_runs): the run whose results a snapshot job's current tables hold.

A snapshot job (security, SoD, mirror sync) refuses a run older than this one: an old run cleared
and run again, a trigger with a past logical date (airflow_provider_nomasx1/run_order.py,
docs/operations.md "Backfills"). Frozen like 0001: the columns are spelled out here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_current_runs",
        sa.Column("lock_key", sa.String(), nullable=False, comment="nomasx1:<apps_id>:<job_id>, as job_run_locks"),
        sa.Column("apps_id", sa.Integer(), nullable=True, comment="null for jobs not tied to an application"),
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("dag_id", sa.String(), nullable=False, comment="DAG of the newest accepted run"),
        sa.Column("run_id", sa.String(), nullable=False, comment="the newest accepted run"),
        sa.Column(
            "run_moment",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="the run's logical date (or when it was due): older runs are refused",
        ),
        sa.Column("accepted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("lock_key", name=op.f("pk_job_current_runs")),
        schema=target_schema(),
        comment="per snapshot job and application, the run whose results the current tables hold (run_order.py)",
    )


def downgrade() -> None:
    op.drop_table("job_current_runs", schema=target_schema())

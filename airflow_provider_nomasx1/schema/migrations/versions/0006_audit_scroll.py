"""Rights audit: the scroll-to-end action flag (can_scroll) in the snapshot and the audit rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = target_schema()
    op.add_column(
        "security_rights_snapshot",
        sa.Column("can_scroll", sa.Boolean(), nullable=True, comment="scroll to end (added by migration 0006)"),
        schema=schema,
    )
    op.add_column("security_rights_audit", sa.Column("before_can_scroll", sa.Boolean(), nullable=True), schema=schema)
    op.add_column("security_rights_audit", sa.Column("after_can_scroll", sa.Boolean(), nullable=True), schema=schema)


def downgrade() -> None:
    schema = target_schema()
    op.drop_column("security_rights_audit", "after_can_scroll", schema=schema)
    op.drop_column("security_rights_audit", "before_can_scroll", schema=schema)
    op.drop_column("security_rights_snapshot", "can_scroll", schema=schema)

"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Rules (docs/schema.md, "Adding a migration"): spell every object out (frozen snapshot, never
``metadata.create_all``), pass ``schema=schema`` to every operation, quote identifiers in raw SQL
with ``airflow_provider_nomasx1.pg.identifiers``, and update ``schema/nomasx1.py`` to match.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.pg.identifiers import qualified, quote  # noqa: F401

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    schema = target_schema()
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    schema = target_schema()
    ${downgrades if downgrades else "pass"}

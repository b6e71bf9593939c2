"""agency workers' case-carrying limit; worker assignments indexed by worker and role

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 19:30:00.000000

``agency_workers.max_case_carrying`` is the most case-carrying assignments a worker may hold
(NULL, as on every existing row: no limit). The index on ``(agency_id, worker_id, role)`` counts
a worker's assignments in one role from the index alone: the capacity check of every create and
transfer, and the worker caseloads. Downgrade removes both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_worker_assignments_agency_id_worker_id_role"


def upgrade() -> None:
    with op.batch_alter_table("agency_workers") as batch:
        batch.add_column(sa.Column("max_case_carrying", sa.Integer(), nullable=True))
    op.create_index(_INDEX, "worker_assignments", ["agency_id", "worker_id", "role"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="worker_assignments")
    with op.batch_alter_table("agency_workers") as batch:
        batch.drop_column("max_case_carrying")

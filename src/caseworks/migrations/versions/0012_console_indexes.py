"""assignments indexed by closing time

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 23:40:00.000000

The index on ``(agency_id, closed_date)`` makes each month's count of closed assignments (the
console's monthly flow) a range of the index, as ``(agency_id, assigned_date, id)`` already does
for the assignments opened. Downgrade removes it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011_users_and_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_assignments_agency_id_closed_date"


def upgrade() -> None:
    op.create_index(_INDEX, "assignments", ["agency_id", "closed_date"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="assignments")

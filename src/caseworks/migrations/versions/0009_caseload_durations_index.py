"""an index for the caseload summary's scans of open and closed assignments

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:30:00.000000

The caseload summary counts the stale open assignments and totals the length of the closed ones
over the whole agency. With status, assigned_date, closed_date and last_contact_date in one index
both scans read the index alone, not the table. Downgrade drops it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_assignments_caseload_durations"
_COLUMNS = ["agency_id", "status", "assigned_date", "closed_date", "last_contact_date"]


def upgrade() -> None:
    op.create_index(_NAME, "assignments", _COLUMNS)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="assignments")

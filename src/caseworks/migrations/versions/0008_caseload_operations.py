"""agency settings, mentor capacity, reassignment links and the digest's weeks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:10:00.000000

Agencies get their settings as columns with server defaults (stale after 30 days, no default
mentor capacity, UTC, the digest on Monday at 08:00 to nobody), so every existing agency has them
at once. Mentors get an optional caseload limit; assignments get the reason they were closed and
the links between a reassigned assignment and its successor (all NULL on existing rows).
``digest_weeks`` records each agency's queued weekly digest. Downgrade removes all of it.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled here, not taken from the package: a migration must keep meaning what it meant.
_ID = sa.String(length=64)
# (table, column, type, server default); no default means the column is nullable.
_COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[Any], str | None], ...] = (
    ("agencies", "stale_after_days", sa.Integer(), "30"),
    ("agencies", "default_mentor_capacity", sa.Integer(), None),
    ("agencies", "time_zone", sa.Text(), "'UTC'"),
    ("agencies", "digest_weekday", sa.Integer(), "1"),
    ("agencies", "digest_hour", sa.Integer(), "8"),
    ("agencies", "digest_recipients", sa.Text(), "'[]'"),
    ("mentors", "max_open_assignments", sa.Integer(), None),
    ("assignments", "closed_reason", sa.Text(), None),
    ("assignments", "previous_assignment_id", _ID, None),
    ("assignments", "next_assignment_id", _ID, None),
)
_TABLES = ("agencies", "mentors", "assignments")


def _column(name: str, kind: sa.types.TypeEngine[Any], default: str | None) -> sa.Column[Any]:
    if default is None:
        return sa.Column(name, kind, nullable=True)
    return sa.Column(name, kind, nullable=False, server_default=sa.text(default))


def upgrade() -> None:
    # Batch mode: SQLite drops columns only by rebuilding the table; PostgreSQL ALTERs in place.
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for owner, name, kind, default in _COLUMNS:
                if owner == table:
                    batch.add_column(_column(name, kind, default))
    op.create_table(
        "digest_weeks",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_digest_weeks_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("agency_id", "week", name=op.f("pk_digest_weeks")),
    )


def downgrade() -> None:
    op.drop_table("digest_weeks")
    for table in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            for owner, name, _, _ in reversed(_COLUMNS):
                if owner == table:
                    batch.drop_column(name)

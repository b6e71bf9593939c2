"""children: suffix, nickname, gender, external group id; indexes for the identifier filters

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:00:00.000000

The new columns are nullable: children made before this revision have none of them. The indexes
back the list's exact-match filters (client id, external identifier, external group id), each
followed by the list's default order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("suffix", "nickname", "gender", "external_group_id")
_INDEXED = ("client_id", "external_identifier", "external_group_id")


def _index(column: str) -> str:
    return f"ix_children_agency_id_{column}_created_at_id"


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column("children", sa.Column(column, sa.Text(), nullable=True))
    for column in _INDEXED:
        op.create_index(_index(column), "children", ["agency_id", column, "created_at", "id"])


def downgrade() -> None:
    # The indexes first: SQLite drops a column itself (since 3.35) only when no index names it.
    for column in _INDEXED:
        op.drop_index(_index(column), table_name="children")
    for column in reversed(_COLUMNS):
        op.drop_column("children", column)

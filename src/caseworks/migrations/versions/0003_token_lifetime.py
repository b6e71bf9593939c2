"""token expiry and last use

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:30:00.000000

Both columns are nullable: tokens made before this revision keep no expiry (``expires_at`` NULL
means the token does not expire) and show no last use until they are next used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "api_tokens", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # SQLite drops a column itself since 3.35; neither column is in an index or a constraint.
    op.drop_column("api_tokens", "last_used_at")
    op.drop_column("api_tokens", "expires_at")

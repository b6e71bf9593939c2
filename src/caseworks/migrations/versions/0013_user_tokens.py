"""single-use links to set a password

Revision ID: 0013_user_tokens
Revises: 0012
Create Date: 2026-12-02 00:40:00.000000

``user_tokens`` holds each set-password or password-reset link by the SHA-256 hash of its token,
with the user it is for, when it expires and when it was used. Downgrade drops the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_user_tokens"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('set_password', 'reset')", name=op.f("ck_user_tokens_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "user_id"],
            ["users.agency_id", "users.id"],
            name=op.f("fk_user_tokens_agency_id_users"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_tokens")),
    )
    op.create_index("ix_user_tokens_agency_id_user_id", "user_tokens", ["agency_id", "user_id"])


def downgrade() -> None:
    op.drop_table("user_tokens")

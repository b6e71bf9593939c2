"""console users and their sessions

Revision ID: 0011_users_and_sessions
Revises: 0010
Create Date: 2026-12-01 23:30:00.000000

``users`` are the people who sign in to the console (e-mail unique per agency, stored
lower-case; argon2id password hash; role, optionally tied to a mentor or agency worker).
``user_sessions`` holds each session by a hash of its id, with its CSRF token.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_users_and_sessions"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("mentor_id", sa.String(length=64), nullable=True),
        sa.Column("worker_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'supervisor', 'caseworker', 'mentor')", name=op.f("ck_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "mentor_id"],
            ["mentors.agency_id", "mentors.id"],
            name=op.f("fk_users_agency_id_mentors"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "worker_id"],
            ["agency_workers.agency_id", "agency_workers.id"],
            name=op.f("fk_users_agency_id_agency_workers"),
        ),
        sa.PrimaryKeyConstraint("agency_id", "id", name=op.f("pk_users")),
    )
    op.create_index("ix_users_agency_id_email", "users", ["agency_id", "email"], unique=True)
    op.create_index("ix_users_email", "users", ["email"])
    op.create_table(
        "user_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "user_id"],
            ["users.agency_id", "users.id"],
            name=op.f("fk_user_sessions_agency_id_users"),
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index("ix_user_sessions_agency_id_user_id", "user_sessions", ["agency_id", "user_id"])


def downgrade() -> None:
    op.drop_table("user_sessions")
    op.drop_table("users")

"""applications in Binti's vocabulary, and user agency profiles

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 16:00:00.000000

Application statuses become Binti's twelve. Stored rows are mapped so (only ``pending`` changes):

    applying → applying          pending   → ready_for_review
    approved → approved          denied    → denied
    withdrawn → withdrawn        closed    → closed

Downgrade maps back: ``ready_for_review`` and ``awaiting_referral`` → ``pending``;
``recruiting`` → ``applying``; ``in_adoption_process`` and ``eligible_for_conversion`` →
``approved``; ``inactive`` → ``closed``; ``recruiting_dropout`` → ``withdrawn``; the four kept
values stay. New columns start empty (NULL): nothing recorded says when a stored application
was inquired about, moved to its status or first got a worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled here, not taken from the package: a migration must keep meaning what it meant.
UP = {"pending": "ready_for_review"}
DOWN = {
    "ready_for_review": "pending",
    "awaiting_referral": "pending",
    "recruiting": "applying",
    "in_adoption_process": "approved",
    "eligible_for_conversion": "approved",
    "inactive": "closed",
    "recruiting_dropout": "withdrawn",
}
STATUSES = (
    "applying",
    "approved",
    "awaiting_referral",
    "closed",
    "denied",
    "in_adoption_process",
    "inactive",
    "eligible_for_conversion",
    "recruiting_dropout",
    "recruiting",
    "withdrawn",
    "ready_for_review",
)
PROFILE_ROLES = (
    "applicant",
    "child_in_home",
    "co_applicant",
    "other_adult_in_home",
    "reference_user",
)
_APPLICATION_COLUMNS = (
    ("status_date", sa.Date()),
    ("status_reason", sa.Text()),
    ("date_of_inquiry", sa.Date()),
    ("external_identifier", sa.Text()),
    ("license_external_identifier", sa.Text()),
    ("agency_placement_external_identifier", sa.Text()),
    ("caseworker_assigned_date", sa.Date()),
    ("applicant_profile_id", sa.String(length=64)),
)
_APPLICATION_INDEXES = (
    ("status", "created_at", "id"),
    ("updated_at", "id"),
    ("date_of_inquiry", "id"),
    ("status_date", "id"),
    ("external_identifier",),
    ("license_external_identifier",),
    ("agency_placement_external_identifier",),
)
_PROFILE_INDEXES = (
    ("created_at", "id"),
    ("application_id", "role"),
    ("role", "created_at", "id"),
    ("updated_at", "id"),
    ("external_identifier",),
)
_APPLICANT_FK = "fk_applications_applicant_profile"


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_agency_id_{'_'.join(columns)}"


def _remap(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(
            sa.text("UPDATE applications SET status = :new WHERE status = :old").bindparams(
                new=new, old=old
            )
        )


def upgrade() -> None:
    _remap(UP)
    quoted = ", ".join(f"'{role}'" for role in PROFILE_ROLES)
    op.create_table(
        "user_agency_profiles",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("middle_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("suffix", sa.Text(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone_number", sa.Text(), nullable=True),
        sa.Column("external_identifier", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"role IN ({quoted})", name=op.f("ck_user_agency_profiles_role")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_user_agency_profiles_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "application_id"],
            ["applications.agency_id", "applications.id"],
            name=op.f("fk_user_agency_profiles_agency_id_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("agency_id", "id", name=op.f("pk_user_agency_profiles")),
    )
    for columns in _PROFILE_INDEXES:
        op.create_index(
            op.f(_index_name("user_agency_profiles", columns)),
            "user_agency_profiles",
            ["agency_id", *columns],
        )
    # SQLite adds a foreign key only by rebuilding the table: batch mode does that there, and
    # plain ALTERs on PostgreSQL.
    with op.batch_alter_table("applications") as batch:
        for name, kind in _APPLICATION_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_foreign_key(
            _APPLICANT_FK,
            "user_agency_profiles",
            ["agency_id", "applicant_profile_id"],
            ["agency_id", "id"],
        )
        for columns in _APPLICATION_INDEXES:
            batch.create_index(op.f(_index_name("applications", columns)), ["agency_id", *columns])
        statuses = ", ".join(f"'{status}'" for status in STATUSES)
        batch.create_check_constraint(op.f("ck_applications_status"), f"status IN ({statuses})")


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_constraint(op.f("ck_applications_status"), type_="check")
        for columns in _APPLICATION_INDEXES:
            batch.drop_index(op.f(_index_name("applications", columns)))
        batch.drop_constraint(_APPLICANT_FK, type_="foreignkey")
        for name, _ in reversed(_APPLICATION_COLUMNS):
            batch.drop_column(name)
    for columns in _PROFILE_INDEXES:
        op.drop_index(
            op.f(_index_name("user_agency_profiles", columns)), table_name="user_agency_profiles"
        )
    op.drop_table("user_agency_profiles")
    _remap(DOWN)

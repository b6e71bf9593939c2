"""agency workers' supervisors, agency role and permissions role; cbo assignments; filter indexes

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 16:00:00.000000

The worker-assignment role CHECK gains ``cbo``. SQLite cannot alter a CHECK in place, so there
the table is rebuilt by batch mode (its rows, indexes and other constraints kept); PostgreSQL
drops and adds the one constraint. Downgrading refuses while a ``cbo`` assignment exists, rather
than delete it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_CHECK = "ck_worker_assignments_role"
ROLES_BEFORE = "role IN ('case_carrying', 'approvals', 'support')"
ROLES_AFTER = "role IN ('case_carrying', 'approvals', 'support', 'cbo')"
ASSIGNMENT_INDEXES = {
    "ix_worker_assignments_child_role_created": [
        "agency_id",
        "child_id",
        "role",
        "created_at",
        "id",
    ],
    "ix_worker_assignments_application_role_created": [
        "agency_id",
        "application_id",
        "role",
        "created_at",
        "id",
    ],
    "ix_worker_assignments_application_updated": [
        "agency_id",
        "application_id",
        "updated_at",
        "id",
    ],
}


def _role_check(condition: str) -> None:
    with op.batch_alter_table("worker_assignments") as batch_op:
        batch_op.drop_constraint(batch_op.f(ROLE_CHECK), type_="check")
        batch_op.create_check_constraint(batch_op.f(ROLE_CHECK), sa.text(condition))


def upgrade() -> None:
    op.add_column("agency_workers", sa.Column("agency_role", sa.Text(), nullable=True))
    op.add_column("agency_workers", sa.Column("role_for_permissions", sa.Text(), nullable=True))
    op.create_index(
        op.f("ix_agency_workers_agency_id_external_identifier_created_at_id"),
        "agency_workers",
        ["agency_id", "external_identifier", "created_at", "id"],
    )
    op.create_table(
        "agency_worker_supervisors",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("supervisor_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "worker_id <> supervisor_id", name=op.f("ck_agency_worker_supervisors_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "worker_id"],
            ["agency_workers.agency_id", "agency_workers.id"],
            name=op.f("fk_agency_worker_supervisors_agency_id_worker_id_agency_workers"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "supervisor_id"],
            ["agency_workers.agency_id", "agency_workers.id"],
            name=op.f("fk_agency_worker_supervisors_agency_id_supervisor_id_agency_workers"),
        ),
        sa.PrimaryKeyConstraint(
            "agency_id", "worker_id", "supervisor_id", name=op.f("pk_agency_worker_supervisors")
        ),
    )
    op.create_index(
        op.f("ix_agency_worker_supervisors_agency_id_supervisor_id_worker_id"),
        "agency_worker_supervisors",
        ["agency_id", "supervisor_id", "worker_id"],
    )
    _role_check(ROLES_AFTER)
    for name, columns in ASSIGNMENT_INDEXES.items():
        op.create_index(name, "worker_assignments", columns)


def downgrade() -> None:
    for name in ASSIGNMENT_INDEXES:
        op.drop_index(name, table_name="worker_assignments")
    _role_check(ROLES_BEFORE)
    op.drop_index(
        op.f("ix_agency_worker_supervisors_agency_id_supervisor_id_worker_id"),
        table_name="agency_worker_supervisors",
    )
    op.drop_table("agency_worker_supervisors")
    op.drop_index(
        op.f("ix_agency_workers_agency_id_external_identifier_created_at_id"),
        table_name="agency_workers",
    )
    # SQLite drops a column itself since 3.35; neither column is in an index or a constraint.
    op.drop_column("agency_workers", "role_for_permissions")
    op.drop_column("agency_workers", "agency_role")

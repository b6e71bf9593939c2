"""applications and user agency profiles carry the rest of Binti's intake

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00.000000

Applications get Binti's case type, signing date, capacity, approved ages, community foster and
respite provider answers, template slug and how the family heard about the agency; profiles get
the family id and the home's address. Every new column is nullable and starts empty (NULL):
nothing stored says any of it. Downgrade drops them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled here, not taken from the package: a migration must keep meaning what it meant.
_APPLICATION_COLUMNS = (
    ("case_type", sa.Text()),
    ("date_application_signed", sa.Date()),
    ("capacity", sa.Integer()),
    ("approved_age_lower", sa.Integer()),
    ("approved_age_higher", sa.Integer()),
    ("community_foster", sa.Boolean()),
    ("respite_provider", sa.Boolean()),
    ("template_slug", sa.Text()),
    ("how_did_you_hear_about_us", sa.Text()),
    ("how_did_you_hear_about_us_details", sa.Text()),
)
_PROFILE_COLUMNS = (
    ("family_id", sa.Text()),
    ("street_address", sa.Text()),
    ("city", sa.Text()),
    ("state", sa.Text()),
    ("zipcode", sa.Text()),
    ("county", sa.Text()),
    ("additional_directions_to_home", sa.Text()),
)
_TABLES = (("applications", _APPLICATION_COLUMNS), ("user_agency_profiles", _PROFILE_COLUMNS))


def upgrade() -> None:
    # Batch mode: SQLite drops columns only by rebuilding the table; PostgreSQL ALTERs in place.
    for table, columns in _TABLES:
        with op.batch_alter_table(table) as batch:
            for name, kind in columns:
                batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for table, columns in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(columns):
                batch.drop_column(name)

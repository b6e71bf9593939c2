"""The tables, declared once for Alembic.

Every row belongs to an agency and the agency is part of every key: primary keys are
``(agency_id, id)`` and foreign keys are composite, so no record can point at another agency's
record, and the schema can later be distributed by ``agency_id`` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from caseworks.auth.principal import Role
from caseworks.childwelfare.terms import (
    CHILD_ROLES,
    ApplicationKind,
    ApplicationStatus,
    ProfileRole,
    WorkerRole,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)


def _one_of(column: str, values: Iterable[StrEnum]) -> str:
    """A CHECK that ``column`` holds one of the values: each value is spelled once, in its enum."""
    quoted = [f"'{value.value}'" for value in values]
    if len(quoted) == 1:
        return f"{column} = {quoted[0]}"
    return f"{column} IN ({', '.join(quoted)})"


def _timestamp(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


agencies = Table(
    "agencies",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    _timestamp("created_at"),
    # The agency's settings (GET/PUT /api/v1/agency/settings). The defaults are these server
    # defaults, so an agency made by any INSERT has them; the settings model checks each value.
    Column("stale_after_days", Integer, nullable=False, server_default=text("30")),
    Column("default_mentor_capacity", Integer),  # NULL: no limit
    Column("time_zone", Text, nullable=False, server_default=text("'UTC'")),
    Column("digest_weekday", Integer, nullable=False, server_default=text("1")),  # ISO: Monday 1
    Column("digest_hour", Integer, nullable=False, server_default=text("8")),  # local, 0–23
    Column("digest_recipients", Text, nullable=False, server_default=text("'[]'")),  # JSON list
)

# One row per agency and ISO week whose caseload digest was queued: written in the transaction
# that queues the mails, so two dispatchers cannot both send a week's digest.
digest_weeks = Table(
    "digest_weeks",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("week", String(8), nullable=False),  # ISO week in the agency's time zone: 2026-W49
    _timestamp("queued_at"),
    PrimaryKeyConstraint("agency_id", "week"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("agency_id", ID, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("mentor_id", ID),
    Column("worker_id", ID),
    Column("name", Text),
    _timestamp("created_at"),
    _timestamp("revoked_at", nullable=True),
    _timestamp("expires_at", nullable=True),  # NULL: never expires
    _timestamp("last_used_at", nullable=True),  # written at most hourly: auth/tokens.py
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    CheckConstraint(_one_of("role", Role), name="role"),
    CheckConstraint(
        f"role <> '{Role.MENTOR.value}' OR mentor_id IS NOT NULL", name="mentor_has_mentor"
    ),
)


def _people(name: str, *extra: Column[object]) -> Table:
    """Mentors and contacts have the same shape, and a mentor has a caseload limit."""
    return Table(
        name,
        metadata,
        Column("agency_id", ID, nullable=False),
        Column("id", ID, nullable=False),
        Column("name", Text, nullable=False),
        Column("email", Text),
        Column("phone", Text),
        *extra,
        _timestamp("created_at"),
        _timestamp("updated_at"),
        PrimaryKeyConstraint("agency_id", "id"),
        ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        Index(None, "agency_id", "created_at", "id"),
        Index(None, "agency_id", "name", "id"),
    )


# NULL: the agency's default_mentor_capacity applies (and a NULL default means no limit).
mentors = _people("mentors", Column("max_open_assignments", Integer))
contacts = _people("contacts")

assignments = Table(
    "assignments",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("mentor_id", ID, nullable=False),
    Column("contact_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("notes", Text),
    _timestamp("assigned_date"),
    _timestamp("last_contact_date", nullable=True),
    _timestamp("closed_date", nullable=True),
    Column("closed_reason", Text),  # why it was closed, when a reassignment or a person said
    # A reassignment closes one assignment and opens its successor: each points at the other.
    # No foreign key: erasing one (a deletion on request) clears the pointers to it instead.
    Column("previous_assignment_id", ID),
    Column("next_assignment_id", ID),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id", "mentor_id"], ["mentors.agency_id", "mentors.id"]),
    ForeignKeyConstraint(["agency_id", "contact_id"], ["contacts.agency_id", "contacts.id"]),
    CheckConstraint("status IN ('open', 'closed')", name="status"),
    CheckConstraint("(status = 'closed') = (closed_date IS NOT NULL)", name="closed_date"),
    # One open assignment per mentor and contact; closed ones do not block a new one.
    Index(
        "uq_assignments_open_pair",
        "agency_id",
        "mentor_id",
        "contact_id",
        unique=True,
        sqlite_where=text("status = 'open'"),
        postgresql_where=text("status = 'open'"),
    ),
    # Mentor views: active and open-count, then history (newest first across statuses).
    Index(None, "agency_id", "mentor_id", "status", "assigned_date"),
    Index(None, "agency_id", "mentor_id", "assigned_date", "id"),
    # The list filtered by mentor, in its default order.
    Index(None, "agency_id", "mentor_id", "created_at", "id"),
    Index(None, "agency_id", "contact_id", "status"),
    Index(None, "agency_id", "created_at", "id"),
    Index(None, "agency_id", "assigned_date", "id"),
    Index(None, "agency_id", "last_contact_date", "id"),
    Index(None, "agency_id", "status", "created_at", "id"),
    # The caseload summary's scans, from the index alone: stale open assignments (last contact,
    # else assigned) and the length of closed ones (assigned to closed).
    Index(
        "ix_assignments_caseload_durations",
        "agency_id",
        "status",
        "assigned_date",
        "closed_date",
        "last_contact_date",
    ),
    # The console's monthly flow: the assignments closed in each month, a range of the index.
    Index(None, "agency_id", "closed_date"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    _timestamp("occurred_at"),
    Column("actor_token_id", ID),
    Column("actor_role", String(16)),
    Column("action", String(32), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", ID, nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16)),
    Column("reason", Text),
    # JSON text: ids and field names that changed, never personal data.
    Column("details", Text),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    Index(None, "agency_id", "subject_type", "subject_id", "occurred_at"),
)

agency_workers = Table(
    "agency_workers",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    # Comma-separated subset of the worker roles (sorted), as childwelfare_queries writes it.
    Column("assignable_roles", Text, nullable=False, server_default=""),
    Column("external_identifier", Text),
    Column("agency_role", Text),
    # JSON text of {"id": number, "name": text}, as childwelfare_queries writes it.
    Column("role_for_permissions", Text),
    # The most case-carrying assignments the worker may hold; NULL: no limit.
    Column("max_case_carrying", Integer),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    Index(None, "agency_id", "created_at", "id"),
    # The list's external_identifier filter (an exact match), in the list's default order.
    Index(None, "agency_id", "external_identifier", "created_at", "id"),
)

# Who supervises whom: one row per worker and supervisor, both workers of the agency. The key
# serves a worker's supervisors, the index a supervisor's workers (and the cycle check's walk).
agency_worker_supervisors = Table(
    "agency_worker_supervisors",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("worker_id", ID, nullable=False),
    Column("supervisor_id", ID, nullable=False),
    PrimaryKeyConstraint("agency_id", "worker_id", "supervisor_id"),
    ForeignKeyConstraint(
        ["agency_id", "worker_id"], ["agency_workers.agency_id", "agency_workers.id"]
    ),
    ForeignKeyConstraint(
        ["agency_id", "supervisor_id"], ["agency_workers.agency_id", "agency_workers.id"]
    ),
    CheckConstraint("worker_id <> supervisor_id", name="not_self"),
    Index(None, "agency_id", "supervisor_id", "worker_id"),
)

children = Table(
    "children",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("first_name", Text),
    Column("middle_name", Text),
    Column("last_name", Text, nullable=False),
    Column("suffix", Text),
    Column("nickname", Text),
    Column("date_of_birth", Date),
    Column("gender", Text),
    Column("client_id", Text),
    Column("external_identifier", Text),
    Column("external_group_id", Text),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    Index(None, "agency_id", "created_at", "id"),
    # The exact-match filters of the list, each in the default order (so SQLite, which keeps no
    # statistics, takes them rather than the order's index). The name search (a substring) has
    # no index a btree could give: it runs over the agency's rows (the agency_id prefix).
    Index(None, "agency_id", "client_id", "created_at", "id"),
    Index(None, "agency_id", "external_identifier", "created_at", "id"),
    Index(None, "agency_id", "external_group_id", "created_at", "id"),
)

applications = Table(
    "applications",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_date", Date),
    Column("status_reason", Text),
    Column("date_of_inquiry", Date),
    Column("applicant_name", Text),
    Column("external_identifier", Text),
    Column("license_external_identifier", Text),
    Column("agency_placement_external_identifier", Text),
    Column("caseworker_assigned_date", Date),  # set by the first assignment: worker_assignments
    Column("applicant_profile_id", ID),
    # What the family offers and how it came to the agency, as Binti's intake takes them.
    Column("case_type", Text),
    Column("date_application_signed", Date),
    Column("capacity", Integer),
    Column("approved_age_lower", Integer),
    Column("approved_age_higher", Integer),
    Column("community_foster", Boolean),
    Column("respite_provider", Boolean),
    Column("template_slug", Text),
    Column("how_did_you_hear_about_us", Text),
    Column("how_did_you_hear_about_us_details", Text),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    # The applicant is a profile of this application's (the service checks it); the profiles
    # point back at their application, so this side is added after both tables exist.
    ForeignKeyConstraint(
        ["agency_id", "applicant_profile_id"],
        ["user_agency_profiles.agency_id", "user_agency_profiles.id"],
        name="fk_applications_applicant_profile",  # the conventional name is over 63 characters
        use_alter=True,
    ),
    CheckConstraint(_one_of("kind", ApplicationKind), name="kind"),
    CheckConstraint(_one_of("status", ApplicationStatus), name="status"),
    Index(None, "agency_id", "created_at", "id"),
    # The list's filters and sorts, each served by an index of its own.
    Index(None, "agency_id", "status", "created_at", "id"),
    Index(None, "agency_id", "updated_at", "id"),
    Index(None, "agency_id", "date_of_inquiry", "id"),
    Index(None, "agency_id", "status_date", "id"),
    Index(None, "agency_id", "external_identifier"),
    Index(None, "agency_id", "license_external_identifier"),
    Index(None, "agency_id", "agency_placement_external_identifier"),
)

# Applicants, co-applicants, other adults…: the people of one application's household.
user_agency_profiles = Table(
    "user_agency_profiles",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("application_id", ID, nullable=False),
    Column("role", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("first_name", Text),
    Column("middle_name", Text),
    Column("last_name", Text),
    Column("suffix", Text),
    Column("date_of_birth", Date),
    Column("email", Text),
    Column("phone_number", Text),
    Column("external_identifier", Text),
    Column("family_id", Text),  # an applicant's only
    Column("street_address", Text),
    Column("city", Text),
    Column("state", Text),
    Column("zipcode", Text),
    Column("county", Text),
    Column("additional_directions_to_home", Text),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    ForeignKeyConstraint(
        ["agency_id", "application_id"], ["applications.agency_id", "applications.id"]
    ),
    CheckConstraint(_one_of("role", ProfileRole), name="role"),
    Index(None, "agency_id", "created_at", "id"),
    # An application's people (and the read scope and application_status filter through it).
    Index(None, "agency_id", "application_id", "role"),
    Index(None, "agency_id", "role", "created_at", "id"),
    Index(None, "agency_id", "updated_at", "id"),
    Index(None, "agency_id", "external_identifier"),
)

worker_assignments = Table(
    "worker_assignments",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("worker_id", ID, nullable=False),
    Column("role", String(16), nullable=False),
    Column("child_id", ID),
    Column("application_id", ID),
    Column("created_by", ID),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(
        ["agency_id", "worker_id"], ["agency_workers.agency_id", "agency_workers.id"]
    ),
    ForeignKeyConstraint(["agency_id", "child_id"], ["children.agency_id", "children.id"]),
    ForeignKeyConstraint(
        ["agency_id", "application_id"], ["applications.agency_id", "applications.id"]
    ),
    CheckConstraint(_one_of("role", WorkerRole), name="role"),
    CheckConstraint("(child_id IS NULL) <> (application_id IS NULL)", name="one_subject"),
    CheckConstraint(
        f"({_one_of('role', CHILD_ROLES)}) = (child_id IS NOT NULL)", name="role_subject"
    ),
    Index(
        "uq_worker_assignments_child_worker_role",
        "agency_id",
        "child_id",
        "worker_id",
        "role",
        unique=True,
        sqlite_where=text("child_id IS NOT NULL"),
        postgresql_where=text("child_id IS NOT NULL"),
    ),
    Index(
        "uq_worker_assignments_application_worker_role",
        "agency_id",
        "application_id",
        "worker_id",
        "role",
        unique=True,
        sqlite_where=text("application_id IS NOT NULL"),
        postgresql_where=text("application_id IS NOT NULL"),
    ),
    Index(None, "agency_id", "worker_id"),
    # A worker's count in one role: its capacity check and its caseload, from the index alone.
    Index(None, "agency_id", "worker_id", "role"),
    Index(None, "agency_id", "created_at", "id"),
    # A child's or an application's list, filtered by role and created range, in its order;
    # an application's by updated range. Named here: the generated names pass PostgreSQL's 63.
    Index(
        "ix_worker_assignments_child_role_created",
        "agency_id",
        "child_id",
        "role",
        "created_at",
        "id",
    ),
    Index(
        "ix_worker_assignments_application_role_created",
        "agency_id",
        "application_id",
        "role",
        "created_at",
        "id",
    ),
    Index(
        "ix_worker_assignments_application_updated",
        "agency_id",
        "application_id",
        "updated_at",
        "id",
    ),
)

outbox = Table(
    "outbox",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    # Stable across retries, so a duplicate delivery is recognisable.
    Column("message_id", Text, nullable=False, unique=True),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    _timestamp("created_at"),
    _timestamp("next_attempt_at"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    _timestamp("lease_until", nullable=True),
    Column("lease_owner", Text),
    _timestamp("sent_at", nullable=True),
    # Set when the server refused the message for good (5xx) or it ran out of attempts.
    _timestamp("failed_at", nullable=True),
    Column("last_error", Text),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    Index(
        "ix_outbox_due",
        "next_attempt_at",
        sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
    ),
)

# A create sent with an ``Idempotency-Key`` header: written in the create's own transaction, so a
# retried request finds the record it made (or nothing, if it did not commit).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("key", String(255), nullable=False),
    # SHA-256 of method, path and body: the same key sent with another request is refused.
    Column("fingerprint", String(64), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", ID, nullable=False),
    _timestamp("created_at"),
    PrimaryKeyConstraint("agency_id", "key"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    Index(None, "agency_id", "created_at"),
)

# People who sign in to the console. The e-mail is stored lower-case, unique per agency.
users = Table(
    "users",
    metadata,
    Column("agency_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("email", Text, nullable=False),
    Column("name", Text),
    Column("role", String(16), nullable=False),
    Column("mentor_id", ID),
    Column("worker_id", ID),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("password_hash", Text),  # NULL until the password is set
    Column("locale", String(16)),  # NULL: from Accept-Language
    _timestamp("last_sign_in_at", nullable=True),
    _timestamp("created_at"),
    PrimaryKeyConstraint("agency_id", "id"),
    ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    ForeignKeyConstraint(["agency_id", "mentor_id"], ["mentors.agency_id", "mentors.id"]),
    ForeignKeyConstraint(
        ["agency_id", "worker_id"], ["agency_workers.agency_id", "agency_workers.id"]
    ),
    CheckConstraint(_one_of("role", Role), name="role"),
    Index("ix_users_agency_id_email", "agency_id", "email", unique=True),
    Index("ix_users_email", "email"),
)

# Console sessions, by a hash of the id the cookie holds.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("agency_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    _timestamp("created_at"),
    _timestamp("last_seen_at"),
    ForeignKeyConstraint(["agency_id", "user_id"], ["users.agency_id", "users.id"]),
    Index("ix_user_sessions_agency_id_user_id", "agency_id", "user_id"),
)

# Single-use links that let a user set a password: `set_password` (a new account, 24 h) or
# `reset` (a forgotten password, 1 h). Kept by the SHA-256 hash of the token the link holds.
user_tokens = Table(
    "user_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agency_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("purpose", String(16), nullable=False),
    _timestamp("expires_at"),
    _timestamp("used_at", nullable=True),
    _timestamp("created_at"),
    ForeignKeyConstraint(["agency_id", "user_id"], ["users.agency_id", "users.id"]),
    CheckConstraint("purpose IN ('set_password', 'reset')", name="purpose"),
    Index("ix_user_tokens_agency_id_user_id", "agency_id", "user_id"),
)

"""The words of child welfare, each spelled here once: worker roles and application kinds.

The schema's CHECK constraints, the request models, the JSON:API documents and their OpenAPI
description, messages and mail all take them from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class WorkerRole(StrEnum):
    """A worker's role on a child or an application, as it is stored and answered."""

    CASE_CARRYING = "case_carrying"
    APPROVALS = "approvals"
    SUPPORT = "support"
    # A community-based organisation's worker on an application: shown and filtered on, but made
    # only in the platform itself, never through the API (the Binti-compatible API says so too).
    CBO = "cbo"

    @property
    def label(self) -> str:
        """The role as people read it, in messages and mail; requests may write it so too."""
        return _LABELS[self]


_LABELS = {
    WorkerRole.CASE_CARRYING: "case-carrying",
    WorkerRole.APPROVALS: "approvals",
    WorkerRole.SUPPORT: "support",
    WorkerRole.CBO: "cbo",
}

# A child has its case-carrying workers; an application its approvals and support workers.
CHILD_ROLES = (WorkerRole.CASE_CARRYING,)
APPLICATION_ROLES = (WorkerRole.APPROVALS, WorkerRole.SUPPORT, WorkerRole.CBO)
# The roles an assignment may be read with but not created with through the API.
NOT_CREATABLE_ROLES = (WorkerRole.CBO,)
CREATABLE_ROLES = tuple(role for role in WorkerRole if role not in NOT_CREATABLE_ROLES)
CREATABLE_APPLICATION_ROLES = tuple(role for role in APPLICATION_ROLES if role in CREATABLE_ROLES)


def role_spellings(roles: Iterable[WorkerRole] = WorkerRole) -> dict[str, WorkerRole]:
    """Every way a request may write these roles (case_carrying, case-carrying), to the role."""
    return {spelling: role for role in roles for spelling in (role.value, role.label)}


class ApplicationKind(StrEnum):
    """What an application is for; the kind is fixed when it is made."""

    INITIAL = "initial"
    RENEWAL = "renewal"

    @property
    def resource_type(self) -> str:
        """The JSON:API type of an application of this kind."""
        return f"{self.value}-applications"

    @property
    def binti_type(self) -> str:
        """The ``type`` attribute Binti's applications carry: InitialApplication, …"""
        return f"{self.value.capitalize()}Application"


# The JSON:API type that names an application of either kind (in relationships and updates).
ANY_APPLICATION_TYPE = "applications"
APPLICATION_TYPES = {kind.resource_type: kind for kind in ApplicationKind}


class ApplicationStatus(StrEnum):
    """An application's status: Binti's twelve values, as stored and answered."""

    APPLYING = "applying"
    APPROVED = "approved"
    AWAITING_REFERRAL = "awaiting_referral"
    CLOSED = "closed"
    DENIED = "denied"
    IN_ADOPTION_PROCESS = "in_adoption_process"
    INACTIVE = "inactive"
    ELIGIBLE_FOR_CONVERSION = "eligible_for_conversion"
    RECRUITING_DROPOUT = "recruiting_dropout"
    RECRUITING = "recruiting"
    WITHDRAWN = "withdrawn"
    READY_FOR_REVIEW = "ready_for_review"


# The statuses applications had before they took Binti's, each to the one it became (migration
# 0006 maps stored rows so). Only `pending` (submitted, awaiting the agency's decision) changed.
EARLIER_STATUSES = {
    "applying": ApplicationStatus.APPLYING,
    "pending": ApplicationStatus.READY_FOR_REVIEW,
    "approved": ApplicationStatus.APPROVED,
    "denied": ApplicationStatus.DENIED,
    "withdrawn": ApplicationStatus.WITHDRAWN,
    "closed": ApplicationStatus.CLOSED,
}


class ProfileRole(StrEnum):
    """What a person is on an application (a user agency profile's role): Binti's five."""

    APPLICANT = "applicant"
    CHILD_IN_HOME = "child_in_home"
    CO_APPLICANT = "co_applicant"
    OTHER_ADULT_IN_HOME = "other_adult_in_home"
    REFERENCE_USER = "reference_user"


PROFILES_TYPE = "user-agency-profiles"


# Binti's reason codes for an application's current status, as its dropdown spells them.
STATUS_REASONS = (
    "Caregiver chose to withdraw themselves",
    "Minor was placed or seems like will be placed with another applicant",
    "Reunification with parent(s)",
    "Placement moved to permanency",
    "Caregiver withdrew due to complaints/delays with the process",
    "Caregiver withdrew because of criminal background",
    "Life circumstance change",
    "Buildings and Grounds standards not met",
    "Non-exemptible conviction",
    "Inimical/hostile/unfriendly conduct during process",
    "Binti application created in error",
    "Not enough capacity",
    "Not ready yet",
    "Not located in county",
    "No longer interested",
    "Unresponsive",
    "Specific child no longer needs placement",
    "Adoption/Permanency finalized",
    "Change in family dynamic/structure",
    "Dissatisfied with agency support",
    "Financial reasons",
    "Health reasons",
    "Approval revoked",
    "Moved",
    "Negative parenting experience",
    "Retiring",
    "Specific child left",
    "Unwilling to comply with regulations",
    "Surrendered",
    "Rescinded",
    "Declined conversion",
    "Caregiver was uncooperative/non-responsive",
    "Referred/Applying with another agency",
    "Adoption",
    "Ineligible",
    "Legal Guardianship",
    "Not interested",
    "Binti application created in error / duplicate",
    "Provider was uncooperative/non-reponsive (application ceased)",
    "Leadership did not pass background checks",
    "Provider chose to withdraw themselves",
    "Provider was uncooperative/non-responsive (application ceased)",
    "Provider withdrew because of leadership challenges",
    "Provider withdrew due to complaints/delays with the process",
    "Other",
)


# Application case types (Binti's ``case_type``: whether an agency's application is one of
# dependency or of probation).
CASE_TYPES = ("dependency", "probation")
# The states and territories a relative or friend of the child may be from, in Binti's order
# (its ``how_did_you_hear_about_us`` values name each: ``…out_of_state.ca``).
_OTHER_STATES = (
    "ak",
    "al",
    "ar",
    "as",
    "az",
    "ca",
    "co",
    "ct",
    "de",
    "fl",
    "ga",
    "gu",
    "hi",
    "ia",
    "id",
    "il",
    "in",
    "ks",
    "ky",
    "la",
    "ma",
    "md",
    "me",
    "mi",
    "mn",
    "mo",
    "mp",
    "ms",
    "mt",
    "nc",
    "nd",
    "ne",
    "nh",
    "nj",
    "nm",
    "nv",
    "ny",
    "oh",
    "ok",
    "or",
    "pa",
    "pr",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "um",
    "ut",
    "va",
    "vi",
    "vt",
    "wa",
    "dc",
    "wi",
    "wv",
    "wy",
    "aa",
    "ae",
    "ap",
)
# How the applicant heard about the agency (Binti's ``how_did_you_hear_about_us``), in Binti's
# order; those in HEARD_ABOUT_US_EXPLAINED need their details written out.
HEARD_ABOUT_US = (
    "advertisement.bus_ad",
    "advertisement.bus_stop_or_shelter_ad",
    "advertisement.billboard",
    "advertisement.mail_advertisement_or_brochure",
    "advertisement.online_advertisement",
    "advertisement.television",
    "advertisement.radio_am_fm",
    "advertisement.radio_internet_radio",
    "event.agency_hosted_event",
    "event.school_activity_or_event",
    "internet_search",
    "relative_or_friend_of_child.in_state",
    *(f"relative_or_friend_of_child.out_of_state.{state}" for state in _OTHER_STATES),
    "social_media.facebook",
    "social_media.instagram",
    "social_media.linked_in",
    "social_media.twitter",
    "social_media.other",
    "transferred_from_another_agency",
    "word_of_mouth.church_or_faith_based_organization",
    "word_of_mouth.referred_by_another_foster_parent",
    "word_of_mouth.agency_recruiter",
    "word_of_mouth.other",
    "other",
    "not_sure",
)
HEARD_ABOUT_US_EXPLAINED = ("transferred_from_another_agency", "other")

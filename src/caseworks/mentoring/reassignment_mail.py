"""The message a mentor gets when a contact is reassigned to them.

It names the contact (name and id), the new assignment and the reason given, and nothing more
about the contact: no e-mail address, no phone, no notes. Mail leaves the system and may be read
on any device; what the mentor needs beyond this they read in the application, where access is
checked.
"""

from __future__ import annotations

from caseworks.core.text import one_line
from caseworks.db import Row
from caseworks.notify.outbox import Email


def reassignment_email(mentor: Row, opened: Row, reason: str) -> Email:
    """The message for ``mentor`` (its row, with an ``email``) about ``opened``, the successor
    assignment (its summary row)."""
    # Names are refused with control characters at the edge, but older rows may still hold
    # them; one_line keeps a line break from forging a header or a line of the body. The reason
    # is free text: it is made one line for the same cause.
    contact = one_line(opened["contact_name"]) or opened["contact_id"]
    return Email(
        recipient=mentor["email"],
        subject=f"New mentoring assignment: {contact}",
        body=(
            f"Hello {one_line(mentor['name'])},\n\n"
            f"The contact {contact} ({opened['contact_id']}) has been reassigned to you.\n"
            f"Assignment: {opened['assignment_id']}\n"
            f"Reason: {one_line(reason)}\n"
        ),
    )

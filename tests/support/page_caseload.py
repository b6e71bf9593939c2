"""An agency's small caseload for the assignment pages' tests, made through the API."""

from __future__ import annotations

import httpx

from tests.support.mentoring import create_assignment, create_contact, create_mentor


class Caseload:
    """Two mentors; the first with two open assignments (one with notes), the second with one."""

    def __init__(self, mentor_id: str, other_mentor_id: str, assignments: list[str]) -> None:
        self.mentor_id = mentor_id
        self.other_mentor_id = other_mentor_id
        self.assignments = assignments

    @property
    def first(self) -> str:
        return self.assignments[0]


async def make_caseload(api: httpx.AsyncClient) -> Caseload:
    mentor = await create_mentor(api, name="Kari Nordmann", max_open_assignments=2)
    other = await create_mentor(api, name="Ola Hansen")
    made = []
    for name, mentor_id, notes in [
        ("Per <Olsen>", mentor["mentor_id"], "First line.\n<b>Second</b> line."),
        ("Liv Svendsen", mentor["mentor_id"], None),
        ("Nils Berg", other["mentor_id"], None),
    ]:
        contact = await create_contact(api, name=name)
        fields = {"notes": notes} if notes else {}
        assignment = await create_assignment(api, mentor_id, contact["contact_id"], **fields)
        made.append(assignment["assignment_id"])
    return Caseload(mentor["mentor_id"], other["mentor_id"], made)

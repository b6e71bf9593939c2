"""Member names: kebab-case on the wire (``first-name``), snake_case in Python and SQL."""

from __future__ import annotations


def member_name(field: str) -> str:
    """The wire name of a field: ``first_name`` → ``first-name``."""
    return field.replace("_", "-")


def field_name(member: str) -> str:
    """The field a wire name stands for, from either spelling: ``first-name`` → ``first_name``."""
    return member.replace("-", "_")

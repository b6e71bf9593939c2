"""Each record's attributes are listed once, in its create model; everything else takes them from
there: the queries' columns, the resource objects, the OpenAPI schemas and the update models.

So adding an attribute to a child is a column (db/schema.py and a migration), a field on
ChildCreate, and tests: these tests fail if any other module of the package lists them.
"""

from __future__ import annotations

import io
import re
import tokenize
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import caseworks
from caseworks.childwelfare import childwelfare_queries as queries
from caseworks.childwelfare.childwelfare_models import (
    DERIVED_MODELS,
    RECORD_MODELS,
    SHOWN_MODELS,
    UPDATE_MODELS,
    ChildCreate,
    updating,
)
from caseworks.core.text import Name
from caseworks.db.schema import metadata
from caseworks.mentoring.mentoring_models import (
    Contact,
    Mentor,
    MentorFields,
    MentorUpdate,
    PersonCreate,
    PersonUpdate,
)
from caseworks.web.jsonapi import childwelfare_resources as render
from caseworks.web.jsonapi.childwelfare_openapi import (
    RECORD_RESOURCES,
    answered_attributes,
    attributes_schema,
)
from caseworks.web.jsonapi.names import member_name

TIMES = {"created-at", "updated-at"}
PACKAGE = Path(caseworks.__file__).parent


class ChildWithLanguage(ChildCreate):
    primary_language: Name | None = None  # one of Binti's attributes that we do not keep


def _members(model: type[Any] | None) -> set[str]:
    return {member_name(name) for name in model.model_fields} if model else set()


# Columns that are no attribute: an application's kind is its type, and the records a row
# points at are its relationships.
NOT_ATTRIBUTES = {"kind", "applicant_profile_id", "application_id"}


@pytest.mark.parametrize("table", list(RECORD_MODELS))
def test_every_attribute_is_a_column_shown_documented_and_updatable(table: str) -> None:
    model, derived = RECORD_MODELS[table], DERIVED_MODELS.get(table)
    fields = set(model.model_fields)
    read_only = set(derived.model_fields) if derived else set()
    columns = fields - set(model.held_apart)  # those held apart have a table of their own
    assert columns | read_only <= set(queries.RESOURCES[table])
    assert set(queries.RESOURCES[table]) - columns - read_only <= NOT_ATTRIBUTES
    assert set(queries.RESOURCES[table]) <= set(metadata.tables[table].columns.keys())

    row: dict[str, Any] = dict.fromkeys(("id", *queries.RESOURCES[table], *model.held_apart))
    row |= {"created_at": datetime.now(UTC), "updated_at": datetime.now(UTC), "kind": "initial"}
    row["managers_of_supervisors"] = []  # read with the supervisors
    computed = SHOWN_MODELS.get(table)  # computed from the row: no column, never written
    assert not computed or not set(computed.model_fields) & set(metadata.tables[table].columns)
    shown = _members(model) | _members(derived) | _members(computed) | TIMES
    assert set(render.attributes(table, row)) == shown

    answered = RECORD_RESOURCES[table]["properties"]["attributes"]
    assert set(answered["properties"]) == shown
    assert set(answered["required"]) == shown
    assert set(attributes_schema(model)["properties"]) == _members(model)  # what clients write

    assert set(UPDATE_MODELS[table].model_fields) == fields


def test_a_new_attribute_reaches_the_update_model_and_every_schema() -> None:
    update = updating(ChildWithLanguage)
    assert update.model_validate({"primary_language": None}).model_fields_set == {
        "primary_language"
    }
    assert "primary_language" not in update.never_null
    assert "last_name" in update.never_null
    assert answered_attributes(ChildWithLanguage)["primary-language"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    assert "primary-language" in attributes_schema(update)["properties"]
    assert "primary-language" in attributes_schema(ChildWithLanguage)["properties"]


def test_an_update_model_keeps_each_fields_checks() -> None:
    update = UPDATE_MODELS["agency_workers"]
    assert update.model_validate({"assignable_roles": ["case-carrying"]}).model_dump(
        exclude_unset=True
    ) == {"assignable_roles": ["case_carrying"]}
    schema = attributes_schema(update)["properties"]["email"]
    assert {"type": "string", "format": "email", "maxLength": 254} in schema["anyOf"]
    assert update.never_null == ("name", "email", "active", "assignable_roles", "supervisors")


def test_a_persons_fields_come_from_its_create_model() -> None:
    fields = tuple(PersonCreate.model_fields)
    mentor_fields = tuple(MentorFields.model_fields)
    assert mentor_fields == (*fields, "max_open_assignments")
    assert tuple(PersonUpdate.model_fields) == fields
    assert tuple(MentorUpdate.model_fields) == mentor_fields
    assert tuple(Mentor.model_fields) == ("mentor_id", *mentor_fields, "created_at", "updated_at")
    assert tuple(Contact.model_fields) == ("contact_id", *fields, "created_at", "updated_at")
    assert set(mentor_fields) <= set(metadata.tables["mentors"].columns.keys())
    assert set(fields) <= set(metadata.tables["contacts"].columns.keys())


# Attributes no rule of the service uses: only their model (and the schema, the migrations and
# the demo's data) may name them.
_UNRULED = (
    "date_of_birth",
    "client_id",
    "external_identifier",
    "external_group_id",
    "nickname",
    "gender",
    "phone",
)
_MAY_NAME_THEM = {
    "childwelfare/childwelfare_models.py",
    "mentoring/mentoring_models.py",
    "db/schema.py",
    "demo.py",
    # The caseworker's start page shows a child's date of birth and the age it gives: a page
    # that shows one attribute on purpose names it (the rest of the record reaches no page).
    "console/caseworker_children.py",
}


def _code_words(source: str) -> list[str]:
    """The names and the words of string literals in ``source``: not comments, not docstrings
    (a string that is a statement of its own)."""
    words: list[str] = []
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME:
            words.append(token.string)
        elif token.type in _TEXT and previous not in _STATEMENT_START:
            words += re.findall(r"[\w-]+", token.string)
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return words


_STATEMENT_START = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
# From Python 3.12 the text of an f-string is a token of its own.
_TEXT = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def test_no_other_module_lists_a_records_attributes() -> None:
    spellings = {name for field in _UNRULED for name in (field, member_name(field))}
    listed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in _MAY_NAME_THEM or relative.startswith("migrations/"):
            continue
        words = _code_words(path.read_text())
        listed += [f"{relative}: {word}" for word in words if word in spellings]
    assert listed == []

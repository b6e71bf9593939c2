"""Children: Binti's attributes, the identifier filters, sorting by several fields, and the
Binti-compatible create body ``{"child": {...}}``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.childwelfare import JSONAPI, child, child_assignment, jsonapi_client, worker
from tests.support.tenants import Tenant

CHILDREN = "/api/v1/children"


async def listed(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(CHILDREN, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def total(client: httpx.AsyncClient) -> int:
    count: int = (await client.get(CHILDREN)).json()["meta"]["total-records"]
    return count


# --- attributes ---------------------------------------------------------------------------------


async def test_suffix_nickname_gender_and_group_are_created_shown_and_patched(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id = await child(
        jsonapi,
        **{
            "suffix": "Jr",
            "nickname": "Olly",
            "gender": "Non-binary",
            "external-group-id": "98765",
        },
    )
    shown = (await jsonapi.get(f"{CHILDREN}/{child_id}")).json()["data"]["attributes"]
    assert {
        name: shown[name] for name in ("suffix", "nickname", "gender", "external-group-id")
    } == {
        "suffix": "Jr",
        "nickname": "Olly",
        "gender": "Non-binary",
        "external-group-id": "98765",
    }
    patched = await jsonapi.patch(
        f"{CHILDREN}/{child_id}",
        json={
            "data": {
                "type": "children",
                "id": child_id,
                "attributes": {"gender": "Prefer not to answer", "nickname": None},
            }
        },
    )
    assert patched.status_code == 200, patched.text
    after = (await jsonapi.get(f"{CHILDREN}/{child_id}")).json()["data"]["attributes"]
    assert after["gender"] == "Prefer not to answer"
    assert after["nickname"] is None
    assert after["suffix"] == "Jr"
    assert after["external-group-id"] == "98765"


async def test_a_child_made_without_them_shows_them_as_null(jsonapi: httpx.AsyncClient) -> None:
    child_id = await child(jsonapi)
    shown = (await jsonapi.get(f"{CHILDREN}/{child_id}")).json()["data"]["attributes"]
    assert [shown[name] for name in ("suffix", "nickname", "gender", "external-group-id")] == [
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("gender", ["male", "Boy", "", "Have not asked child"])
async def test_gender_is_one_of_binti_s_values(jsonapi: httpx.AsyncClient, gender: str) -> None:
    response = await jsonapi.post(
        CHILDREN,
        json={"data": {"type": "children", "attributes": {"last-name": "N", "gender": gender}}},
    )
    assert response.status_code == 422
    assert [e["source"] for e in response.json()["errors"]] == [
        {"pointer": "/data/attributes/gender"}
    ]
    assert await total(jsonapi) == 0


# --- filters ------------------------------------------------------------------------------------

IDENTIFIERS = [
    ("client_id", "client-id"),
    ("external_identifier", "external-identifier"),
    ("external_group_id", "external-group-id"),
]


@pytest.mark.parametrize(("parameter", "attribute"), IDENTIFIERS)
@pytest.mark.parametrize("spelled", ["{}", "filter[{}]"])
async def test_an_identifier_filter_returns_only_the_children_holding_it(
    jsonapi: httpx.AsyncClient, parameter: str, attribute: str, spelled: str
) -> None:
    wanted = await child(jsonapi, **{attribute: "C-20"})
    await child(jsonapi, **{attribute: "C-21"})
    await child(jsonapi, **{attribute: "c-20"})  # exact: not in another case
    await child(jsonapi, **{attribute: "C-200"})  # exact: not a prefix
    await child(jsonapi)
    name = spelled.format(parameter)
    assert await listed(jsonapi, **{name: "C-20"}) == [wanted]
    assert await listed(jsonapi, **{name: "C-2"}) == []
    assert await listed(jsonapi, **{name: ""}) == []  # an empty value is a value, not "any"


async def test_one_group_id_finds_every_child_of_the_group(jsonapi: httpx.AsyncClient) -> None:
    siblings = [await child(jsonapi, **{"external-group-id": "98765"}) for _ in range(3)]
    await child(jsonapi, **{"external-group-id": "12345"})
    assert sorted(await listed(jsonapi, external_group_id="98765")) == sorted(siblings)


async def test_filters_combine(jsonapi: httpx.AsyncClient) -> None:
    ola = await child(jsonapi, **{"first-name": "Ola", "external-group-id": "G1"})
    await child(jsonapi, **{"first-name": "Kari", "external-group-id": "G1"})
    await child(jsonapi, **{"first-name": "Ola", "external-group-id": "G2"})
    found = await listed(jsonapi, external_group_id="G1", full_name_contains="ola")
    assert found == [ola]


async def test_a_caseworker_finds_by_client_id_only_a_child_it_is_assigned_to(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    worker_id = await worker(jsonapi)
    mine = await child(jsonapi, **{"client-id": "mine"})
    await child(jsonapi, **{"client-id": "theirs"})
    assigned = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(mine, worker_id)
    )
    assert assigned.status_code == 201, assigned.text
    token = await tenant.token(Role.CASEWORKER, worker_id=worker_id)
    async with jsonapi_client(tenant, token) as caseworker:
        assert await listed(caseworker, client_id="mine") == [mine]
        assert await listed(caseworker, client_id="theirs") == []


# --- sorting ------------------------------------------------------------------------------------


@pytest.fixture
async def family(jsonapi: httpx.AsyncClient) -> dict[str, str]:
    people = {
        "anna": {"first-name": "Anna", "last-name": "Berg", "date-of-birth": "2015-01-01"},
        "bo": {"first-name": "Bo", "last-name": "Berg", "date-of-birth": "2012-01-01"},
        "bo_young": {"first-name": "Bo", "last-name": "Berg", "date-of-birth": "2019-01-01"},
        "undated": {"first-name": "Cato", "last-name": "Aas"},
        "nameless": {"last-name": "Dahl", "date-of-birth": "2010-01-01", "suffix": "Jr"},
    }
    return {key: await child(jsonapi, **attributes) for key, attributes in people.items()}


async def _order(client: httpx.AsyncClient, family: dict[str, str], sort: str) -> list[str]:
    by_id = {child_id: key for key, child_id in family.items()}
    return [by_id[child_id] for child_id in await listed(client, sort=sort)]


async def test_several_sort_fields_apply_in_turn(
    jsonapi: httpx.AsyncClient, family: dict[str, str]
) -> None:
    order = await _order(jsonapi, family, "last_name,first_name,-date_of_birth")
    assert order == ["undated", "anna", "bo_young", "bo", "nameless"]
    assert await _order(jsonapi, family, "-last_name,first_name,date_of_birth") == [
        "nameless",
        "anna",
        "bo",
        "bo_young",
        "undated",
    ]


async def test_nulls_come_last_ascending_and_first_descending(
    jsonapi: httpx.AsyncClient, family: dict[str, str]
) -> None:
    assert await _order(jsonapi, family, "date_of_birth") == [
        "nameless",
        "bo",
        "anna",
        "bo_young",
        "undated",
    ]
    assert await _order(jsonapi, family, "-date_of_birth") == [
        "undated",
        "bo_young",
        "anna",
        "bo",
        "nameless",
    ]
    ascending = await _order(jsonapi, family, "first_name")
    assert ascending[-1] == "nameless"
    assert (await _order(jsonapi, family, "-first_name"))[0] == "nameless"
    assert (await _order(jsonapi, family, "-suffix"))[-1] == "nameless"


async def test_ties_are_broken_by_id_so_pages_do_not_overlap(jsonapi: httpx.AsyncClient) -> None:
    ids = [await child(jsonapi, **{"last-name": "Same"}) for _ in range(5)]
    pages = [
        await listed(jsonapi, sort="last_name", **{"page[size]": "2", "page[number]": str(n)})
        for n in (1, 2, 3)
    ]
    assert [child_id for page in pages for child_id in page] == sorted(ids)
    assert await listed(jsonapi, sort="-last_name") == sorted(ids, reverse=True)


@pytest.mark.parametrize(
    "sort", ["created_at", "-created_at", "updated_at", "-updated_at", "middle_name", "-suffix"]
)
async def test_every_listed_sort_is_taken(jsonapi: httpx.AsyncClient, sort: str) -> None:
    await child(jsonapi)
    assert len(await listed(jsonapi, sort=sort)) == 1


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"sort": "updated_by"}, "sort"),  # Binti lists it; we keep no such field
        ({"sort": "last_name,-last_name"}, "sort"),
        ({"sort": "last_name,last_name"}, "sort"),
        ({"sort": "last_name,"}, "sort"),
        ({"sort": "last_name, first_name"}, "sort"),
        ({"sort": "ssn"}, "sort"),
        ({"client_id": "x" * 256}, "client_id"),
        ({"filter[external_group_id]": "x" * 256}, "filter[external_group_id]"),
        ({"external_identifier": "a\x00b"}, "external_identifier"),
        ({"full_name_contains": "x" * 201}, "full_name_contains"),
        ({"client_id": "1", "filter[client_id]": "1"}, "filter[client_id]"),
        ({"gender": "Female"}, "gender"),  # an attribute, not a filter
    ],
)
async def test_a_bad_sort_or_filter_is_400_naming_it(
    jsonapi: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    response = await jsonapi.get(CHILDREN, params=params)
    assert response.status_code == 400, response.text
    assert [e["source"] for e in response.json()["errors"]] == [{"parameter": parameter}]


async def test_a_too_long_identifier_is_refused_in_a_body_too(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post(
        CHILDREN,
        json={
            "data": {"type": "children", "attributes": {"last-name": "N", "client-id": "x" * 256}}
        },
    )
    assert response.status_code == 422
    assert [e["source"] for e in response.json()["errors"]] == [
        {"pointer": "/data/attributes/client-id"}
    ]
    assert await total(jsonapi) == 0


# --- the Binti-compatible body ------------------------------------------------------------------


async def test_a_child_is_created_from_binti_s_body(jsonapi: httpx.AsyncClient) -> None:
    body = {
        "child": {
            "first_name": "Jack",
            "middle_name": "Kohler",
            "last_name": "Mil",
            "suffix": "JD",
            "date_of_birth": "2023-10-17",
            "gender": "Male",
            "client_id": "20",
            "external_group_id": "98765",
            "nickname": None,
        }
    }
    response = await jsonapi.post(CHILDREN, json=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    resource = response.json()["data"]
    assert resource["type"] == "children"
    assert response.headers["location"] == f"{CHILDREN}/{resource['id']}"
    attributes = resource["attributes"]
    assert attributes == {
        "first-name": "Jack",
        "middle-name": "Kohler",
        "last-name": "Mil",
        "suffix": "JD",
        "nickname": None,
        "date-of-birth": "2023-10-17",
        "gender": "Male",
        "client-id": "20",
        "external-identifier": None,
        "external-group-id": "98765",
        "created-at": attributes["created-at"],
        "updated-at": attributes["updated-at"],
    }
    assert (await jsonapi.get(f"{CHILDREN}/{resource['id']}")).json() == {"data": resource}


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({"child": {"last_name": "N", "ssn": "123"}}, ["/child/ssn"]),
        ({"child": {"last_name": "N", "sad_muffin": 1}}, ["/child/sad_muffin"]),
        ({"child": {"first_name": "Jack"}}, ["/child/last_name"]),
        ({"child": {"last_name": "N", "gender": "boy"}}, ["/child/gender"]),
        (
            {"child": {"last_name": "N", "date_of_birth": "2023-10-17T00:00:00Z"}},
            ["/child/date_of_birth"],
        ),
        ({"child": {"last_name": "N"}, "tz": "utc"}, ["/tz"]),
        ({"child": "Jack"}, ["/child"]),
        ({"child": None}, ["/child"]),
        (
            {"child": {"last_name": "N"}, "data": {"type": "children", "attributes": {}}},
            ["/data"],
        ),
    ],
)
async def test_a_bad_binti_body_is_422_pointing_into_it_and_writes_nothing(
    jsonapi: httpx.AsyncClient, body: dict[str, Any], pointers: list[str]
) -> None:
    response = await jsonapi.post(CHILDREN, json=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert sorted(e["source"]["pointer"] for e in response.json()["errors"]) == pointers
    assert await total(jsonapi) == 0


async def test_a_binti_body_names_an_attribute_once(jsonapi: httpx.AsyncClient) -> None:
    response = await jsonapi.post(
        CHILDREN, json={"child": {"last_name": "N", "last-name": "M"}}, headers={"Accept": JSONAPI}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"pointer": "/child/last-name"}
    assert await total(jsonapi) == 0

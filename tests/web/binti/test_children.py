"""Children, called as Binti's published document describes them: its parameter names
(``client_id``, ``external_group_id``, ``full_name_contains``, ``sort``, ``page[…]``), its create
body ``{"child": {...}}`` with snake_case attributes, and its answers (201 with ``data``, the
attributes in kebab-case, a paginated collection with ``links`` and ``meta``)."""

from __future__ import annotations

from typing import Any

import httpx

CHILDREN = "/api/v1/children"
# Binti's example children (the list's and the create's), as far as we keep their attributes.
JACK = {
    "first_name": "Jack",
    "middle_name": "Kohler",
    "last_name": "Mil",
    "suffix": "JD",
    "date_of_birth": "2023-10-17",
    "gender": "Male",
    "client_id": "20",
    "external_group_id": "98765",
}
JILL = {
    "first_name": "Jill",
    "middle_name": "Funk",
    "last_name": "Hill",
    "suffix": "CPA",
    "date_of_birth": "2021-07-23",
    "gender": "Not listed above",
}
JACK_JONES = {
    "first_name": "Jack",
    "middle_name": "Jerry",
    "last_name": "Jones",
    "suffix": "Jr",
    "date_of_birth": "2011-03-27",
    "gender": "Non-binary",
    "external_group_id": "98765",
}
BOBBY = {"first_name": "Bobby", "last_name": "McGee"}  # the create example: the names alone


async def create(binti: httpx.AsyncClient, child: dict[str, Any]) -> dict[str, Any]:
    response = await binti.post(CHILDREN, json={"child": child})
    assert response.status_code == 201, response.text
    resource: dict[str, Any] = response.json()["data"]
    return resource


async def ids(binti: httpx.AsyncClient, **params: str) -> list[str]:
    response = await binti.get(CHILDREN, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def test_create_answers_with_the_child_as_binti_shows_it(binti: httpx.AsyncClient) -> None:
    resource = await create(binti, JACK)
    assert resource["type"] == "children"
    assert isinstance(resource["id"], str)
    attributes = resource["attributes"]
    for name, value in JACK.items():
        assert attributes[name.replace("_", "-")] == value
    assert attributes["nickname"] is None
    assert {"created-at", "updated-at"} <= set(attributes)

    bobby = (await create(binti, BOBBY))["attributes"]
    assert (bobby["first-name"], bobby["last-name"]) == ("Bobby", "McGee")
    assert [bobby[name] for name in ("middle-name", "suffix", "date-of-birth", "gender")] == [
        None,
        None,
        None,
        None,
    ]


async def test_show_answers_with_data(binti: httpx.AsyncClient) -> None:
    made = await create(binti, JILL)
    response = await binti.get(f"{CHILDREN}/{made['id']}")
    assert response.status_code == 200
    assert response.json() == {"data": made}


async def test_a_child_is_found_by_its_client_id_alone(binti: httpx.AsyncClient) -> None:
    jack = await create(binti, JACK)
    await create(binti, JILL)
    await create(binti, {**JACK_JONES, "client_id": "21"})
    assert await ids(binti, client_id="20") == [jack["id"]]
    assert await ids(binti, client_id="2") == []


async def test_the_children_of_an_external_group(binti: httpx.AsyncClient) -> None:
    jack = await create(binti, JACK)
    await create(binti, JILL)
    jones = await create(binti, JACK_JONES)
    found = await ids(binti, external_group_id="98765", sort="-date_of_birth")
    assert found == [jack["id"], jones["id"]]


async def test_a_name_search_and_binti_s_sort_values(binti: httpx.AsyncClient) -> None:
    jack, jill, jones = [await create(binti, child) for child in (JACK, JILL, JACK_JONES)]
    assert await ids(binti, full_name_contains="jack", sort="last_name") == [
        jones["id"],
        jack["id"],
    ]
    by_birth = [jones["id"], jill["id"], jack["id"]]
    assert await ids(binti, sort="date_of_birth") == by_birth
    assert await ids(binti, sort="-date_of_birth") == by_birth[::-1]
    assert await ids(binti, sort="first_name,-last_name") == [jack["id"], jones["id"], jill["id"]]
    for sort in ("created_at", "-updated_at", "middle_name", "-suffix"):
        assert len(await ids(binti, sort=sort)) == 3


async def test_pages_as_binti_documents_them(binti: httpx.AsyncClient) -> None:
    for child in (JACK, JILL, JACK_JONES):
        await create(binti, child)
    response = await binti.get(CHILDREN, params={"page[size]": "2", "page[number]": "2"})
    document = response.json()
    assert len(document["data"]) == 1
    assert set(document["links"]) == {"self", "first", "prev", "next", "last"}
    assert document["links"]["next"] is None
    assert {
        key: document["meta"][key]
        for key in ("total-records", "page-size", "page-number", "total-pages")
    } == {"total-records": 3, "page-size": 2, "page-number": 2, "total-pages": 2}


async def test_an_unacceptable_parameter_is_422_with_its_pointer(binti: httpx.AsyncClient) -> None:
    response = await binti.post(CHILDREN, json={"child": {**BOBBY, "sad_muffin": "yes"}})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"] for error in errors] == [{"pointer": "/child/sad_muffin"}]
    assert errors[0]["detail"]
    listed = await binti.get(CHILDREN)
    assert listed.json()["meta"]["total-records"] == 0


async def test_a_sort_binti_lists_but_we_do_not_keep_is_400(binti: httpx.AsyncClient) -> None:
    response = await binti.get(CHILDREN, params={"sort": "-updated_by"})
    assert response.status_code == 400
    assert [error["source"] for error in response.json()["errors"]] == [{"parameter": "sort"}]


async def test_put_takes_binti_s_body_and_leaves_the_keys_left_out(
    binti: httpx.AsyncClient,
) -> None:
    jack = await create(binti, JACK)
    url = f"{CHILDREN}/{jack['id']}"
    response = await binti.put(url, json={"child": {"first_name": "Jackie", "suffix": None}})
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert (attributes["first-name"], attributes["suffix"]) == ("Jackie", None)
    assert (attributes["last-name"], attributes["client-id"]) == ("Mil", "20")
    assert (await binti.get(url)).json()["data"]["attributes"] == attributes


async def test_put_with_a_member_beside_the_child_is_422_and_changes_nothing(
    binti: httpx.AsyncClient,
) -> None:
    jack = await create(binti, JACK)
    url = f"{CHILDREN}/{jack['id']}"
    response = await binti.put(url, json={"child": {"first_name": "Jackie"}, "id": jack["id"]})
    assert response.status_code == 422
    assert [error["source"] for error in response.json()["errors"]] == [{"pointer": "/id"}]
    assert (await binti.get(url)).json()["data"] == jack

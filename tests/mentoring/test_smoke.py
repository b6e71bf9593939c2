import httpx


async def test_demo_shapes(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/assignments")
    assert response.status_code == 200
    assert response.json() == {"data": [], "pagination": {"page": 1, "limit": 20, "total": 0}}

"""Defects schemathesis found in the sandbox app: integer overflow, empty bodies, 405s."""

from __future__ import annotations

import httpx

from rampctl.sandbox.embedded import RunningSandbox


def test_huge_amount_filters_answer_an_empty_or_full_page(api: httpx.Client) -> None:
    above = api.get("/bills", params={"min_amount": "1e17"})
    assert above.status_code == 200, above.text
    assert above.json()["data"] == []
    below = api.get("/bills", params={"max_amount": "1e20"})
    assert below.status_code == 200, below.text
    assert below.json()["data"] != []


def test_patch_without_a_body_is_a_422(api: httpx.Client) -> None:
    [vendor] = api.get("/vendors", params={"page_size": 2}).json()["data"][:1]
    for path in (f"/vendors/{vendor['id']}", "/vendors"):
        method = "PATCH" if path != "/vendors" else "POST"
        response = api.request(method, path)
        assert response.status_code == 422, (method, path, response.text)
        assert response.json()["error_v2"]["error_code"] == "DEVELOPER_7001"
        assert "A request body is required." in response.text
    assert api.patch(f"/vendors/{vendor['id']}", json={}).status_code == 200


def test_405_answers_name_the_allowed_methods(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = api.put("/vendors")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    one = api.put("/vendors/anything")
    assert one.status_code == 405
    assert set(one.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}

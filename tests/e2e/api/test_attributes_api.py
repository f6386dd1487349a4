"""Custom attributes through the API: managers define them, choices may hold commas."""

from tests.e2e.api.conftest import assert_error_shape


def test_attributes_through_the_api(client, bearer, manager, csm):
    body = {"key": "fit", "data_type": "choice", "choices": ["Good, strong", "Weak"]}
    created = client.post("/api/v1/attributes", json=body, headers=bearer(manager))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["choices"] == ["Good, strong", "Weak"]
    listed = client.get("/api/v1/attributes", headers=bearer(csm)).get_json()
    assert [a["key"] for a in listed] == ["fit"]
    assert_error_shape(
        client.post("/api/v1/attributes", json=body | {"key": "x"}, headers=bearer(csm)), 403
    )
    refused = assert_error_shape(
        client.post(
            "/api/v1/attributes", json={"key": "Bad Key", "data_type": "text"},
            headers=bearer(manager),
        ),
        422,
    )  # fmt: skip
    assert "key" in refused["errors"]

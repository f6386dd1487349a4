"""The API's account list carries the current tiers and filters by one, as the web list does."""

from tests.e2e.test_account_list_tiers import scheme_id
from tests.e2e.test_account_list_tiers import tiered_book as tiered_book  # the fixture


def test_the_api_list_carries_tiers_and_filters_by_tier(client, bearer, manager, tiered_book):
    value = scheme_id("value_tiers")
    response = client.get(
        f"/api/v1/accounts?tier_scheme={value}&tier=Strategic&sort=arr&descending=true",
        headers=bearer(manager),
    )
    assert response.status_code == 200
    listed = response.get_json()
    assert [a["name"] for a in listed] == ["Huge", "Big"]
    assert listed[0]["tiers"]["value_tiers"] == "Strategic"
    assert listed[0]["tiers"]["region"] == "NA"
    assert "coverage_model" in listed[0]

import pytest


@pytest.mark.django_db
def test_partner_lists_only_its_cohorts(world):
    response = world.client("command_a").get("/api/v1/cohorts/")
    assert response.status_code == 200, response.content
    assert [c["reference"] for c in response.json()["results"]] == ["C-A"]

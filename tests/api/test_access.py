"""Who may do what: every endpoint needs a login; writes need the accountant role."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ItemFactory

READ_PATHS = [
    "/api/v1/inventory-setup/",
    "/api/v1/items/",
    "/api/v1/locations/",
    "/api/v1/item-ledger-entries/",
    "/api/v1/value-entries/",
    "/api/v1/item-application-entries/",
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_an_anonymous_client_is_refused(anonymous, path):
    assert anonymous.get(path).status_code in (401, 403)


def test_an_anonymous_client_cannot_post(anonymous):
    response = anonymous.post("/api/v1/item-journal/post/", {"lines": []}, format="json")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("path", READ_PATHS)
def test_a_viewer_reads_everything(viewer, path):
    assert viewer.get(path).status_code == 200


def test_a_viewer_cannot_post_or_change_master_data(viewer):
    ItemFactory(no="A")
    line = {
        "entry_type": "purchase",
        "item_no": "A",
        "posting_date": "2024-01-01",
        "quantity": "1",
        "unit_cost": "10",
    }
    assert (
        viewer.post("/api/v1/item-journal/post/", {"lines": [line]}, format="json").status_code
        == 403
    )
    assert viewer.post("/api/v1/items/", {"no": "B"}, format="json").status_code == 403
    assert (
        viewer.patch(
            "/api/v1/inventory-setup/", {"automatic_cost_posting": False}, format="json"
        ).status_code
        == 403
    )
    assert viewer.post("/api/v1/locations/", {"code": "X"}, format="json").status_code == 403


def test_a_user_without_a_role_reads_nothing():
    client = APIClient()
    client.force_authenticate(User.objects.create_user("nobody"))
    assert client.get("/api/v1/items/").status_code == 403


def test_a_token_authenticates_an_integration():
    user = User.objects.create_user("erp")
    user.groups.add(Group.objects.get(name="accountant"))
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/v1/locations/", {"code": "BLUE", "name": "Blue"}, format="json")
    assert response.status_code == 201
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/locations/").status_code == 401


def test_pages_send_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200


def test_a_signed_in_user_sees_the_home_page(client):
    User.objects.create_user("carol", password="secret-pw")
    assert client.login(username="carol", password="secret-pw")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Where things stand" in response.content


def test_the_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"accountant", "viewer"}


def test_the_openapi_schema_and_docs_are_served(viewer, client):
    response = viewer.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/item-journal/post/" in response.content
    User.objects.create_user("dora", password="secret-pw")
    client.login(username="dora", password="secret-pw")
    assert client.get("/api/docs/").status_code == 200

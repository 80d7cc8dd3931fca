import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _db_for_all(request):
    """Nearly every test touches the ledgers; the pure engine's tests (tests/engine) do not."""
    if "engine" not in request.node.path.parts:
        request.getfixturevalue("db")


def _client_for(username: str, role: str | None) -> APIClient:
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


@pytest.fixture
def accountant(db) -> APIClient:
    """An API client signed in with the accountant role (may post)."""
    return _client_for("alice", "accountant")


@pytest.fixture
def viewer(db) -> APIClient:
    """An API client signed in with the viewer role (read only)."""
    return _client_for("victor", "viewer")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()

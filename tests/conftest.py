import os

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

# CI (.ci/run sets CI) replays the same examples on every run, drawn from a hash of each test:
# a red CI then points at the change, not at the draw. Elsewhere each run draws new examples
# and keeps the failing ones in .hypothesis/ (COSTING_PROPERTY_EXAMPLES=500 for a long hunt).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(items):
    """Nearly every test touches the ledgers: give each one the test database, except the pure
    engine's (tests/engine). A marker, not a fixture requested at run time, so pytest-django
    always sets up the test database before anything connects."""
    for item in items:
        if "engine" not in item.path.parts and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


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

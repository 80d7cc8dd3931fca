"""Browser-session clients for the page tests (Django test client, session login)."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client


def page_client(username: str, role: str | None, **kwargs) -> Client:
    """A client signed in as a new user with the role (None: no role)."""
    user = User.objects.create_user(username=username, password="pw")
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def accountant_page(db) -> Client:
    return page_client("anna", "accountant")


@pytest.fixture
def viewer_page(db) -> Client:
    return page_client("vera", "viewer")

import pytest


@pytest.fixture(autouse=True)
def _db_for_all(db):
    """Nearly every test touches the ledgers; tests that must not can live in tests/engine."""

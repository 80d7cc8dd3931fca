"""Every worked example in ../shared/scenarios/ is replayed through the REST API."""

import pytest

from tests.scenarios.replay import SCENARIO_DIR, Replay, load, scenario_files


def test_the_worked_examples_are_there():
    assert scenario_files(), f"no scenario files found in {SCENARIO_DIR}"


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_scenario(path, accountant):
    Replay(accountant, load(path)).run()

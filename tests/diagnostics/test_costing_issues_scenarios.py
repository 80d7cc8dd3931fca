"""No false alarms: after each worked example of ../shared/scenarios/ is replayed through the
API (and adjusted), Costing Issues Detection reports no error."""

import pytest

from costing.services import cost_adjustment_run
from diagnostics.services.costing_issues import ERROR, costing_issues_detect
from tests.scenarios.replay import Replay, load, scenario_files


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_a_replayed_scenario_has_no_costing_issue(path, accountant):
    Replay(accountant, load(path)).run()
    report = costing_issues_detect()
    assert [f for r in report.results if r.check.severity == ERROR for f in r.findings] == []
    cost_adjustment_run()
    report = costing_issues_detect()
    assert [f for r in report.results if r.check.severity == ERROR for f in r.findings] == []

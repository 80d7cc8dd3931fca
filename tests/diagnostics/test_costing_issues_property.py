"""No false alarms on random ledgers: whatever the posting services write (purchases, sales,
transfers, invoices, item charges, returns, revaluations, with or without negative inventory),
Costing Issues Detection finds no error, before and after cost adjustment."""

from hypothesis import given
from hypothesis import strategies as st

from costing.services import cost_adjustment_run
from diagnostics.services.costing_issues import ERROR, costing_issues_detect
from tests.costing.strategies import play, scenarios
from tests.costing.test_properties import PROPERTY, rolled_back


def _errors() -> list:
    report = costing_issues_detect()
    return [
        (r.check.code, f.message)
        for r in report.results
        if r.check.severity == ERROR
        for f in r.findings
    ]


@PROPERTY
@given(scenario=scenarios(), automatic=st.sampled_from(["never", "always"]))
def test_a_ledger_written_by_the_services_has_no_costing_issue(scenario, automatic):
    with rolled_back():
        play(scenario, automatic=automatic)
        assert _errors() == []
        cost_adjustment_run()
        assert _errors() == []

"""What other apps do once a cost adjustment has run (diagnostics: the action messages).

`costing` knows nothing of them: they register here when Django starts (their AppConfig.ready).
Called after every run (manual, batch, scheduled) and after every automatic adjustment at
posting time, with what the run did per item (durations included).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from costing.services.adjustment import ItemResult


@dataclass(frozen=True)
class Adjusted:
    items: Sequence[ItemResult]
    automatic: bool  # at posting time (BC: an "online" adjustment)


AfterAdjustment = Callable[[Adjusted], None]
_after_adjustment: list[AfterAdjustment] = []


def register_after_adjustment(hook: AfterAdjustment) -> None:
    if hook not in _after_adjustment:
        _after_adjustment.append(hook)


def after_adjustment(adjusted: Adjusted) -> None:
    for hook in _after_adjustment:
        hook(adjusted)

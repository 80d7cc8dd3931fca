"""One rounding policy for money and unit costs (spec: ARCHITECTURE invariant 2).

Amounts are rounded to the amount precision, unit costs to the unit-amount precision, both half up,
as Business Central does. Code carries unrounded Decimals and rounds only when it writes an entry.
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

AMOUNT_PLACES = 2
UNIT_COST_PLACES = 5
QUANTITY_PLACES = 5
MAX_DIGITS = 20

ZERO = Decimal("0")
_AMOUNT_EXP = Decimal(1).scaleb(-AMOUNT_PLACES)
_UNIT_COST_EXP = Decimal(1).scaleb(-UNIT_COST_PLACES)


def q_amount(value: Decimal) -> Decimal:
    return value.quantize(_AMOUNT_EXP, rounding=ROUND_HALF_UP)


def q_unit_cost(value: Decimal) -> Decimal:
    return value.quantize(_UNIT_COST_EXP, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split a rounded total over weights so that the rounded parts sum to it exactly.

    Cumulative rounding (each part = round(running share) - what was already given), which is how
    Business Central carries a rounding residual from one entry to the next (spec §7).
    """
    total = q_amount(total)
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        return [ZERO for _ in weights]
    parts: list[Decimal] = []
    running_weight = ZERO
    given = ZERO
    for weight in weights:
        running_weight += weight
        target = q_amount(total * running_weight / weight_sum)
        parts.append(target - given)
        given = target
    return parts


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)

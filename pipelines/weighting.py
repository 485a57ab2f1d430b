"""A stage's weighted value: the one formula the board's columns and the analytics dashboard both show."""

from decimal import Decimal


def weighted_value(*, own_chance_value, stage_chance_value, stage_probability: int) -> Decimal:
    """Σ value × probability / 100, each lead's own probability where set, else its stage's; to the cent.

    ``own_chance_value`` is Σ value × probability over the leads with a probability of their own,
    ``stage_chance_value`` Σ value over those without one.
    """
    own = Decimal(own_chance_value or 0)
    rest = Decimal(stage_chance_value or 0) * stage_probability
    return ((own + rest) / 100).quantize(Decimal("0.01"))

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def q2(value) -> Decimal:
    """Half-up to 2 decimals, the rounding of every published score sheet."""
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def points_str(value) -> str | None:
    """Points as the API writes them: "8.25"."""
    if value is None:
        return None
    return str(q2(value))

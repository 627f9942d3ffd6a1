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


def dateline(place: str, day) -> str:
    """"Tuyên Quang, ngày 05 tháng 3 năm 2026" (Nghị định 30/2020/NĐ-CP: a zero before days
    below 10 and before months 1 and 2 only)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place + ', ' if place else ''}ngày {day.day:02d} tháng {month} năm {day.year}"

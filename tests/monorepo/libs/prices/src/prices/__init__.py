import humanize


def price(cents: int) -> str:
    return f"{humanize.intcomma(cents // 100)}.{cents % 100:02d} EUR"

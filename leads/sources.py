"""Where leads come from: the one list of known sources, and how any source reads in the pages.

A lead's ``source`` is free text in the API (a website form may send anything), so the
pages offer the known sources first and any other value the org's leads carry after
them; every page shows a source by its label ("Cold outreach", never ``cold_outreach``).
"""

KNOWN_SOURCES: dict[str, str] = {
    "website": "Website",
    "referral": "Referral",
    "social_media": "Social media",
    "email_campaign": "Email campaign",
    "cold_outreach": "Cold outreach",
    "event": "Event",
    "advertising": "Advertising",
    "partner": "Partner",
    "other": "Other",
}


def source_label(source: str | None) -> str:
    """``cold_outreach`` → "Cold outreach"; an unknown value reads the same way ("trade_show" → "Trade show")."""
    if not source:
        return ""
    return KNOWN_SOURCES.get(source) or source.replace("_", " ").strip().capitalize()


def source_choices(used: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(value, label) of the known sources, then of any other source in ``used`` (the org's), by label."""
    others = sorted({value for value in used if value and value not in KNOWN_SOURCES}, key=source_label)
    return [*KNOWN_SOURCES.items(), *((value, source_label(value)) for value in others)]

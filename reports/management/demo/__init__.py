"""The demo province that `seed_demo` builds, one module per area, in the order they depend
on each other. Nothing here runs in the portal itself: only the command and the tests use it.
Every step is idempotent (objects are found by their natural keys before they are made)."""
from . import appraisal, assessments, campaigns, criteria, evidence, notifications, province_campaign, reports, surveys

DEMO_PASSWORD = campaigns.DEMO_PASSWORD


def seed(*, set_passwords: bool) -> dict:
    """Build (or complete) the demo province; returns the campaigns by their role in the demo."""
    made = campaigns.seed(set_passwords=set_passwords)
    criteria.seed(campaigns=made)
    assessments.seed(campaigns=made)
    appraisal.seed(campaigns=made)
    evidence.seed(campaign=made["current"])
    surveys.seed(campaigns=made)
    reports.seed(campaigns=made)
    notifications.seed(campaigns=made)
    made.update(province_campaign.seed(set_passwords=set_passwords))
    return made

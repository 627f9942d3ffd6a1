"""Two years of the province's own index (2024 and 2025, the criteria mapped by code) and
official-result sheets, for the tests of the official result and the Sở's draft report."""
from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import campaign_create
from scoring.models import Criterion, Item, OfficialResult
from scoring.selectors.province import province_assessment
from scoring.services.assessments import campaign_open_with_assessments
from scoring.services.criteria_copy import criteria_import
from tests.scoring.province_support import SAMPLE, province_campaign
from tests.sheets import xlsx


def sheet(rows, header=("code", "points", "note")) -> BytesIO:
    return xlsx(rows, header, name="ket-qua.xlsx")


def last_year_campaign(officer, *, now=None):
    """The 2024 province campaign (the agencies of `province_campaign` must exist already)."""
    now = now or timezone.now()
    campaign = campaign_create(
        user=officer, year=2024, name="Chỉ số CCHC tỉnh 2024", groups=["province"], kind=Campaign.Kind.PROVINCE,
        steps=[{"kind": "departments", "opens_at": now - timedelta(days=400), "closes_at": now - timedelta(days=390)}])
    with open(SAMPLE, "rb") as fh:
        assert criteria_import(campaign=campaign, group="province", file=fh, user=officer).ok
    campaign_open_with_assessments(campaign=campaign, user=officer, now=now - timedelta(days=395))
    campaign.refresh_from_db()
    return campaign


def map_by_code(current, last):
    """Each of this year's criteria points at last year's of the same code."""
    old = dict(Criterion.objects.filter(criteria_set__campaign=last).values_list("code", "pk"))
    for c in Criterion.objects.filter(criteria_set__campaign=current):
        c.previous_id = old.get(c.code)
        c.save(update_fields=["previous"])


def set_self(assessment, points: dict, **fields):
    for code, value in points.items():
        Item.objects.filter(assessment=assessment, criterion__code=code).update(self_points=value, **fields)


def set_official(assessment, points: dict, now=None):
    for code, value in points.items():
        item = Item.objects.get(assessment=assessment, criterion__code=code)
        OfficialResult.objects.update_or_create(item=item, defaults={"points": D(value),
                                                                     "imported_at": now or timezone.now()})


def two_years(officer):
    campaign, province, deps = province_campaign(officer)
    last = last_year_campaign(officer)
    map_by_code(campaign, last)
    return campaign, province_assessment(campaign=campaign), last, province_assessment(campaign=last), deps

"""Every read of the reports app: results (see `reports.results`), publications, the public
pages, the officers' progress board and score sheets, each with its access check."""
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from campaigns.models import Agency, Campaign
from campaigns.selectors import campaign_get_for_user, user_agency_ids, user_is_officer
from cchc_portal.core.selectors import one_or_404
from scoring.models import Assessment
from scoring.selectors import progress

from .models import Publication, PublicationRow
from .results import (  # noqa: F401 - the public face of results lives here
    AgencyResult,
    CampaignResults,
    assign_ranks,
    campaign_results,
    grade_for,
    percent,
    result_settings_for,
    results_filter,
)
from .score_sheet import score_sheet  # noqa: F401

# ---------------------------------------------------------------- access


def officer_campaign_get(*, user, pk) -> Campaign:
    """A campaign whose live results, board and reports the user may see: officers only.
    404 when the campaign is not visible at all, 403 when visible but not theirs to see."""
    campaign = campaign_get_for_user(user=user, pk=pk)
    if not user_is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Nội vụ được xem kết quả chưa công bố."))
    return campaign


def published_campaign_get(*, pk) -> tuple[Campaign, Publication]:
    """Anyone, logged in or not: a published campaign and its latest publication, else 404."""
    campaign = one_or_404(Campaign.objects.select_related("owner"), pk=pk, status=Campaign.Status.PUBLISHED)
    publication = publication_latest(campaign=campaign)
    if publication is None:
        raise Http404
    return campaign, publication


def published_campaign_find(*, pk) -> tuple[Campaign, Publication] | None:
    """`published_campaign_get` for the public pages, which answer a missing publication with
    their own "not yet published" page: None when the campaign is unknown or not published."""
    try:
        return published_campaign_get(pk=pk)
    except Http404:
        return None


def published_campaigns() -> QuerySet[Campaign]:
    """Every campaign with a publication, newest year first: where the public can go."""
    return (Campaign.objects.filter(status=Campaign.Status.PUBLISHED, publications__isnull=False)
            .select_related("owner").distinct().order_by("-year", "name"))


def score_sheet_assessment_get_for_user(*, user, campaign_pk, agency_code) -> Assessment:
    """An agency's assessment for its score sheet: officers, or the agency's own staff and
    leaders (404 for anyone else)."""
    campaign = campaign_get_for_user(user=user, pk=campaign_pk)
    qs = Assessment.objects.filter(campaign=campaign, agency__code=agency_code).select_related(
        "agency", "agency__group", "campaign", "criteria_set")
    if not user_is_officer(user):
        qs = qs.filter(agency_id__in=user_agency_ids(user))
    assessment = qs.first()
    if assessment is None:
        raise Http404
    return assessment


# ---------------------------------------------------------------- publications


def publication_latest(*, campaign) -> Publication | None:
    return Publication.objects.filter(campaign=campaign).defer("rows").order_by("-number").first()


def publication_list(*, campaign) -> QuerySet[Publication]:
    return (Publication.objects.filter(campaign=campaign).defer("rows", "method").select_related("published_by")
            .annotate(agency_count=Count("agency_rows")).order_by("-number"))


def publication_rows(*, publication) -> list[dict]:
    """The frozen rows as published (the results API serves them as they are)."""
    return Publication.objects.values_list("rows", flat=True).get(pk=publication.pk)


def public_ranking(*, publication, group="", q="") -> QuerySet[PublicationRow]:
    """One publication's agencies in published order, filtered by group and by name or code."""
    qs = PublicationRow.objects.filter(publication=publication)
    if group:
        qs = qs.filter(group_code=group)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(agency_name__icontains=q) | Q(agency_code__icontains=q))
    return qs.order_by("position")


def public_row_get(*, publication, agency_code) -> PublicationRow:
    return one_or_404(PublicationRow.objects.all(), publication=publication, agency_code=agency_code)


def previous_publication(*, campaign) -> Publication | None:
    """Last year's latest publication, when the campaign maps last year's."""
    if not campaign.previous_id:
        return None
    return Publication.objects.filter(campaign_id=campaign.previous_id).defer("rows").order_by("-number").first()


MAX_YEARS = 10  # an agency's page goes back this many published years


@dataclass
class YearLine:
    """One line of an agency's history: the index or one field, a figure per year (None:
    not published that year, not applicable, or a field with no match that year)."""
    label: str
    values: list
    codes: list  # the field's code in each year (the criteria map renumbers fields)

    @property
    def code(self):
        """This year's code (None for the index line)."""
        return self.codes[-1]

    @property
    def pairs(self):
        return list(zip(self.values, self.codes, strict=True))


@dataclass
class AgencyYears:
    years: list[int]
    publications: list[Publication]
    rows: list[PublicationRow | None]
    lines: list[YearLine]

    @property
    def ranks(self):
        return [r.rank if r else None for r in self.rows]

    @property
    def grades(self):
        return [r.data.get("grade") if r else None for r in self.rows]


def _field_percent(row, code):
    if row is None or code is None:
        return None
    field = next((f for f in row.data.get("fields", []) if f["code"] == code), None)
    if field is None or not field.get("applicable", True) or field.get("kind", "base") != "base":
        return None
    if field.get("points") is None or field.get("max_points") is None:
        return None
    return percent(Decimal(str(field["points"])), Decimal(str(field["max_points"])))


def agency_years(*, campaign, publication, row) -> AgencyYears:
    """An agency's index and fields over the published years, oldest first, ending with
    `publication` (three queries). Years follow `Campaign.previous` back through published
    campaigns; a field is followed back through each year's criteria map (`Criterion.previous`,
    frozen as the publication's `field_previous`), so a renumbered field stays one line."""
    published = dict(((pk, (previous_id, year)) for pk, previous_id, year in Campaign.objects.filter(
        status=Campaign.Status.PUBLISHED).values_list("pk", "previous_id", "year")))
    chain, pk = [], campaign.previous_id
    while pk in published and pk not in chain and len(chain) < MAX_YEARS - 1:
        chain.append(pk)
        pk = published[pk][0]
    latest: dict[int, Publication] = {}
    for p in Publication.objects.filter(campaign_id__in=chain).defer("rows").order_by("campaign_id", "-number"):
        latest.setdefault(p.campaign_id, p)
    chain = [c for c in chain if c in latest]
    earlier = {r.publication_id: r for r in PublicationRow.objects.filter(
        publication__in=[latest[c] for c in chain], agency_code=row.agency_code)}
    publications = [latest[c] for c in reversed(chain)] + [publication]
    rows = [earlier.get(p.pk) for p in publications[:-1]] + [row]
    years = [p.method.get("campaign", {}).get("year") or published.get(p.campaign_id, (None, None))[1]
             for p in publications]
    lines = [YearLine(label="", values=[r.index if r else None for r in rows], codes=[None] * len(rows))]
    for field in row.data.get("fields", []):
        if field.get("kind", "base") != "base":
            continue
        codes = [field["code"]]
        for i in range(len(publications) - 1, 0, -1):  # year i's map names year i - 1's field
            group = rows[i].group_code if rows[i] else row.group_code
            mapping = publications[i].method.get("field_previous", {}).get(group, {})
            codes.insert(0, mapping.get(codes[0]) if codes[0] else None)
        lines.append(YearLine(label=f"{field['code']}. {field.get('title', '')}", codes=codes,
                              values=[_field_percent(r, c) for r, c in zip(rows, codes, strict=True)]))
    return AgencyYears(years=years, publications=publications, rows=rows, lines=lines)


# ---------------------------------------------------------------- the officers' progress board

# The stage vocabulary is scoring's (scoring/selectors/progress.py): the board, the home page
# and the API count the same stages with the same selector.
NOT_STARTED = progress.NOT_STARTED
BOARD_ORDER = list(progress.STAGES)
board_label = progress.stage_label


@dataclass
class BoardRow:
    agency: Agency
    assessment: Assessment | None
    status: str

    @property
    def status_label(self):
        return board_label(self.status)


def assessment_board(*, campaign, status="", group="", q="") -> tuple[list[BoardRow], dict[str, int]]:
    """Where every covered agency stands (four queries): rows filtered by stage, group and
    name/code, and `campaign_status_counts` over all agencies."""
    assessments = {
        a.agency_id: a for a in progress.with_stage(Assessment.objects.filter(campaign=campaign)).only(
            "id", "agency_id", "status", "submitted_at", "finalised_at", "self_total", "appraised_total",
            "locked_at", "updated_at")
    }
    agencies = campaign.agencies.select_related("group").order_by("group__order", "code")
    rows = []
    q = (q or "").strip().casefold()
    for agency in agencies:
        assessment = assessments.get(agency.pk)
        state = NOT_STARTED if assessment is None else assessment.stage
        if status and state != status:
            continue
        if group and agency.group.code != group:
            continue
        if q and q not in agency.name.casefold() and q not in agency.code.casefold():
            continue
        rows.append(BoardRow(agency=agency, assessment=assessment, status=state))
    return rows, progress.campaign_status_counts(campaign=campaign)


def campaign_status_counts(*, campaign) -> dict[str, int]:
    """{stage: number of agencies} of one campaign (see scoring.selectors.progress)."""
    return progress.campaign_status_counts(campaign=campaign)

"""Every read of evidence documents that a page or the API needs.

Who sees a document: members of its agency, province staff (admin, officer, appraiser),
and the members of the agency that runs the campaign (a district running its communes'
campaign, the older three-level shape). Everyone else gets 404.
"""
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaigns.models import Agency, Campaign
from campaigns.selectors import campaign_get_for_user, user_agency_ids, user_is_province_staff

from .models import Document
from .usage import link_relations


def _own_agency_ids(user) -> set[int]:
    cached = getattr(user, "_evidence_agency_ids", None)
    if cached is None:
        cached = user_agency_ids(user)
        if user is not None and user.is_authenticated:
            user._evidence_agency_ids = cached
    return cached


def document_list_for_user(*, user, agency=None, campaign=None, with_text=True) -> QuerySet[Document]:
    """Documents the user may see, newest first, with agency, campaign and uploader.
    `with_text=False` leaves out the text the background check read (up to
    EVIDENCE_TEXT_MAX_CHARS a document), for lists that show no excerpt of it; the search
    vector is never read in Python."""
    qs = Document.objects.select_related("agency", "campaign", "uploaded_by").defer("text_vector")
    if not with_text:
        qs = qs.defer("text")
    if not user_is_province_staff(user):
        own = _own_agency_ids(user)
        if not own:
            return qs.none()
        qs = qs.filter(Q(agency_id__in=own) | Q(campaign__owner_id__in=own))
    if agency is not None:
        qs = qs.filter(agency=agency)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def document_get_for_user(*, user, pk) -> Document:
    try:
        return document_list_for_user(user=user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_can_manage_documents(user, agency) -> bool:
    """Uploading, editing and deleting belong to the agency's own members (staff, leader);
    province staff read and download but never alter an agency's evidence."""
    return agency is not None and agency.pk in _own_agency_ids(user)


def library_get_for_user(*, user, campaign_id, agency_code) -> tuple[Campaign, Agency]:
    """The (campaign, agency) of an evidence library: the agency must be covered by the
    campaign and the user must see its documents; 404 otherwise."""
    campaign = campaign_get_for_user(user=user, pk=campaign_id)
    agency = campaign.agencies.select_related("group").filter(code=agency_code).first()
    if agency is None:
        raise Http404
    if not user_is_province_staff(user):
        own = _own_agency_ids(user)
        if agency.pk not in own and campaign.owner_id not in own:
            raise Http404
    return campaign, agency


def document_search(qs: QuerySet[Document], q: str) -> QuerySet[Document]:
    """Filter by number and symbol, summary, issuer or file name (case-insensitive), or by
    the document's text read by the background check (accent-insensitive, every word)."""
    from .search import text_filter, words

    q = (q or "").strip()
    if not q:
        return qs
    condition = (Q(number__icontains=q) | Q(summary__icontains=q) | Q(issuer__icontains=q)
                 | Q(original_name__icontains=q))
    if words(q):  # text_filter picks the way: the GIN index on PostgreSQL, the plain text elsewhere
        condition |= Q(pk__in=text_filter(Document.objects.all(), q).values("pk"))
    return qs.filter(condition)


def document_annotate_usage(qs: QuerySet[Document]) -> QuerySet[Document]:
    """Adds `<relation>_count` for every link relation (e.g. `items_count` when scoring is
    installed) and `use_count`, their sum. No import of the apps that link."""
    relations = [accessor for accessor, _ in link_relations()]
    if not relations:
        return qs.annotate(use_count=Count("pk", filter=Q(pk__isnull=True))).order_by("-uploaded_at", "-id")
    qs = qs.annotate(**{f"{name}_count": Count(name, distinct=True) for name in relations})
    total = None
    for name in relations:
        total = Count(name, distinct=True) if total is None else total + Count(name, distinct=True)
    # GROUP BY drops Meta.ordering: keep newest first for stable pages
    return qs.annotate(use_count=total).order_by("-uploaded_at", "-id")

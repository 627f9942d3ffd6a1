"""Pages of the background check: accepting the metadata proposed from a document's text."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc_portal.core.views import run_action

from . import selectors
from .checks import proposal_accept
from .models import DocumentCheck, DocumentSignature


@login_required
@require_POST
def accept_proposal(request, pk):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if not selectors.user_can_manage_documents(request.user, document.agency):
        raise PermissionDenied
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("evidence:library", args=[document.campaign_id, document.agency.code])
    run_action(request, lambda: proposal_accept(document=document, user=request.user),
               success=_("Đã điền thông tin đề xuất vào tài liệu “%(name)s”; hãy kiểm tra lại.")
               % {"name": document.original_name})
    return redirect(back)


SEARCH_PAGE_SIZE = 20


@login_required
@require_GET
def search(request, campaign_id):
    """The text of every document of a campaign the user may see (province staff: all
    agencies; an agency: its own library), accent-insensitive, with the hits highlighted
    and filters by agency, criterion and signature."""
    from campaigns.selectors import campaign_get_for_user, user_is_province_staff

    from .search import words
    from .usage import link_relations

    campaign = campaign_get_for_user(user=request.user, pk=campaign_id)
    documents = selectors.document_list_for_user(user=request.user, campaign=campaign)
    q = request.GET.get("q", "").strip()[:100]
    agency_code = request.GET.get("agency", "").strip()[:50]
    criterion = request.GET.get("criterion", "").strip()[:50]
    flag = request.GET.get("flag", "")
    if agency_code:
        documents = documents.filter(agency__code=agency_code)
    if criterion and "items" in {name for name, _ in link_relations()}:
        documents = documents.filter(items__criterion__code=criterion).distinct()
    if flag == "signed":
        documents = documents.filter(analysis__signatures__isnull=False).distinct()
    elif flag == "signature_bad":
        documents = documents.filter(
            Q(analysis__signatures__intact=False) | Q(analysis__signatures__modified_after=True)
            | Q(analysis__signatures__trusted=DocumentSignature.Trust.NO)).distinct()
    elif flag == "unsigned":
        documents = documents.filter(analysis__status=DocumentCheck.Status.DONE,
                                     analysis__signatures__isnull=True)
    searched = bool(q and words(q))
    if searched:
        documents = selectors.document_search(documents, q)
    page = Paginator(documents.order_by("agency__code", "-uploaded_at", "-id"),
                     SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    agencies = campaign.agencies.order_by("code").only("code", "name") if user_is_province_staff(request.user) else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "evidence/search.html", {
        "campaign": campaign, "page": page, "q": q, "agency_code": agency_code, "criterion": criterion,
        "flag": flag, "agencies": agencies, "searched": searched or agency_code or criterion or flag,
        "query": query.urlencode()})

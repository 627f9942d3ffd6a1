"""Pages of the background check: where a document's check stands (for the pages' scripts),
accepting the metadata proposed from its text, and the search in every document's text."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.views import error_json, run_action, wants_json

from . import selectors
from .checks import check_data, document_checks, proposal_accept
from .models import DocumentCheck, DocumentSignature


def _back(request, document, value) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("evidence:library", args=[document.campaign_id, document.agency.code])


@login_required
@require_POST
def accept_proposal(request, pk):
    """Copy the proposal into the document. The upload widget asks for JSON and gets the
    document's fields after the copy (`document`) and its check (`check`)."""
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if not selectors.user_can_manage_documents(request.user, document.agency):
        if wants_json(request):
            return error_json(ApplicationError(_("Bạn không có quyền sửa tài liệu của đơn vị này."), status=403))
        raise PermissionDenied
    back = _back(request, document, request.POST.get("next"))
    done = _("Đã điền thông tin đề xuất vào tài liệu “%(name)s”; hãy kiểm tra lại.") % {
        "name": document.original_name}
    outcome = run_action(request, lambda: proposal_accept(document=document, user=request.user), success=done)
    if wants_json(request):
        return outcome.json(lambda saved: {"detail": done, "document": _fields(saved),
                                           "check": _check_data(saved)})
    return redirect(back)


def _fields(document) -> dict:
    return {"id": document.pk, "number": document.number, "issuer": document.issuer, "summary": document.summary,
            "issued_on": document.issued_on.strftime("%d/%m/%Y") if document.issued_on else ""}


def _check_data(document) -> dict:
    return check_data(document_checks([document]).get(document.pk))


@login_required
@require_GET
def check_status(request, pk):
    """Where the background check of one document stands, for the pages' scripts: JSON
    (`check_data`: status, progress, badges, period flag, proposal; plus the document's own
    fields and the accept URL when the user may accept), or with `?html=1` the badge fragment
    evidence/_check.html (`proposal=1` with the proposal, `next` where its button returns).
    Who may see the document may see its check; everyone else 404."""
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    info = document_checks([document]).get(document.pk)
    can_manage = selectors.user_can_manage_documents(request.user, document.agency)
    if request.GET.get("html"):
        response = render(request, "evidence/_check.html", {
            "info": info, "proposal": bool(request.GET.get("proposal")) and can_manage,
            "check_next": _back(request, document, request.GET.get("next"))})
    else:
        data = {"id": document.pk, **check_data(info), "document": _fields(document)}
        if can_manage and data["proposal"]:
            data["accept_url"] = reverse("evidence:accept_proposal", args=[document.pk])
        response = JsonResponse(data)
    response["Cache-Control"] = "private, no-store"
    return response


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
    q = request.GET.get("q", "").strip()[:100]
    documents = selectors.document_list_for_user(user=request.user, campaign=campaign,
                                                 with_text=bool(q))  # the text only for the excerpts
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

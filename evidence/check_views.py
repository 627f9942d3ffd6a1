"""Pages of the background check: accepting the metadata proposed from a document's text."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc_portal.core.exceptions import ApplicationError

from . import selectors
from .checks import proposal_accept
from .models import DocumentCheck


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
    try:
        proposal_accept(document=document, user=request.user)
    except DocumentCheck.DoesNotExist:
        messages.error(request, _("Tài liệu chưa có thông tin đề xuất."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã điền thông tin đề xuất vào tài liệu “%(name)s”; hãy kiểm tra lại.")
                         % {"name": document.original_name})
    return redirect(back)

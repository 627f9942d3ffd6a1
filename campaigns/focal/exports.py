"""The contact list as an .xlsx workbook: a title row, a frozen header with filters."""
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import FocalRole
from cchc_portal.core.excel import WorkbookWriter

from .selectors import focal_contact_rows, phone_display


def contact_list_xlsx(*, campaign, now=None) -> bytes:
    """One row per covered agency and duty; a duty not named reads "Chưa cử" (required) or
    "Không bắt buộc" in the status column, so the filter finds the missing ones."""
    now = timezone.localtime(now or timezone.now())
    book = WorkbookWriter()
    title = _("Danh sách cán bộ đầu mối – %(campaign)s (năm %(year)s)") % {
        "campaign": campaign.name, "year": campaign.year}
    sheet = book.sheet(_("Cán bộ đầu mối"), [
        _("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Nhóm"), _("Nhiệm vụ"), _("Họ và tên"), _("Chức vụ"),
        _("Số điện thoại"), _("Thư điện tử"), _("Tình trạng"), _("Cập nhật lúc"),
    ], widths=[6, 12, 40, 24, 26, 28, 28, 16, 32, 16, 18], formats={1: "@", 7: "@"}, preamble=[
        title, _("Số liệu lúc %(time)s") % {"time": now.strftime("%H:%M %d/%m/%Y")}, ""])
    number = 0
    for row in focal_contact_rows(campaign=campaign):
        missing = {r.value for r in row.missing}
        for role in FocalRole:
            officer = row.officers.get(role.value)
            number += 1
            if officer is None:
                person = ["", "", "", "", _("Chưa cử") if role.value in missing else _("Không bắt buộc"), None]
            else:
                person = [officer.full_name, officer.position, phone_display(officer.phone), officer.email,
                          _("Đã cử"), officer.updated_at]
            sheet.append([number, row.agency.code, row.agency.name, row.agency.group.name, role.label, *person])
    return book.to_bytes()

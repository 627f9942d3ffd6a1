"""Every write of the reports app: result settings and publications (frozen snapshots)."""
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Campaign
from campaigns.services import campaign_mark_published
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from cchc_portal.core.utils import points_str
from cchc_portal.notifications.models import Job
from cchc_portal.notifications.services import job_start
from scoring.models import Criterion
from scoring.rules.kinds import decimal_str

from .models import Publication, PublicationRow, ResultSettings, recipients_list
from .results import FINAL_STATUSES, campaign_results, result_settings_for

# ---------------------------------------------------------------- settings


def grade_bands_parse(text: str) -> list[dict]:
    """`90: Xuất sắc; 80: Tốt; 0: Yếu` → [{"min": "90", "label": "Xuất sắc"}, ...] (min descending).

    Items are separated by `;` or line breaks; each is `<min index>: <label>`; the lowest
    band must start at 0 so every index gets a grade.
    """
    bands, errors = [], []
    for raw in str(text or "").replace("\n", ";").split(";"):
        item = raw.strip()
        if not item:
            continue
        number, sep, label = item.partition(":")
        try:
            value = Decimal(number.strip().replace(",", "."))
        except InvalidOperation:
            value = None
        if not sep or value is None or not label.strip() or not value.is_finite() or value < 0:
            errors.append(_("“%(item)s” không đúng dạng “chỉ số tối thiểu: xếp loại”, ví dụ “90: Xuất sắc”.")
                          % {"item": item})
            continue
        bands.append({"min": decimal_str(value), "label": " ".join(label.split())})
    if not errors and not bands:
        errors.append(_("Cần ít nhất một mức xếp loại."))
    mins = [Decimal(b["min"]) for b in bands]
    if len(set(mins)) != len(mins):
        errors.append(_("Hai mức xếp loại có cùng chỉ số tối thiểu."))
    if bands and min(mins) != 0:
        errors.append(_("Mức thấp nhất phải bắt đầu từ 0 để mọi đơn vị đều được xếp loại."))
    if errors:
        raise ApplicationError(errors[0], extra={"errors": {"grade_bands": errors}})
    return sorted(bands, key=lambda b: Decimal(b["min"]), reverse=True)


def grade_bands_format(bands) -> str:
    return "; ".join(f"{b['min']}: {b['label']}" for b in bands)


RECIPIENT_MAX_LENGTH = 200
RECIPIENTS_MAX = 20


def recipients_parse(text: str) -> list[str]:
    """"Nơi nhận" as typed, one recipient a line → the recipients (`recipients_list`), checked."""
    lines = recipients_list(text)
    errors = []
    if not lines:
        errors.append(_("Cần ít nhất một nơi nhận (mỗi nơi nhận một dòng), ví dụ “Lưu: VT, CCHC”."))
    errors += [_("Nơi nhận “%(line)s…” dài quá %(max)s ký tự.") % {"line": line[:40], "max": RECIPIENT_MAX_LENGTH}
               for line in lines if len(line) > RECIPIENT_MAX_LENGTH]
    if len(lines) > RECIPIENTS_MAX:
        errors.append(_("Tối đa %(max)s nơi nhận.") % {"max": RECIPIENTS_MAX})
    if errors:
        raise ApplicationError(errors[0], extra={"errors": {"recipients": errors}})
    return lines


@transaction.atomic
def result_settings_update(*, campaign, user, grade_bands, rank_method, authority_name, office_name,
                           place_name="", signer_authority=None, signer_title=None, signer_name=None,
                           recipients=None) -> ResultSettings:
    """Grades, rank method, report header and closing block (signer, "Nơi nhận") of a campaign.
    Published snapshots keep theirs. A closing argument left None keeps what is saved."""
    if isinstance(grade_bands, str):
        grade_bands = grade_bands_parse(grade_bands)
    if recipients is not None:
        recipients = "\n".join(recipients_parse(recipients))
    settings = ResultSettings.objects.select_for_update().filter(campaign=campaign).first()
    settings = settings or ResultSettings(campaign=campaign)
    settings.grade_bands = grade_bands
    settings.rank_method = rank_method
    settings.authority_name = authority_name.strip()
    settings.office_name = office_name.strip()
    settings.place_name = place_name.strip()
    closing = {"signer_authority": signer_authority, "signer_title": signer_title, "signer_name": signer_name,
               "recipients": recipients}
    for name, value in closing.items():
        if value is not None:
            setattr(settings, name, " ".join(value.split()) if name != "recipients" else value)
    if not settings.signer_title:
        raise ApplicationError(_("Cần ghi chức vụ người ký, ví dụ “GIÁM ĐỐC”."),
                               extra={"errors": {"signer_title": [_("Bắt buộc.")]}})
    settings.full_clean()
    if settings.pk is None:
        settings.save()
    else:
        settings.save(update_fields=["grade_bands", "rank_method", "authority_name", "office_name", "place_name",
                                     *closing, "updated_at"])
    return settings


# ---------------------------------------------------------------- publication


def _method(campaign, settings, results) -> dict:
    """How the published figures were computed, with the criteria titles they refer to."""
    criteria: dict[str, list] = {}
    for group_code, set_id in results.set_of_group.items():
        titles = results.titles.get(set_id, {})
        criteria[group_code] = [[code, title] for code, title in titles.items()]
    previous = {}
    for group_code, code, prev in Criterion.objects.filter(
            criteria_set__campaign=campaign, parent=None, previous__isnull=False).values_list(
            "criteria_set__group__code", "code", "previous__code"):
        previous.setdefault(group_code, {})[code] = prev
    groups = []
    for code, name, _rows in results.groups():
        groups.append({"code": code, "name": name})
    return {
        "version": 1,
        "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name,
                     "previous_id": campaign.previous_id},
        "points": "Điểm thẩm định đã chốt của từng tiêu chí thành phần (điểm điều tra xã hội học và số liệu "
                  "nhập khẩu như đã chốt).",
        "rounding": "Điểm mỗi tiêu chí thành phần làm tròn nửa lên đến 2 chữ số thập phân khi chấm; điểm tiêu "
                    "chí, lĩnh vực và tổng điểm là tổng đúng của các điểm đó (không vượt điểm tối đa).",
        "index_formula": "Chỉ số = Tổng điểm đạt được / Tổng điểm tối đa của các tiêu chí áp dụng × 100, làm "
                         "tròn nửa lên đến 2 chữ số thập phân.",
        "not_applicable": "Tiêu chí không áp dụng với đơn vị được loại khỏi điểm tối đa của đơn vị đó.",
        "grade_bands": settings.grade_bands,
        "rank_method": settings.rank_method,
        "rank_method_label": str(ResultSettings.RankMethod(settings.rank_method).label),
        "rank_scope": "Xếp hạng trong từng nhóm cơ quan, theo chỉ số; bằng chỉ số thì đồng hạng.",
        "groups": groups,
        "criteria": criteria,
        "field_previous": previous,
        "header": {"authority_name": settings.authority_name, "office_name": settings.office_name,
                   "place_name": settings.place_name, "signer_authority": settings.signer_authority,
                   "signer_title": settings.signer_title, "signer_name": settings.signer_name,
                   "recipients": recipients_list(settings.recipients)},
    }


def publication_row(row) -> dict:
    """One agency as the results API and the snapshot write it (points as strings)."""
    return {
        "agency_code": row.agency_code,
        "agency_name": row.agency_name,
        "group": row.group_code,
        "group_name": row.group_name,
        "total": points_str(row.total),
        "max_points": points_str(row.max_points),
        "index": points_str(row.index),
        "grade": row.grade,
        "rank": row.rank,
        "bonus": points_str(row.bonus),
        "penalty": points_str(row.penalty),
        "fields": [
            {"code": f.code, "title": f.title, "points": points_str(f.points) if f.applicable else None,
             "max_points": points_str(f.max_points), "applicable": f.applicable, "kind": f.kind}
            for f in row.fields
        ],
    }


def publication_next_number(*, campaign, decision_number, note="") -> int:
    """The number the next publication of the campaign takes, once its form is complete: a
    decision number always, a note for a correction (number > 1)."""
    if not (decision_number or "").strip():
        raise ApplicationError(_("Cần nhập số quyết định phê duyệt kết quả của UBND."),
                               extra={"errors": {"decision_number": [_("Bắt buộc.")]}})
    number = (Publication.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    if number > 1 and not (note or "").strip():
        raise ApplicationError(_("Lần công bố đính chính cần ghi chú lý do đính chính."),
                               extra={"errors": {"note": [_("Bắt buộc khi công bố lại.")]}})
    return number


PUBLICATION_JOB = "publication"


def publication_enqueue(*, campaign, user, decision_number, note="") -> Job:
    """Publish in the background (3,400 agencies take seconds): the form is checked now, the
    job's page shows the progress and then links to the results. While a publication job of
    the campaign waits or runs, asking again returns that job (a double click publishes once)."""
    from .tasks import publication_job

    number = publication_next_number(campaign=campaign, decision_number=decision_number, note=note)
    active = (Job.objects.filter(kind=PUBLICATION_JOB, args__campaign_id=campaign.pk,
                                 status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).order_by("pk").first())
    if active is not None:
        return active
    title = _("Công bố kết quả (lần %(number)s) – %(campaign)s") % {"number": number, "campaign": campaign.name}
    return job_start(kind=PUBLICATION_JOB, user=user, task=publication_job, title=title,
                     args={"campaign_id": campaign.pk, "decision_number": decision_number.strip(),
                           "note": (note or "").strip(), "number": number})


@transaction.atomic
def publication_create(*, campaign, user, decision_number, note="", number=None, now=None) -> Publication:
    """Freeze the campaign's results as a numbered publication and mark it published.

    Every assessment must be final (chốt điểm). The first publication is number 1; a later
    one is a correction (đính chính): number + 1, with a note saying why. What was published
    never changes afterwards, whatever happens to the scores. `number`, when given, is the
    number the caller means to publish as (a job queued earlier): if another publication took
    it meanwhile, nothing is published.
    """
    now = now or timezone.now()
    decision_number = (decision_number or "").strip()
    note = (note or "").strip()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # one publisher at a time
    expected = number
    number = publication_next_number(campaign=campaign, decision_number=decision_number, note=note)
    if expected is not None and expected != number:
        raise ConflictError(_("Kết quả đã được công bố lần %(number)s trong lúc chờ; không công bố thêm.")
                            % {"number": number - 1})
    settings = result_settings_for(campaign)
    results = campaign_results(campaign=campaign, detail=True, settings=settings)
    if not results.rows:
        raise ConflictError(_("Đợt đánh giá chưa có đơn vị nào được chấm điểm nên chưa thể công bố."))
    waiting = [r.agency_code for r in results.rows if r.status not in FINAL_STATUSES]
    if waiting:
        shown = ", ".join(waiting[:10])
        if len(waiting) > 10:
            more = len(waiting) - 10
            shown += " " + ngettext("và %(count)s đơn vị khác", "và %(count)s đơn vị khác", more) % {"count": more}
        message = ngettext(
            "Còn %(count)s đơn vị chưa chốt điểm (%(shown)s); chỉ công bố khi mọi đơn vị đã được chốt điểm.",
            "Còn %(count)s đơn vị chưa chốt điểm (%(shown)s); chỉ công bố khi mọi đơn vị đã được chốt điểm.",
            len(waiting))
        raise ConflictError(message % {"count": len(waiting), "shown": shown}, extra={"not_final": waiting})
    campaign_mark_published(campaign=campaign)
    rows = [publication_row(r) for r in results.rows]
    publication = Publication(
        campaign=campaign, number=number, published_at=now, published_by=user, decision_number=decision_number,
        note=note, method=_method(campaign, settings, results), rows=rows,
    )
    publication.full_clean()
    publication.save()
    PublicationRow.objects.bulk_create([
        PublicationRow(
            publication=publication, agency_id=r.agency_id, agency_code=r.agency_code, agency_name=r.agency_name,
            group_code=r.group_code, position=position, rank=r.rank, index=r.index,
            data={**data, "items": {
                code: [points_str(p.value) if p.applicable else None, points_str(p.max)]
                for code, p in (r.nodes or {}).items()
            }},
        )
        for position, (r, data) in enumerate(zip(results.rows, rows, strict=True), start=1)
    ], batch_size=500)
    return publication

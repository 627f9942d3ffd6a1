"""The explanation cycle (giải trình): only the items asked about reopen for the agency until
the deadline; a late answer is refused; overdue requests close, twice harmlessly; a second
appraisal round follows; extensions of the explanation step move the deadline."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Step
from campaigns.services import extension_grant
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.notifications.models import Notification
from evidence.services import document_upload
from scoring.models import Assessment, ExplanationRequest, Message
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc
from scoring.services.assessments import item_editable_by_agency, item_update
from tests.scoring.appraisal_support import assign, item, pdf_upload, set_step, submit, world

pytestmark = pytest.mark.usefixtures("media")  # tests/conftest.py


@pytest.fixture
def w(campaign, agency_a, staff_a, leader_a, officer, appraiser):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a, evidence=())
    assign(campaign, appraiser, ["1", "2"], officer=officer)
    return w


def ask(w, appraiser, codes=("1.2",), due=None, now=None):
    return explain_svc.explanation_request_create(
        assessment=w.a, codes=list(codes), question="Đề nghị bổ sung kế hoạch CCHC đã ký số.",
        due_at=due or timezone.now() + timedelta(days=3), user=appraiser, now=now)


def test_the_whole_cycle(w, appraiser, staff_a, staff_b, officer):
    svc.item_appraise(item=item(w.a, "1.1"), input=None, comment="", user=appraiser)
    # 1.2 needs evidence: without it the agency's "Có" scores 0
    assert item(w.a, "1.2").self_points == Decimal("0.00")
    request = ask(w, appraiser)
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.status == "explanation_requested" and request.round == 1
    assert list(request.items.values_list("criterion__code", flat=True)) == ["1.2"]
    assert Message.objects.get(request=request).body.startswith("Đề nghị bổ sung")
    assert Notification.objects.filter(user=staff_a, url__contains=f"/assessments/{w.a.pk}/explanations/").exists()
    # only the requested item reopens for the agency
    assert item_editable_by_agency(item=item(w.a, "1.2"))[0] is True
    assert item_editable_by_agency(item=item(w.a, "1.1"))[0] is False
    with pytest.raises(ConflictError):
        item_update(assessment=a, code="1.1", input={"score": "1"}, explanation="", version=item(w.a, "1.1").version,
                    user=staff_a)
    # the appraiser waits for the answer on that item
    with pytest.raises(ConflictError, match="đang chờ đơn vị giải trình"):
        svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)
    # someone of another agency may not answer
    with pytest.raises(ApplicationError) as refused:
        explain_svc.explanation_answer(request=request, body="Trả lời", documents=[], user=staff_b)
    assert refused.value.status == 403
    # the agency answers with a text and a document, which becomes evidence of the item
    document, _ = document_upload(agency=w.a.agency, campaign=w.campaign, file=pdf_upload(), user=staff_a,
                                  number="05/KH-STC")
    explain_svc.explanation_answer(request=request, body="Đã bổ sung Kế hoạch số 05/KH-STC.", documents=[document],
                           user=staff_a)
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_at is not None
    answer = Message.objects.get(request=request, author=staff_a)
    assert list(answer.documents.all()) == [document] and answer.item == item(w.a, "1.2")
    assert item(w.a, "1.2").self_points == Decimal("2.00")  # evidence now attached
    assert Assessment.objects.get(pk=w.a.pk).status == "explained"
    assert item_editable_by_agency(item=item(w.a, "1.2"))[0] is False  # answered: locked again
    assert Notification.objects.filter(user=appraiser, url__contains="/appraisal/").exists()
    # second round
    second = svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)
    assert second.appraised_points == Decimal("2.00") and second.appraisal_state == "accepted"
    with pytest.raises(ConflictError, match="đã được trả lời"):
        explain_svc.explanation_answer(request=request, body="Thêm", documents=[], user=staff_a)


def test_a_request_resets_the_items_appraisal_to_pending(w, appraiser):
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1"}, comment="Thiếu", user=appraiser)
    ask(w, appraiser, codes=["1.1"])
    it = item(w.a, "1.1")
    assert it.appraisal_state == "pending" and it.appraised_points is None  # a second round follows
    assert it.appraisal_comment == "Thiếu" and it.history.filter(appraised_points=Decimal("1")).exists()


def test_only_own_items_and_a_due_time_in_the_explanation_window(w, appraiser):
    with pytest.raises(ApplicationError) as refused:
        ask(w, appraiser, codes=["5.1"])
    assert refused.value.status == 403
    with pytest.raises(ApplicationError, match="thời gian giải trình"):
        ask(w, appraiser, due=timezone.now() + timedelta(days=30))
    with pytest.raises(ApplicationError, match="sau thời điểm hiện tại"):
        ask(w, appraiser, due=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="Cần nhập nội dung"):
        explain_svc.explanation_request_create(assessment=w.a, codes=["1.2"], question=" ", due_at=timezone.now()
                                       + timedelta(days=1), user=appraiser)
    # a branch code takes the leaves under it the appraiser may appraise
    request = ask(w, appraiser, codes=["2"])
    assert sorted(request.items.values_list("criterion__code", flat=True)) == ["2.1", "2.2"]
    with pytest.raises(ConflictError, match="đang chờ giải trình"):
        ask(w, appraiser, codes=["2.1"])


def test_without_an_explanation_step_any_future_due_time(w, appraiser):
    Step.objects.filter(campaign=w.campaign, kind="explanation").delete()
    request = ask(w, appraiser, due=timezone.now() + timedelta(days=40))
    assert request.status == "open"


def test_a_late_answer_is_refused_and_overdue_requests_close_twice_harmlessly(w, appraiser, staff_a):
    now = timezone.now()
    request = ask(w, appraiser, due=now + timedelta(hours=2), now=now)
    later = now + timedelta(hours=3)
    assert item_editable_by_agency(item=item(w.a, "1.2"), now=later)[0] is False  # deadline passed
    with pytest.raises(DeadlineError, match="Đã hết hạn giải trình"):
        explain_svc.explanation_answer(request=request, body="Muộn", documents=[], user=staff_a, now=later)
    assert explain_svc.explanation_close_overdue(now=now + timedelta(hours=1)) == []
    assert explain_svc.explanation_close_overdue(now=later) == [request.pk]
    assert explain_svc.explanation_close_overdue(now=later) == []
    request.refresh_from_db()
    assert request.status == "closed"
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.status == "in_appraisal"  # nothing answered: back to appraisal
    svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)  # second round


def test_an_extension_of_the_explanation_step_moves_open_deadlines(w, appraiser, officer, agency_a):
    now = timezone.now()
    step = Step.objects.get(campaign=w.campaign, kind="explanation")
    request = ask(w, appraiser, due=step.closes_at, now=now)
    new_close = step.closes_at + timedelta(days=2)
    extension_grant(step=step, agency=agency_a, closes_at=new_close, reason="Mưa lũ", user=officer)
    request.refresh_from_db()
    assert request.due_at == new_close
    # the new window accepts a later due time
    set_step(w.campaign, "appraisal", now - timedelta(days=1), now + timedelta(days=5))
    later = ask(w, appraiser, codes=["2.1"], due=new_close)
    assert later.due_at == new_close


def test_rounds_count_finished_requests(w, appraiser, staff_a):
    first = ask(w, appraiser, codes=["1.1"])
    same_round = ask(w, appraiser, codes=["1.3"])
    assert first.round == same_round.round == 1
    explain_svc.explanation_answer(request=first, body="Đã ban hành đúng hạn", documents=[], user=staff_a)
    explain_svc.explanation_answer(request=same_round, body="Số liệu đúng", documents=[], user=staff_a)
    assert ExplanationRequest.objects.filter(status="answered").count() == 2
    assert ask(w, appraiser, codes=["2.1"]).round == 2


def test_the_request_reaches_the_agency_by_email(w, appraiser, staff_a, leader_a, staff_b,
                                                  django_capture_on_commit_callbacks):
    from django.core import mail

    from cchc_portal.notifications.models import Outbox

    w.a.agency.email = "STC@example.gov.vn"
    w.a.agency.save(update_fields=["email"])
    due = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(w, appraiser, codes=("1.2", "1.1"), due=due)
    rows = Outbox.objects.filter(key__startswith=f"explanation-request:{request.pk}:")
    assert sorted(r.to.lower() for r in rows) == sorted([staff_a.email.lower(), leader_a.email.lower(),
                                                          "stc@example.gov.vn"])
    assert staff_b.email not in {r.to for r in rows}
    body = next(m.body for m in mail.outbox if m.to == [staff_a.email])
    assert "Đề nghị bổ sung kế hoạch CCHC đã ký số." in body
    assert "1.1. " in body and "1.2. " in body and body.index("1.1. ") < body.index("1.2. ")
    assert timezone.localtime(due).strftime("%d/%m/%Y %H:%M") in body
    assert f"/scoring/assessments/{w.a.pk}/explanations/" in body

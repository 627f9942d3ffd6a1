"""Every number people read in Vietnamese form (issue #13, point 2): the item history, the
rules' explanations, notifications and e-mails, rendered in `vi`, show no "4.50"-style figure,
and a year stays 2026 (never 2.026)."""
import re

from django.urls import reverse
from django.utils import translation

from cchc_portal.notifications.models import Notification, Outbox
from cchc_portal.notifications.services import outbox_render
from scoring.models import Assessment
from scoring.services import appraisal as svc
from surveys.tokens import seal
from tests.scoring.appraisal_support import assign, submit, world
from tests.scoring.assessment_support import item

pytest_plugins = ["tests.scoring.assessment_fixtures"]

DOT_FIGURE = re.compile(r"\d\.\d{2}(?!\d)")  # "4.50", "0.75": a points figure in English form (not "1.000")
JSON = {"HTTP_ACCEPT": "application/json"}


def save(client, a, code, **fields):
    url = f"{reverse('scoring:assessment_page', args=[a.pk])}items/{code}/save/"
    r = client.post(url, {"version": item(a, code).version, **fields}, **JSON)
    assert r.status_code == 200, r.content
    return r.json()


def test_item_history_shows_points_and_inputs_in_vietnamese(login, assessment_a, staff_a, staff_b):
    client = login(staff_a)
    save(client, assessment_a, "1.1.3", score="0,75")
    save(client, assessment_a, "1.1.3", score="0.5")
    url = f"{reverse('scoring:assessment_page', args=[assessment_a.pk])}items/1.1.3/history/?partial=1"
    html = client.get(url).content.decode()
    assert "<del>0,75</del> → <ins>0,50</ins>" in html and "<ins>score: 0,75</ins>" in html
    assert "<del>score: 0,75</del> → <ins>score: 0,5</ins>" in html
    changes = re.findall(r"<ul>.*?</ul>", html, re.S)
    assert changes and not any(DOT_FIGURE.search(change) for change in changes)
    assert login(staff_b).get(url).status_code == 404


def test_rule_explanations_show_numbers_in_vietnamese(login, assessment_a, staff_a):
    client = login(staff_a)
    assert save(client, assessment_a, "1.3", count="2")["reason"] == "trừ 0,5 × 2 lần"
    assert save(client, assessment_a, "1.2", numerator="850", denominator="1000")["reason"] == (
        "tử số 850; mẫu số 1.000")
    html = client.get(reverse("scoring:assessment_page", args=[assessment_a.pk])).content.decode()
    reasons = re.findall(r"data-reason>([^<]*)</small>", html)
    assert "trừ 0,5 × 2 lần" in reasons and "tử số 850; mẫu số 1.000" in reasons
    assert not [reason for reason in reasons if DOT_FIGURE.search(reason)]


def test_the_finalisation_notification_shows_the_total_in_vietnamese(media, campaign, agency_a, staff_a, leader_a,
                                                                     officer, appraiser):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    assign(campaign, appraiser, ["1", "2", "4"], officer=officer)
    a = Assessment.objects.get(pk=w.a.pk)
    not_applicable = {"3", "3.1", "3.2"}  # the world's field 3 does not apply to agency A
    for i in a.items.select_related("criterion").exclude(criterion__rule="sum"):
        if i.criterion.code not in not_applicable:
            svc.item_appraise(item=i, input=None, comment="", user=officer)
    final = svc.assessment_finalize(assessment=a, user=officer)
    text = Notification.objects.filter(user=staff_a, key__startswith="assessment-final").get().text
    total = f"{final.appraised_total:.2f}".replace(".", ",")
    assert f"({total} điểm)" in text and "," in total
    assert not DOT_FIGURE.search(text)


def test_survey_invitation_e_mail_writes_the_year_as_2026():
    row = Outbox(to="an@example.vn", subject="Mời trả lời phiếu", template="survey_invitation", context={
        "full_name": "An", "group_name": "Lãnh đạo sở", "form_code": "Phiếu 02", "campaign_name": "Chỉ số CCHC",
        "year": 2026, "agency_name": "Sở A", "opens_at": "08:00 18/03/2026", "closes_at": "17:00 31/03/2026",
        "sealed_url": seal("https://cchc.example.vn/s/abc/"),
    })
    with translation.override("vi"):
        text, html = outbox_render(row)
    for body in (text, html):
        assert "năm 2026" in body and "2.026" not in body

"""The respondent's page: unknown, expired, used and replaced links; the window with an
extension; saving as you go; the shortcut; every row required; one submission."""
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Extension
from surveys.answers import expand_pending
from surveys.models import Answer, Invitation, Question, Response
from surveys.selectors import answering as answering_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services
from surveys.services import invitations as invitation_services
from surveys.services import questionnaire as questionnaire_services
from surveys.tokens import new_token

from .conftest import full_answers
from .helpers import answer_url

pytestmark = pytest.mark.django_db


def saved(invitation):
    """What the link would resume with: the response's document of answers."""
    return answering_selectors.stored_answers(response=Response.objects.get(invitation=invitation))


def main(response):
    """The page's own content (the layout around it carries a per-request CSRF token)."""
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def test_unknown_and_expired_links_get_the_same_plain_page(client, survey, invite, commune):
    invitation, token = invite(commune, "an@example.vn")
    unknown = client.get(answer_url(new_token()))
    survey.step.closes_at = timezone.now() - timedelta(minutes=1)
    survey.step.opens_at = timezone.now() - timedelta(days=3)
    survey.step.save()
    expired = client.get(answer_url(token))
    assert unknown.status_code == expired.status_code == 404
    assert main(unknown) == main(expired)
    assert "Liên kết không hợp lệ hoặc đã hết hạn." in unknown.content.decode()
    assert "Lãnh đạo" not in expired.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_a_voided_invitation_looks_unknown(client, survey, invite, commune):
    invitation, token = invite(commune, "an@example.vn")
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.VOIDED)
    assert main(client.get(answer_url(token))) == main(client.get(answer_url(new_token())))


def test_first_open_marks_opened_and_shows_the_matrix(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    page = client.get(answer_url(token))
    assert page.status_code == 200
    html = page.content.decode()
    for agency in (agency_a, agency_b):
        assert f'name="q{survey.q1.pk}_a{agency.pk}"' in html
        assert f"<legend>{agency.name}" in html
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED and invitation.opened_at is not None
    first = invitation.opened_at
    client.get(answer_url(token))
    invitation.refresh_from_db()
    assert invitation.opened_at == first
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_a_respondent_never_rates_their_own_agency(client, survey, invite, agency_a, agency_b):
    """A department's people rating departments: every department but their own."""
    survey.ldx.rates_group = agency_a.group
    survey.ldx.save()
    _, token = invite(agency_a, "lanhdao@example.vn")
    html = client.get(answer_url(token)).content.decode()
    assert f"_a{agency_b.pk}" in html and f"_a{agency_a.pk}" not in html


def test_before_the_window_opens_the_link_says_when(client, survey, invite, commune):
    _, token = invite(commune, "an@example.vn")
    survey.step.opens_at = timezone.now() + timedelta(days=1)
    survey.step.save()
    page = client.get(answer_url(token))
    assert page.status_code == 200 and "Chưa đến thời gian trả lời phiếu" in page.content.decode()
    response = client.post(answer_url(token), full_answers(survey, []) | {"action": "submit"})
    assert "Chưa đến thời gian" in response.content.decode()
    assert not Response.objects.filter(submitted_at__isnull=False).exists()


def test_an_extension_for_the_respondents_agency_keeps_the_link_open(client, survey, invite, commune, agency_a,
                                                                      agency_b, officer):
    _, token = invite(commune, "an@example.vn")
    _, other_token = invite(agency_a, "sa@example.vn", group_obj=survey.lds)
    now = timezone.now()
    survey.step.opens_at, survey.step.closes_at = now - timedelta(days=5), now - timedelta(hours=1)
    survey.step.save()
    Extension.objects.create(step=survey.step, agency=commune, closes_at=now + timedelta(days=1), reason="Lũ",
                             granted_by=officer, granted_at=now)
    assert client.get(answer_url(other_token)).status_code == 404
    assert client.get(answer_url(token)).status_code == 200
    client.post(answer_url(token), full_answers(survey, [agency_a, agency_b]) | {"action": "submit"})
    assert Invitation.objects.get(respondent__email="an@example.vn").status == Invitation.Status.ANSWERED


def test_the_window_is_enforced_by_the_services_too(survey, invite, commune, agency_a, agency_b):
    invitation, _ = invite(commune, "an@example.vn")
    questionnaire = questionnaire_selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
    after = survey.step.closes_at + timedelta(seconds=1)
    with pytest.raises(answering_services.DeadlineError):
        answering_services.response_save(invitation=invitation, answers={}, now=after)
    with pytest.raises(answering_services.DeadlineError):
        answering_services.response_submit(invitation=invitation, questionnaire=questionnaire, now=after)
    before = survey.step.opens_at - timedelta(seconds=1)
    with pytest.raises(answering_services.DeadlineError):
        answering_services.response_save(invitation=invitation, answers={}, now=before)


def test_partial_saves_resume_on_the_same_link(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    client.get(answer_url(token))
    save = reverse("surveys:answer_save", kwargs={"token": token})
    r = client.post(save, {f"q{survey.q1.pk}_a{agency_a.pk}": "B", f"q{survey.q4.pk}": "Ý kiến"})
    assert r.status_code == 200 and r.json()["saved"] == 2
    r = client.post(save, {f"q{survey.q1.pk}_a{agency_a.pk}": "C"})
    assert r.status_code == 200
    html = client.get(answer_url(token)).content.decode()
    assert f'name="q{survey.q1.pk}_a{agency_a.pk}" value="C" checked' in html
    assert "Ý kiến</textarea>" in html
    assert saved(invitation) == {(survey.q1.pk, agency_a.pk): ["C"], (survey.q4.pk, None): "Ý kiến"}
    assert not Answer.objects.exists()  # a draft is one row; only sent answers become counted rows


def test_bad_answers_are_refused(client, survey, invite, commune, agency_a):
    _, token = invite(commune, "an@example.vn")
    save = reverse("surveys:answer_save", kwargs={"token": token})
    assert client.post(save, {f"q{survey.q1.pk}_a{agency_a.pk}": "Z"}).status_code == 400
    assert client.post(save, {f"q{survey.q1.pk}_a{commune.pk}": "A"}).status_code == 400  # not rated by this group
    assert client.post(save, {f"q{survey.s1.pk}": "A"}).status_code == 400  # another group's question
    assert not Response.objects.exclude(answers_data={}).exists() and not Answer.objects.exists()


def test_clearing_a_multiple_choice_is_saved(client, survey, invite, commune):
    from .conftest import _question

    multi = _question(survey.ldx, "5", "multiple", "Kênh thông tin", required=False,
                      options=[{"key": "A", "label": "Báo chí", "weight": None},
                               {"key": "B", "label": "Mạng xã hội", "weight": None}])
    invitation, token = invite(commune, "an@example.vn")
    save = reverse("surveys:answer_save", kwargs={"token": token})
    client.post(save, {f"q{multi.pk}": ["A", "B"], "touched": f"q{multi.pk}"})
    assert saved(invitation)[(multi.pk, None)] == ["A", "B"]
    client.post(save, {"touched": f"q{multi.pk}"})
    assert (multi.pk, None) not in saved(invitation)


def test_same_answer_for_all_without_javascript(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    r = client.post(answer_url(token), {"fill": f"{survey.q2.pk}:D", "action": "save"})
    assert r.status_code == 302 and r["Location"].endswith(f"#q{survey.q2.pk}")
    rows = {key: value for key, value in saved(invitation).items() if key[0] == survey.q2.pk}
    assert rows == {(survey.q2.pk, agency_a.pk): ["D"], (survey.q2.pk, agency_b.pk): ["D"]}


def test_every_rating_row_is_required_and_the_page_says_which(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b])
    del data[f"q{survey.q2.pk}_a{agency_b.pk}"]
    page = client.post(answer_url(token), data | {"action": "submit"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Còn 1 câu/dòng chưa trả lời." in html
    assert (f'<a href="#q{survey.q2.pk}_a{agency_b.pk}" data-jump>Còn 1 câu chưa trả lời ở phần 2</a> (Thủ tục)'
            in html)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED
    # what was answered is kept, so completing the one row is enough
    r = client.post(reverse("surveys:answer_save", kwargs={"token": token}),
                    {f"q{survey.q2.pk}_a{agency_b.pk}": "E"})
    assert r.status_code == 200
    page = client.post(answer_url(token), full_answers(survey, [agency_a, agency_b]) | {
        f"q{survey.q2.pk}_a{agency_b.pk}": "E", "action": "submit"})
    assert page.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED


def test_the_optional_text_may_stay_empty_but_the_single_choice_may_not(survey, invite, commune, agency_a, agency_b):
    invitation, _ = invite(commune, "an@example.vn")
    questionnaire = questionnaire_selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
    answers = {(survey.q1.pk, a.pk): ["A"] for a in (agency_a, agency_b)}
    answers |= {(survey.q2.pk, a.pk): ["A"] for a in (agency_a, agency_b)}
    answering_services.response_save(invitation=invitation, answers=answers)
    with pytest.raises(answering_services.IncompleteAnswers) as exc:
        answering_services.response_submit(invitation=invitation, questionnaire=questionnaire)
    assert [(q.pk, a) for q, a in exc.value.missing] == [(survey.q3.pk, None)]


def test_used_link_shows_the_thank_you_without_answers(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    r = client.post(answer_url(token), full_answers(survey, [agency_a, agency_b], text="Cần cải thiện phần mềm") | {
        "action": "submit"})
    assert r.status_code == 302 and r["Location"] == answer_url(token)
    page = client.get(answer_url(token))
    html = page.content.decode()
    assert page.status_code == 200 and "Cảm ơn ông/bà đã trả lời phiếu." in html
    assert "Cần cải thiện" not in html and 'type="radio"' not in html
    again = client.post(answer_url(token), full_answers(survey, [agency_a, agency_b], q1="D") | {"action": "submit"})
    assert again.status_code == 200 and "Cảm ơn" in again.content.decode()
    save = client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q4.pk}": "x"})
    assert save.status_code == 409
    assert expand_pending() == 1
    assert set(Answer.objects.filter(question=survey.q1).values_list("option", flat=True)) == {"A"}
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_a_replaced_link_says_so_and_the_new_one_resumes(client, survey, invite, commune, agency_a):
    invitation, old = invite(commune, "an@example.vn")
    client.post(reverse("surveys:answer_save", kwargs={"token": old}), {f"q{survey.q1.pk}_a{agency_a.pk}": "B"})
    new = invitation_services.invitation_reissue(invitation=invitation, send_email=False)
    page = client.get(answer_url(old))
    assert page.status_code == 410 and "thay bằng liên kết mới" in page.content.decode()
    html = client.get(answer_url(new)).content.decode()
    assert f'name="q{survey.q1.pk}_a{agency_a.pk}" value="B" checked' in html


@override_settings(SURVEY_RATE_TOKEN=(3, 60))
def test_rate_limited_per_link(client, survey, invite, commune):
    _, token = invite(commune, "an@example.vn")
    assert [client.get(answer_url(token)).status_code for _ in range(4)] == [200, 200, 200, 429]


@override_settings(SURVEY_RATE_BAD_TOKEN_IP=(2, 600))
def test_guessing_links_from_one_address_is_cut_off(client, survey, invite, commune):
    _, token = invite(commune, "an@example.vn")
    assert [client.get(answer_url(new_token())).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(answer_url(token)).status_code == 429  # even a good link, from that address, for a while


@override_settings(SURVEY_RATE_IP=(2, 60))
def test_rate_limited_per_address(client, survey, invite, commune):
    _, token = invite(commune, "an@example.vn")
    _, token2 = invite(commune, "binh@example.vn")
    assert [client.get(answer_url(t)).status_code for t in (token, token2, token)] == [200, 200, 429]


def test_a_token_that_is_too_long_is_simply_unknown(client, survey):
    assert client.get(answer_url("x" * 300)).status_code == 404


def test_a_question_changed_by_an_officer_shows_at_once(client, survey, invite, commune, officer):
    _, token = invite(commune, "an@example.vn")
    assert "Thời gian chờ" not in client.get(answer_url(token)).content.decode()
    questionnaire_services.question_save(group=survey.ldx, number="5", text="Thời gian chờ tại bộ phận một cửa",
                                         kind="single",
                           options=[{"key": "A", "label": "Ngắn", "weight": None},
                                    {"key": "B", "label": "Dài", "weight": None}], user=officer)
    assert "Thời gian chờ tại bộ phận một cửa" in client.get(answer_url(token)).content.decode()


def test_ids_past_a_thousand_keep_their_digits_in_names_anchors_and_buttons(client, survey, invite, commune,
                                                                             agency_a, agency_b):
    """Vietnamese groups thousands with a dot: an id must never be shown as 12.345 where the
    page posts it back or links to it."""
    from .conftest import _question

    big = _question(survey.ldx, "9", "rating", "Câu có mã lớn", criterion=survey.dept["8.1"])
    Question.objects.filter(pk=big.pk).update(id=12345)
    _, token = invite(commune, "an@example.vn")
    page = client.post(answer_url(token), full_answers(survey, [agency_a, agency_b]) | {"action": "submit"})
    html = page.content.decode()
    assert page.status_code == 200 and "12.345" not in html
    assert f'name="q12345_a{agency_a.pk}"' in html and 'value="12345:A"' in html
    assert f'href="#q12345_a{agency_a.pk}"' in html


def test_a_matrix_rows_buttons_are_what_the_template_wrote_for_them():
    """The rows' radio buttons are written in Python (the template language took most of the
    page's time on them): the same markup as the template's loop, escaping included."""
    from django.template import Context, Template

    from campaigns.models import Agency
    from surveys.models import Question
    from surveys.public import _view_rows
    from surveys.selectors.questionnaire import Questionnaire

    options = [{"key": "A", "label": "Tốt <b>&</b> \"rất\" tốt", "weight": "100"},
               {"key": "B", "label": "Khá", "weight": "60"}, {"key": "E", "label": "Không biết", "weight": None}]
    question = Question(pk=1050, kind="rating", options=options, required=True)
    rated = [Agency(pk=7, name="Sở 7"), Agency(pk=9, name="Sở 9")]
    rows = _view_rows(Questionnaire(None, [question], rated), {(1050, 7): ["B"]}, set())[0]["items"][0]["rows"]
    loop = Template('{% for o in q.options %}\n        <label class="sv-opt"><input type="radio" name="{{ row.name }}" '
                    'value="{{ o.key }}"{% if row.value == o.key %} checked{% endif %}><span class="sv-key">'
                    '<span><b>{{ o.key }}</b> · {{ o.label }}</span></span></label>{% endfor %}')
    for row in rows:
        assert row["options_html"] == loop.render(Context({"q": question, "row": row}))
    assert 'name="q1050_a7" value="B" checked>' in rows[0]["options_html"] and " checked" not in rows[1]["options_html"]
    assert "Tốt &lt;b&gt;&amp;&lt;/b&gt; &quot;rất&quot; tốt" in rows[0]["options_html"]


def test_a_failed_submit_says_per_section_how_many_rows_are_left_not_one_link_per_row(
        client, survey, invite, commune, agency_a, agency_b):
    _, token = invite(commune, "an@example.vn")
    data = {f"q{survey.q1.pk}_a{agency_a.pk}": "A", "action": "submit"}  # one row of six answered
    html = main(client.post(answer_url(token), data))
    assert "Còn 4 câu/dòng chưa trả lời." in html
    lines = html[html.index('<ul class="sv-missing-list">'):html.index("</ul>")]
    assert lines.count("<li>") == 3  # one line per section, not one link per row
    assert f'<a href="#q{survey.q1.pk}_a{agency_b.pk}" data-jump>Còn 1 câu chưa trả lời ở phần 1</a>' in lines
    assert f'<a href="#q{survey.q2.pk}_a{agency_a.pk}" data-jump>Còn 2 câu chưa trả lời ở phần 2</a>' in lines
    assert f'<a href="#q{survey.q3.pk}" data-jump>Còn 1 câu chưa trả lời ở phần 3</a> (Thông tin chung)' in lines
    assert "Câu 2 –" not in html


def test_the_page_is_in_numbered_sections_and_each_button_says_what_it_means(client, survey, invite, commune,
                                                                              agency_a, agency_b):
    survey.ldx.instructions = "Chọn một phương án cho mỗi dòng."
    survey.ldx.save()
    _, token = invite(commune, "an@example.vn")
    client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q1.pk}_a{agency_a.pk}": "B"})
    html = main(client.get(answer_url(token)))
    assert [html.count(f'<section class="sv-section" id="sec-{n}" data-section="{n}"') for n in (1, 2, 3)] == [1] * 3
    assert '<span class="sv-part">Phần 2/3</span> · Thủ tục</h2>' in html
    assert (f'name="q{survey.q1.pk}_a{agency_a.pk}" value="B" checked><span class="sv-key"><span><b>B</b> · Khá</span>'
            in html)
    assert html.count("<b>C</b> · Trung bình") == 4 + 2  # every matrix row's button, and the two shortcuts
    assert '<progress class="sv-meter" max="6" value="1"' in html and "/6 câu" in html
    assert html.count("Chọn một phương án cho mỗi dòng") == 1  # the instructions once
    assert "chọn một phương án cho mỗi dòng (“Không biết”" not in html
    assert html.count("data-required") == 4 + 1  # the matrix rows and the single choice; the text is optional


def test_without_group_instructions_the_page_gives_the_general_ones_once(client, survey, invite, commune):
    _, token = invite(commune, "an@example.vn")
    html = main(client.get(answer_url(token)))
    assert html.count("chọn một phương án cho mỗi dòng") == 1

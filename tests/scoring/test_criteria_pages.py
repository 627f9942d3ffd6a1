"""Officer pages of criteria sets: they render, they work, and others are refused."""
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from campaigns.links import links_for
from campaigns.models import Campaign
from scoring.models import CriteriaAmendment, CriteriaSet, Criterion
from scoring.services.criteria import criteria_set_lock
from tests.factories import CampaignFactory, group

from .factories import build_tree, criteria_set_with_tree

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "criteria_department.xlsx"


@pytest.fixture
def draft(agency_a, agency_b, commune):
    c = CampaignFactory(status=Campaign.Status.DRAFT)
    c.groups.set([group("department"), group("commune")])
    c.agencies.set([agency_a, agency_b, commune])
    return c


@pytest.fixture
def cs(draft):
    return criteria_set_with_tree(campaign=draft, group=group("department"))


def officer_pages(cs):
    leaf = Criterion.objects.get(criteria_set=cs, code="1.3")
    return [
        reverse("scoring:criteria_sets", args=[cs.campaign.pk]),
        reverse("scoring:criteria_set", args=[cs.pk]),
        reverse("scoring:criterion_create", args=[cs.pk]) + "?parent=1.1",
        reverse("scoring:criterion_edit", args=[leaf.pk]),
        reverse("scoring:criterion_move", args=[leaf.pk]) + "?direction=up",
        reverse("scoring:criterion_delete", args=[leaf.pk]),
        reverse("scoring:criteria_validate", args=[cs.pk]),
        reverse("scoring:criteria_set_settings", args=[cs.pk]),
        reverse("scoring:criteria_mapping", args=[cs.pk]),
        reverse("scoring:criteria_amendments", args=[cs.pk]),
        reverse("scoring:criteria_import", args=[cs.campaign.pk, "department"]),
        reverse("scoring:criteria_set_copy", args=[cs.campaign.pk]),
        reverse("scoring:criteria_export", args=[cs.pk]),
        reverse("scoring:criteria_preview", args=[cs.pk]),
    ]


def test_every_page_renders_for_officers_and_refuses_others(cs, login, officer, staff_a, appraiser, client):
    for url in officer_pages(cs):
        assert client.get(url).status_code == 302  # anonymous: to the login page
    login(officer)
    for url in officer_pages(cs):
        r = client.get(url)
        assert r.status_code == 200, url
    for user in (staff_a, appraiser):
        login(user)
        for url in officer_pages(cs)[:-1]:
            assert client.get(url).status_code == 403, url
        for url in (reverse("scoring:criteria_set_lock", args=[cs.pk]),
                    reverse("scoring:criteria_set_create", args=[cs.campaign.pk])):
            assert client.post(url).status_code == 403
    assert not CriteriaSet.objects.filter(locked_at__isnull=False).exists()


def test_preview_for_agencies_of_the_group_only(cs, login, staff_a, commune_staff, client):
    url = reverse("scoring:criteria_preview", args=[cs.pk])
    login(staff_a)
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Đúng hạn" in html and "Tử số" in html and "Số lần vi phạm" in html and "điều tra xã hội học" in html
    assert 'data-step="0.25"' in html and "disabled" in html
    assert "Không có tài liệu: 0 điểm" in html
    login(commune_staff)
    assert client.get(url).status_code == 404
    assert client.get(reverse("scoring:criteria_preview", args=[999999])).status_code == 404


def test_preview_as_one_agency_shows_not_applicable_and_its_max(cs, login, officer, agency_a, client):
    Criterion.objects.get(criteria_set=cs, code="2").not_applicable_to.set([agency_a])
    login(officer)
    r = client.get(reverse("scoring:criteria_preview", args=[cs.pk]) + "?agency=SA")
    html = r.content.decode()
    assert "Không áp dụng" in html and "10,00" in html  # applicable max: 20 − field 2
    assert r.context["applicable_max"] == Decimal("10")


def test_tree_page_query_count_does_not_grow(cs, login, officer, client, django_assert_max_num_queries):
    login(officer)
    url = reverse("scoring:criteria_set", args=[cs.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        small = client.get(url)
    build_tree(cs, [("3", "30")] + [(f"3.{i}", "1", "manual", "step=0.5") for i in range(1, 31)])
    with django_assert_max_num_queries(12):
        big = client.get(url)
    assert big.content.count(b'class="crit-code"') == small.content.count(b'class="crit-code"') + 31


def test_sets_page_query_count(cs, login, officer, client, django_assert_max_num_queries):
    criteria_set_with_tree(campaign=cs.campaign, group=group("commune"))
    login(officer)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("scoring:criteria_sets", args=[cs.campaign.pk]))
    assert r.status_code == 200 and len(r.context["sets"]) == 2


def test_preview_and_mapping_query_counts(cs, login, officer, client, django_assert_max_num_queries):
    login(officer)
    build_tree(cs, [("3", "30")] + [(f"3.{i}", "1", "levels", "Có=1; Không=0") for i in range(1, 31)])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("scoring:criteria_preview", args=[cs.pk]) + "?agency=SA").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("scoring:criteria_mapping", args=[cs.pk])).status_code == 200


def test_add_edit_move_delete_through_the_pages(cs, login, officer, agency_b, client):
    login(officer)
    r = client.post(reverse("scoring:criterion_create", args=[cs.pk]) + "?parent=1", {
        "code": "1.5", "title": "Tuyên truyền CCHC", "max_points": "2", "rule": "bands",
        "rule_params": ">=90:2; 50-<90:1; <50:0", "evidence_required": "on", "guidance": "Kế hoạch tuyên truyền",
        "not_applicable_to": [agency_b.pk],
    })
    assert r.status_code == 302
    new = Criterion.objects.get(criteria_set=cs, code="1.5")
    assert new.parent.code == "1" and new.evidence_required and list(new.not_applicable_to.all()) == [agency_b]
    # bad params: the form says what is wrong and nothing is saved
    r = client.post(reverse("scoring:criterion_edit", args=[new.pk]), {
        "code": "1.5", "title": "Tuyên truyền", "max_points": "2", "rule": "bands", "rule_params": ">90:2; <50:0"})
    assert r.status_code == 200 and "còn thiếu" in r.content.decode()
    # a taken code comes back on the code field
    r = client.post(reverse("scoring:criterion_edit", args=[new.pk]), {
        "code": "1.3", "title": "Tuyên truyền", "max_points": "2", "rule": "manual", "rule_params": ""})
    assert r.status_code == 200 and r.context["form"].errors["code"]
    # move it under field 2 by changing the code
    r = client.post(reverse("scoring:criterion_edit", args=[new.pk]), {
        "code": "2.4", "title": "Tuyên truyền", "max_points": "2", "rule": "manual", "rule_params": "step=0.5"})
    assert r.status_code == 302
    new.refresh_from_db()
    assert new.code == "2.4" and new.parent.code == "2" and new.params == {"step": "0.5"}
    # up, then delete
    assert client.post(reverse("scoring:criterion_move", args=[new.pk]), {"direction": "up"}).status_code == 302
    new.refresh_from_db()
    assert new.code == "2.3"
    assert client.post(reverse("scoring:criterion_delete", args=[new.pk])).status_code == 302
    assert not Criterion.objects.filter(pk=new.pk).exists()
    assert not CriteriaAmendment.objects.exists()


def test_locked_set_pages_ask_for_a_reason_and_record_it(cs, login, officer, client):
    criteria_set_lock(criteria_set=cs)
    login(officer)
    leaf = Criterion.objects.get(criteria_set=cs, code="1.3")
    data = {"code": "1.3", "title": "Kiểm tra CCHC hằng năm", "max_points": "3", "rule": "deduction",
            "rule_params": "per=0.5"}
    r = client.post(reverse("scoring:criterion_edit", args=[leaf.pk]), data)
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    r = client.post(reverse("scoring:criterion_edit", args=[leaf.pk]), {**data, "reason": "Theo Kế hoạch 10/KH"})
    assert r.status_code == 302
    page = client.get(reverse("scoring:criteria_set", args=[cs.pk])).content.decode()
    assert "Theo Kế hoạch 10/KH" in page and "Kiểm tra CCHC hằng năm" in page and "Đã khóa" in page
    r = client.post(reverse("scoring:criterion_move", args=[leaf.pk]), {"direction": "up"})
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    client.post(reverse("scoring:criterion_move", args=[leaf.pk]), {"direction": "up", "reason": "Sắp xếp lại"})
    assert CriteriaAmendment.objects.count() == 2
    assert "Sắp xếp lại" in client.get(reverse("scoring:criteria_amendments", args=[cs.pk])).content.decode()


def test_import_preview_then_confirm(draft, login, officer, client):
    login(officer)
    url = reverse("scoring:criteria_import", args=[draft.pk, "department"])
    r = client.post(url, {"step": "check", "file": io.BytesIO(SAMPLE.read_bytes())})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sẽ thêm 44" in html and "Xác nhận nhập" in html
    assert "<td>Tỷ lệ × điểm tối đa</td>" in html and "<td>ratio</td>" not in html  # the rule's name, not its code
    assert not CriteriaSet.objects.exists()
    token = r.context["token"]
    r = client.post(url, {"step": "confirm", "token": "wrong"})
    assert r.status_code == 302 and not CriteriaSet.objects.exists()
    r = client.post(url, {"step": "confirm", "token": token})
    assert r.status_code == 302
    criteria_set = CriteriaSet.objects.get(campaign=draft, group__code="department")
    assert criteria_set.criteria.count() == 44


def test_import_page_lists_every_row_error(draft, login, officer, client):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Nội dung", "Điểm tối đa", "Cách chấm", "Tham số"])
    ws.append(["1", "Lĩnh vực", 2, "sum", ""])
    ws.append(["1.1", "A", 1, "levels", "Có=5"])
    ws.append(["1.2", "B", 1, "khong-biet", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    login(officer)
    r = client.post(reverse("scoring:criteria_import", args=[draft.pk, "department"]), {"step": "check", "file": buf})
    assert r.status_code == 200
    assert [(e.row, e.column) for e in r.context["report"].errors] == [(3, "rule_params"), (4, "rule")]
    assert "Xác nhận nhập" not in r.content.decode()
    assert not CriteriaSet.objects.exists()


def test_create_copy_lock_and_map(cs, login, officer, client):
    login(officer)
    r = client.post(reverse("scoring:criteria_set_create", args=[cs.campaign.pk]), {"group": group("commune").pk})
    assert r.status_code == 302 and CriteriaSet.objects.filter(group__code="commune").exists()
    nxt = CampaignFactory(status=Campaign.Status.DRAFT, year=2027, previous=cs.campaign)
    nxt.groups.set([group("department")])
    r = client.post(reverse("scoring:criteria_set_copy", args=[nxt.pk]), {"source": cs.pk})
    copy = CriteriaSet.objects.get(campaign=nxt)
    assert r.status_code == 302 and r.url == reverse("scoring:criteria_mapping", args=[copy.pk])
    page = client.get(r.url)
    assert page.status_code == 200 and 'value="1.1.2"' in page.content.decode()
    mapping = {f"prev-{c.code}": c.code for c in Criterion.objects.filter(criteria_set=copy)}
    mapping["prev-1.2"] = "9.9"
    r = client.post(reverse("scoring:criteria_mapping", args=[copy.pk]), {**mapping, "action": "save"})
    assert r.status_code == 200 and "9.9" in r.content.decode()  # the error is shown, nothing saved
    mapping["prev-1.2"] = ""
    r = client.post(reverse("scoring:criteria_mapping", args=[copy.pk]), {**mapping, "action": "save"})
    assert r.status_code == 302
    assert Criterion.objects.get(criteria_set=copy, code="1.2").previous is None
    client.post(reverse("scoring:criteria_mapping", args=[copy.pk]), {"action": "by_code"})
    assert Criterion.objects.get(criteria_set=copy, code="1.2").previous.code == "1.2"
    r = client.post(reverse("scoring:criteria_set_lock", args=[copy.pk]))
    copy.refresh_from_db()
    assert r.status_code == 302 and copy.locked_at is not None


def test_campaign_page_links(cs, officer, staff_a, commune_staff):
    officer_links = [link for link in links_for(cs.campaign, officer) if link.label == "Bộ tiêu chí"]
    assert [link.url for link in officer_links] == [reverse("scoring:criteria_sets", args=[cs.campaign.pk])]
    staff_links = [link for link in links_for(cs.campaign, staff_a) if link.label.startswith("Bộ tiêu chí")]
    assert [link.url for link in staff_links] == [reverse("scoring:criteria_preview", args=[cs.pk])]
    assert not [link for link in links_for(cs.campaign, commune_staff) if link.label.startswith("Bộ tiêu chí")]


def test_criterion_form_reads_a_decimal_comma_and_refuses_two_marks(cs, login, officer, staff_a, client):
    login(staff_a)
    url = reverse("scoring:criterion_create", args=[cs.pk]) + "?parent=1"
    data = {"code": "1.5", "title": "Tuyên truyền CCHC", "max_points": "1,5", "rule": "manual",
            "rule_params": "step=0,5"}
    assert client.post(url, data).status_code in (403, 404)
    login(officer)
    r = client.post(url, {**data, "max_points": "1,5,5"})
    assert r.status_code == 200 and "có nhiều dấu phân cách thập phân" in r.context["form"].errors["max_points"][0]
    assert 'value="1,5,5"' in r.content.decode()  # the text stays as typed
    assert client.post(url, data).status_code == 302
    new = Criterion.objects.get(criteria_set=cs, code="1.5")
    assert new.max_points == Decimal("1.5") and new.params == {"step": "0.5"}


def test_preview_says_what_a_numerator_above_the_denominator_does(cs, login, staff_a, commune_staff, client):
    Criterion.objects.filter(criteria_set=cs, code="1.2").update(params={"target": "97.5", "over": "refuse"})
    url = reverse("scoring:criteria_preview", args=[cs.pk])
    login(staff_a)
    html = client.get(url).content.decode()
    assert "Tử số lớn hơn mẫu số (vượt kế hoạch) được tính như đạt đủ" in html  # 1.1.2, bands: the default
    assert "Tử số không được lớn hơn mẫu số." in html and "/ 97,5%" in html  # 1.2, ratio: over=refuse
    login(commune_staff)
    assert client.get(url).status_code == 404

"""Publishing freezes a numbered snapshot; corrections get the next number with a note."""
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from reports.models import Publication, PublicationRow
from reports.services import grade_bands_parse, publication_create, result_settings_update
from scoring.models import Assessment, Item

from .builders import golden_campaign, set_appraised


@pytest.fixture
def golden(campaign, agency_a, agency_b):
    return golden_campaign(campaign, agency_a, agency_b)


def test_publication_freezes_rows_method_and_marks_campaign_published(campaign, golden, officer):
    now = timezone.now()
    pub = publication_create(campaign=campaign, user=officer, decision_number=" 123/QĐ-UBND ", note="", now=now)
    assert (pub.number, pub.decision_number, pub.published_at, pub.published_by) == (1, "123/QĐ-UBND", now, officer)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED
    rows = {r["agency_code"]: r for r in pub.rows}
    assert (rows["SA"]["total"], rows["SA"]["max_points"], rows["SA"]["index"], rows["SA"]["rank"]) == (
        "14.47", "20.00", "72.35", 2)
    assert rows["SB"]["fields"][1] == {"code": "2", "title": "Cải cách thủ tục hành chính", "points": "4.00",
                                       "max_points": "4.00", "applicable": True, "kind": "base"}
    assert pub.method["rank_method"] == "competition" and pub.method["grade_bands"][0]["label"] == "Xuất sắc"
    assert "làm tròn" in pub.method["index_formula"]
    row = PublicationRow.objects.get(publication=pub, agency_code="SB")
    assert row.data["items"]["2.2"] == [None, "0.00"]  # not applicable
    assert row.data["items"]["2.1"] == ["4.00", "4.00"]
    assert (row.rank, row.index) == (1, Decimal("77.78"))


def test_later_edits_never_change_a_publication(campaign, golden, officer):
    _cset, a, _b = golden
    pub = publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    set_appraised(a, "1.1", "0")
    Item.objects.filter(assessment=a, criterion__code="2.2").update(appraised_points=Decimal("2"))
    pub.refresh_from_db()
    sa = next(r for r in pub.rows if r["agency_code"] == "SA")
    assert sa["total"] == "14.47"
    assert PublicationRow.objects.get(publication=pub, agency_code="SA").data["items"]["1.1"] == ["1.75", "2.00"]
    with pytest.raises(PermissionError):
        pub.note = "sửa"
        pub.save()
    with pytest.raises(PermissionError):
        pub.delete()
    with pytest.raises(PermissionError, match="không được sửa"):
        PublicationRow.objects.get(publication=pub, agency_code="SA").save()
    with pytest.raises(PermissionError, match="không được xóa"):
        PublicationRow.objects.get(publication=pub, agency_code="SA").delete()
    assert PublicationRow.objects.filter(publication=pub, agency_code="SA").exists()


def test_a_correction_is_number_two_and_needs_a_note(campaign, golden, officer):
    _cset, a, _b = golden
    publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    set_appraised(a, "1.1", "2")
    with pytest.raises(ApplicationError) as exc:
        publication_create(campaign=campaign, user=officer, decision_number="2/QĐ-UBND", note=" ")
    assert exc.value.extra["errors"]["note"]
    second = publication_create(campaign=campaign, user=officer, decision_number="2/QĐ-UBND",
                                note="Đính chính điểm tiêu chí 1.1 của Sở Tài chính")
    assert second.number == 2
    assert next(r for r in second.rows if r["agency_code"] == "SA")["total"] == "14.72"
    first = Publication.objects.get(campaign=campaign, number=1)
    assert next(r for r in first.rows if r["agency_code"] == "SA")["total"] == "14.47"


def test_nothing_to_publish_or_agencies_not_final_is_a_conflict(campaign, golden, officer):
    _cset, a, _b = golden
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.APPRAISED)
    with pytest.raises(ConflictError) as exc:
        publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    assert "SA" in exc.value.message and exc.value.extra["not_final"] == ["SA"]
    Assessment.objects.filter(campaign=campaign).delete()
    with pytest.raises(ConflictError, match="chưa có đơn vị nào"):
        publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    assert not Publication.objects.exists()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN


def test_decision_number_is_required(campaign, golden, officer):
    with pytest.raises(ApplicationError) as exc:
        publication_create(campaign=campaign, user=officer, decision_number="  ")
    assert exc.value.extra["errors"]["decision_number"]


def test_grade_bands_text_and_settings(campaign, officer, golden):
    assert grade_bands_parse("80: Tốt; 90: Xuất sắc\n0: Chưa đạt") == [
        {"min": "90", "label": "Xuất sắc"}, {"min": "80", "label": "Tốt"}, {"min": "0", "label": "Chưa đạt"}]
    for bad in ("90 Xuất sắc", "90: A; 50: B", "", "90: A; 90: B; 0: C"):
        with pytest.raises(ApplicationError):
            grade_bands_parse(bad)
    result_settings_update(campaign=campaign, user=officer, grade_bands="75: Nhóm I; 0: Nhóm II",
                           rank_method="dense", authority_name="UBND TỈNH TUYÊN QUANG", office_name="SỞ NỘI VỤ",
                           place_name="Tuyên Quang")
    pub = publication_create(campaign=campaign, user=officer, decision_number="5/QĐ-UBND")
    grades = {r["agency_code"]: r["grade"] for r in pub.rows}
    assert grades == {"SA": "Nhóm II", "SB": "Nhóm I"}
    assert pub.method["header"]["place_name"] == "Tuyên Quang"

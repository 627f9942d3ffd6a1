"""The campaign library (issue #17 point 6): entries with a checked file or an http(s) link,
the copy into next year's campaign, codes that follow the year-over-year map."""
from datetime import date

import pytest

from campaigns.services import campaign_copy_plan
from cchc_portal.core.exceptions import ApplicationError
from evidence import library
from evidence.library_models import GuidanceDocument
from evidence.validation import Refused
from scoring.models import CriteriaSet, Criterion
from scoring.services.criteria_copy import criteria_set_copy, criteria_set_map_previous
from tests.factories import group
from tests.scoring.factories import build_tree

from . import files
from .conftest import stored_files

Kind = GuidanceDocument.Kind


def add_file(campaign, officer, *, name="ke-hoach.pdf", content=None, **fields):
    fields.setdefault("kind", Kind.PLAN)
    fields.setdefault("title", "Kế hoạch triển khai xác định Chỉ số CCHC")
    return library.guidance_create(campaign=campaign, user=officer,
                                   file=files.upload(name, content or files.pdf()), **fields)


def add_link(campaign, officer, url="https://youtube.com/watch?v=abc", **fields):
    fields.setdefault("kind", Kind.VIDEO)
    fields.setdefault("title", "Video hướng dẫn chấm điểm")
    return library.guidance_create(campaign=campaign, user=officer, url=url, **fields)


def test_a_file_entry_is_checked_and_stored_with_its_metadata(campaign, officer, media):
    d = add_file(campaign, officer, number="125/KH-UBND", issued_on=date(2026, 2, 3), step_kind="self_assessment",
                 criteria_codes="1.2; 1.1.3, 1.2")
    assert d.original_name == "ke-hoach.pdf" and d.content_type == "application/pdf" and d.size > 0
    assert d.criteria_codes == ["1.1.3", "1.2"]  # sorted as codes, no repeats
    assert d.file.name.startswith(f"guidance/{campaign.pk}/") and len(stored_files(media)) == 1
    assert str(d) == "125/KH-UBND Kế hoạch triển khai xác định Chỉ số CCHC"


def test_a_refused_file_stores_nothing(campaign, officer, media):
    with pytest.raises(Refused):
        add_file(campaign, officer, name="slides.pdf", content=files.exe())
    assert not GuidanceDocument.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/a.pdf", "example.com/x",
                                 "file:///etc/passwd", "https://"])
def test_only_http_and_https_links(campaign, officer, url):
    with pytest.raises(ApplicationError) as exc:
        add_link(campaign, officer, url=url)
    assert "url" in exc.value.extra["errors"]


def test_a_link_entry(campaign, officer):
    d = add_link(campaign, officer, url=" http://tuyenquang.gov.vn/tap-huan ")
    assert d.url == "http://tuyenquang.gov.vn/tap-huan" and not d.file and d.is_link


def test_a_file_or_a_link_exactly_one(campaign, officer, media):
    with pytest.raises(ApplicationError, match="không chọn cả hai"):
        library.guidance_create(campaign=campaign, user=officer, kind=Kind.TEMPLATE, title="Biểu mẫu",
                                file=files.upload("a.pdf", files.pdf()), url="https://example.com")
    with pytest.raises(ApplicationError, match="Tải tệp lên hoặc nhập đường liên kết"):
        library.guidance_create(campaign=campaign, user=officer, kind=Kind.TEMPLATE, title="Biểu mẫu")
    assert stored_files(media) == []


def test_fields_are_checked_together(campaign, officer):
    with pytest.raises(ApplicationError) as exc:
        add_link(campaign, officer, kind="nope", title="  ", criteria_codes="1.2, 0.1, abc", step_kind="later",
                 group=group("district"))
    assert set(exc.value.extra["errors"]) == {"kind", "title", "criteria_codes", "step_kind", "group"}
    assert "0.1, abc" in exc.value.extra["errors"]["criteria_codes"][0]


def test_only_officers_manage_the_library(campaign, staff_a, appraiser, officer):
    for user in (staff_a, appraiser):
        with pytest.raises(ApplicationError) as exc:
            add_link(campaign, user)
        assert exc.value.status == 403
    d = add_link(campaign, officer)
    with pytest.raises(ApplicationError):
        library.guidance_delete(document=d, user=staff_a)
    assert GuidanceDocument.objects.filter(pk=d.pk).exists()


def test_a_link_replaces_the_file_and_the_old_file_goes(campaign, officer, media, django_capture_on_commit_callbacks):
    d = add_file(campaign, officer)
    with django_capture_on_commit_callbacks(execute=True):
        library.guidance_update(document=d, user=officer, url="https://example.com/ke-hoach", title="Kế hoạch mới")
    d.refresh_from_db()
    assert d.url == "https://example.com/ke-hoach" and not d.file and d.original_name == ""
    assert d.title == "Kế hoạch mới"
    assert stored_files(media) == []
    with django_capture_on_commit_callbacks(execute=True):
        library.guidance_update(document=d, user=officer, file=files.upload("moi.docx", files.docx()))
    d.refresh_from_db()
    assert d.url == "" and d.original_name == "moi.docx" and len(stored_files(media)) == 1
    with pytest.raises(ApplicationError):  # clearing the link of a link entry leaves nothing
        library.guidance_update(document=add_link(campaign, officer), user=officer, url="")


def test_delete_removes_the_row_and_the_file(campaign, officer, media, django_capture_on_commit_callbacks):
    d = add_file(campaign, officer)
    with django_capture_on_commit_callbacks(execute=True):
        library.guidance_delete(document=d, user=officer)
    assert not GuidanceDocument.objects.exists() and stored_files(media) == []


def test_map_codes_follows_the_map_within_the_group_and_keeps_what_it_does_not_know():
    pairs = [(1, "1.2", "1.3"), (1, "2", "2"), (2, "1.2", "1.2"), (1, "4.1", "4.1"), (1, "4.1", "4.2")]
    assert library.map_codes(["1.2", "5"], group_id=1, pairs=pairs) == ["1.3", "5"]
    assert library.map_codes(["1.2"], group_id=2, pairs=pairs) == ["1.2"]
    assert library.map_codes(["1.2"], group_id=None, pairs=pairs) == ["1.2", "1.3"]  # every group
    assert library.map_codes(["4.1"], group_id=1, pairs=pairs) == ["4.1", "4.2"]  # a split criterion


# ---------------------------------------------------------------- next year


def test_copying_the_campaign_copies_the_library_with_its_own_files(campaign, officer, media):
    a = add_file(campaign, officer, number="12/HD-BNV", criteria_codes="1.2", step_kind="training",
                 group=group("department"))
    b = add_link(campaign, officer, kind=Kind.TRAINING)
    new = campaign_copy_plan(campaign=campaign, year=2027, user=officer)
    copies = {c.copied_from_id: c for c in GuidanceDocument.objects.filter(campaign=new)}
    assert set(copies) == {a.pk, b.pk}
    ca = copies[a.pk]
    assert (ca.number, ca.kind, ca.title, ca.step_kind, ca.group_id, ca.criteria_codes) == (
        a.number, a.kind, a.title, "training", group("department").pk, ["1.2"])
    assert ca.file.name != a.file.name and ca.file.read() == files.pdf() and ca.sha256 == a.sha256
    assert copies[b.pk].url == b.url
    assert len(stored_files(media)) == 2
    assert library.guidance_copy(source=campaign, campaign=new) == 0  # idempotent
    a.refresh_from_db()
    assert a.file.read() == files.pdf()  # last year's file untouched


def test_codes_follow_the_year_over_year_map(campaign, officer):
    dept = group("department")
    build_tree(CriteriaSet.objects.create(campaign=campaign, group=dept),
               [("1", "5"), ("1.1", "2", "manual"), ("1.2", "3", "manual")])
    followed = add_link(campaign, officer, criteria_codes="1.2", group=dept)
    for_all = add_link(campaign, officer, title="Chung", criteria_codes="1.2, 1.1")
    edited = add_link(campaign, officer, title="Sửa tay", criteria_codes="1.2")
    new = campaign_copy_plan(campaign=campaign, year=2027, user=officer)
    new_set = criteria_set_copy(source=CriteriaSet.objects.get(campaign=campaign), campaign=new, user=officer)
    copy_of = {c.copied_from_id: c for c in GuidanceDocument.objects.filter(campaign=new)}
    library.guidance_update(document=copy_of[edited.pk], user=officer, criteria_codes="1.1")
    # next year 1.2 became 1.3 (a new criterion mapped onto last year's 1.2)
    Criterion.objects.filter(criteria_set=new_set, code="1.2").update(code="1.3")
    criteria_set_map_previous(criteria_set=new_set, mapping={"1.3": "1.2"})  # unchanged map: no work
    Criterion.objects.filter(criteria_set=new_set, code="1.3").update(previous=None)
    criteria_set_map_previous(criteria_set=new_set, mapping={"1.3": "1.2"})
    codes = dict(GuidanceDocument.objects.filter(campaign=new).values_list("copied_from_id", "criteria_codes"))
    assert codes[followed.pk] == ["1.3"]
    assert codes[for_all.pk] == ["1.1", "1.3"]
    assert codes[edited.pk] == ["1.1"]  # the officer's codes stay


def test_a_copy_made_after_the_map_uses_it(campaign, officer):
    dept = group("department")
    build_tree(CriteriaSet.objects.create(campaign=campaign, group=dept), [("1", "5"), ("1.2", "5", "manual")])
    add_link(campaign, officer, criteria_codes="1.2, 9.9")
    new = campaign_copy_plan(campaign=campaign, year=2027, user=officer)
    GuidanceDocument.objects.filter(campaign=new).delete()
    new_set = criteria_set_copy(source=CriteriaSet.objects.get(campaign=campaign), campaign=new, user=officer)
    Criterion.objects.filter(criteria_set=new_set, code="1.2").update(code="1.4")
    assert library.guidance_copy(source=campaign, campaign=new, user=officer) == 1
    assert GuidanceDocument.objects.get(campaign=new).criteria_codes == ["1.4", "9.9"]  # 9.9 unknown: kept


def test_a_document_of_a_group_next_year_does_not_assess_is_not_copied(campaign, officer):
    add_link(campaign, officer, group=group("commune"))
    new = campaign_copy_plan(campaign=campaign, year=2027, user=officer)
    new.groups.set([group("department")])
    GuidanceDocument.objects.filter(campaign=new).delete()
    assert library.guidance_copy(source=campaign, campaign=new) == 0

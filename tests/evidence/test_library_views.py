"""The campaign library's pages: officers manage, agencies of the campaign read and download,
everyone else is refused; the scoring page and the campaign/home links lead to it."""
import pytest
from django.urls import reverse

from campaigns.links import links_for
from campaigns.models import Role
from evidence import library
from evidence.library_models import GuidanceDocument
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, group

from . import files
from .conftest import stored_files

pytest_plugins = ["tests.scoring.assessment_fixtures"]

Kind = GuidanceDocument.Kind


@pytest.fixture
def outsider(db):
    """Staff of an agency the campaign does not cover."""
    agency = AgencyFactory(code="SC", name="Sở Y tế", group=group("department"))
    return MembershipFactory(user=UserFactory(username="outsider"), agency=agency, role=Role.STAFF).user


@pytest.fixture
def entry(campaign, officer):
    return library.guidance_create(campaign=campaign, user=officer, kind=Kind.MINISTRY, number="12/HD-BNV",
                                   title="Hướng dẫn xác định Chỉ số CCHC", criteria_codes="1.1.3",
                                   file=files.upload("huong-dan.pdf", files.pdf()))


def list_url(campaign):
    return reverse("evidence:guidance_list", args=[campaign.pk])


def test_the_officer_adds_a_file_and_a_link(login, campaign, officer, media):
    client = login(officer)
    r = client.post(reverse("evidence:guidance_create", args=[campaign.pk]), {
        "kind": "plan", "title": "Kế hoạch CCHC 2026", "number": "125/KH-UBND", "issued_on": "05/02/2026",
        "step_kind": "self_assessment", "group": "", "criteria_codes": "1.1, 2.3",
        "file": files.upload("ke-hoach.pdf", files.pdf())})
    assert r.status_code == 302 and r["Location"] == list_url(campaign)
    d = GuidanceDocument.objects.get()
    assert d.issued_on.isoformat() == "2026-02-05" and d.criteria_codes == ["1.1", "2.3"] and len(stored_files(media))
    r = client.post(reverse("evidence:guidance_create", args=[campaign.pk]), {
        "kind": "video", "title": "Video tập huấn", "url": "javascript:alert(1)"})
    assert r.status_code == 200 and "http:// hoặc https://" in r.content.decode()
    r = client.post(reverse("evidence:guidance_create", args=[campaign.pk]), {
        "kind": "video", "title": "Video tập huấn", "url": "https://youtu.be/x"})
    assert r.status_code == 302 and GuidanceDocument.objects.count() == 2
    page = client.get(list_url(campaign)).content.decode()
    assert "125/KH-UBND" in page and "05/02/2026" in page and 'href="https://youtu.be/x"' in page
    assert reverse("evidence:guidance_edit", args=[d.pk]) in page


def test_a_refused_file_is_said_on_the_form(login, campaign, officer, media):
    r = login(officer).post(reverse("evidence:guidance_create", args=[campaign.pk]), {
        "kind": "template", "title": "Biểu mẫu", "file": files.upload("bieu-mau.docx", files.exe())})
    assert r.status_code == 200 and "không thuộc các loại được nhận" in r.content.decode()
    assert not GuidanceDocument.objects.exists() and stored_files(media) == []


def test_the_officer_edits_and_deletes(login, campaign, officer, entry):
    client = login(officer)
    r = client.post(reverse("evidence:guidance_edit", args=[entry.pk]), {
        "kind": "criteria_guide", "title": "Hướng dẫn mới", "number": "", "issued_on": "", "url": "",
        "criteria_codes": "3.1"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert (entry.kind, entry.title, entry.criteria_codes) == ("criteria_guide", "Hướng dẫn mới", ["3.1"])
    assert entry.file  # no new file, no link: the file stays
    assert client.get(reverse("evidence:guidance_delete", args=[entry.pk])).status_code == 200
    assert client.post(reverse("evidence:guidance_delete", args=[entry.pk])).status_code == 302
    assert not GuidanceDocument.objects.exists()


def test_agencies_of_the_campaign_read_and_download(login, campaign, staff_a, commune_staff, entry):
    for user in (staff_a, commune_staff):
        client = login(user)
        page = client.get(list_url(campaign)).content.decode()
        assert "Hướng dẫn xác định Chỉ số CCHC" in page and "Thêm tài liệu" not in page
        assert reverse("evidence:guidance_edit", args=[entry.pk]) not in page
        r = client.get(reverse("evidence:guidance_file", args=[entry.pk]))
        assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
        assert r["Cache-Control"] == "private, no-store" and b"".join(r.streaming_content) == files.pdf()


def test_agencies_may_not_manage(login, campaign, staff_a, leader_a, entry):
    for user in (staff_a, leader_a):
        client = login(user)
        assert client.get(reverse("evidence:guidance_create", args=[campaign.pk])).status_code == 403
        assert client.post(reverse("evidence:guidance_edit", args=[entry.pk]), {"kind": "plan",
                                                                                "title": "x"}).status_code == 403
        assert client.post(reverse("evidence:guidance_delete", args=[entry.pk])).status_code == 403
        assert client.post(reverse("evidence:guidance_copy", args=[campaign.pk])).status_code == 403
    assert GuidanceDocument.objects.get().title == "Hướng dẫn xác định Chỉ số CCHC"


def test_outsiders_get_404_and_anonymous_the_login(client, login, campaign, outsider, entry):
    anonymous = [client.get(list_url(campaign)), client.get(reverse("evidence:guidance_file", args=[entry.pk]))]
    assert all(r.status_code == 302 and "/login/" in r["Location"] for r in anonymous)
    c = login(outsider)
    assert c.get(list_url(campaign)).status_code == 404
    assert c.get(reverse("evidence:guidance_file", args=[entry.pk])).status_code == 404


def test_a_link_entry_has_no_file(login, campaign, officer, staff_a):
    d = library.guidance_create(campaign=campaign, user=officer, kind=Kind.VIDEO, title="Video",
                                url="https://example.com/v")
    assert login(staff_a).get(reverse("evidence:guidance_file", args=[d.pk])).status_code == 404


def test_empty_state_filters_and_pages(login, campaign, officer, staff_a):
    client = login(staff_a)
    assert "chưa có tài liệu nào" in client.get(list_url(campaign)).content.decode()
    for i in range(23):
        library.guidance_create(campaign=campaign, user=officer, kind=Kind.TEMPLATE if i % 2 else Kind.TRAINING,
                                title=f"Mẫu số {i:02d}", url=f"https://example.com/{i}")
    page = client.get(list_url(campaign)).content.decode()
    assert "23 tài liệu" in page and "Trang 1/2" in page and page.count("data-guidance=") == 20
    page = client.get(list_url(campaign), {"kind": "template"}).content.decode()
    assert page.count("data-guidance=") == 11
    page = client.get(list_url(campaign), {"q": "Mẫu số 07"}).content.decode()
    assert page.count("data-guidance=") == 1
    assert "khớp với điều kiện lọc" in client.get(list_url(campaign), {"q": "không có"}).content.decode()


def test_the_page_links_keep_the_filters(login, campaign, officer, staff_a, monkeypatch):
    from evidence import library_views

    monkeypatch.setattr(library_views, "PAGE_SIZE", 2)
    for i in range(5):
        library.guidance_create(campaign=campaign, user=officer, kind=Kind.TRAINING, title=f"Mẫu số {i}",
                                url=f"https://example.com/{i}")
    page = login(staff_a).get(list_url(campaign), {"kind": "training", "q": "Mẫu", "page": 2}).content.decode()
    assert 'href="?kind=training&amp;q=M%E1%BA%ABu&amp;page=1"' in page
    assert 'href="?kind=training&amp;q=M%E1%BA%ABu&amp;page=3"' in page


@pytest.mark.parametrize("n", [3, 30])
def test_list_queries_do_not_grow(n, login, campaign, officer, staff_a, django_assert_max_num_queries):
    for i in range(n):
        library.guidance_create(campaign=campaign, user=officer, kind=Kind.TEMPLATE, title=f"Mẫu {i}",
                                url=f"https://example.com/{i}", group=group("department"), criteria_codes="1.1")
    client = login(staff_a)
    with django_assert_max_num_queries(11):  # session, user, roles (3), campaign (3), count, bell, rows
        assert client.get(list_url(campaign)).status_code == 200


def test_copy_from_last_year_on_the_page(login, campaign, officer, entry):
    from campaigns.services import campaign_create

    new = campaign_create(user=officer, year=2027, name="Chỉ số CCHC 2027", groups=list(campaign.groups.all()),
                          previous=campaign)
    client = login(officer)
    page = client.get(list_url(new)).content.decode()
    assert "Sao chép từ thư viện năm 2026" in page
    r = client.post(reverse("evidence:guidance_copy", args=[new.pk]), follow=True)
    assert "Đã sao chép 1 tài liệu" in r.content.decode()
    assert GuidanceDocument.objects.filter(campaign=new, copied_from=entry).exists()


def test_the_scoring_page_links_the_documents_of_an_item(login, assessment_a, officer, staff_a, entry):
    library.guidance_create(campaign=assessment_a.campaign, user=officer, kind=Kind.VIDEO, title="Chỉ cho xã",
                            url="https://example.com/xa", criteria_codes="1.1.3", group=group("commune"))
    html = login(staff_a).get(reverse("scoring:assessment_page", args=[assessment_a.pk])).content.decode()
    start = html.index('id="item-1.1.3"')
    row = html[start:html.find("</tr>", start)]
    assert reverse("evidence:guidance_file", args=[entry.pk]) in row and "12/HD-BNV" in row
    assert "Chỉ cho xã" not in row  # another group's document
    other = html[html.index('id="item-1.2"'):]
    assert reverse("evidence:guidance_file", args=[entry.pk]) not in other[:other.find("</tr>")]


def test_the_campaign_and_home_pages_link_the_library(login, campaign, staff_a, officer):
    assert any(link.url == list_url(campaign) for link in links_for(campaign, staff_a))
    assert list_url(campaign) in login(staff_a).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert list_url(campaign) in login(officer).get("/").content.decode()

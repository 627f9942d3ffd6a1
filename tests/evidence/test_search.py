"""Search across the evidence library (issue 18 step 5): accent-insensitive, hits highlighted,
filters by agency, criterion and signature. On PostgreSQL full-text search through the
`vn_unaccent` configuration and its GIN index (migration evidence 0006); on SQLite the plain
fallback. The tests without a mark run on both; CI runs the suite on both."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import Document
from evidence.search import SEARCH_CONFIG, TEXT_INDEX, search_query

from . import files, pki

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL full-text search (run with DATABASE_URL=postgres://...)")


def found(client, url, **params) -> str:
    """The result list of the page (the form above it repeats the query)."""
    html = client.get(url, params).content.decode()
    return html.split('class="ev-results"')[-1] if 'class="ev-results"' in html else ""


# ---------------------------------------------------------------- both databases


def test_plain_keeps_one_character_per_character():
    from evidence.search import plain

    text = "Quyết định CÔNG BỐ thủ tục Đắk Lắk"
    assert plain(text) == "quyet dinh cong bo thu tuc dak lak" and len(plain(text)) == len(text)


def test_plain_folds_every_character_as_one_at_a_time_would():
    """plain() folds a page through a table; every character comes out as _base makes it."""
    from evidence.search import _base, plain

    every = "".join(chr(cp) for cp in range(0x30000) if not 0xD800 <= cp < 0xE000)
    assert plain(every) == "".join(_base(ch) for ch in every)
    assert plain("ĐƯỜNG Ơ ư ỹ\u0301") == "duong o u y\u0301"


def test_the_library_finds_text_without_accents_and_highlights_it(
        login, campaign, agency_a, staff_a, upload_checked):
    upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục hành chính thuộc thẩm quyền"))
    upload_checked("bc.docx", files.docx("Báo cáo tình hình kinh tế"))
    url = reverse("evidence:library", args=[campaign.pk, agency_a.code])
    html = login(staff_a).get(url, {"q": "quyet dinh cong bo"}).content.decode()
    assert "qd.docx" in html and "bc.docx" not in html
    assert "<mark>Quyết</mark> <mark>định</mark> <mark>công</mark> <mark>bố</mark>" in html


def test_the_search_finds_accented_text_typed_without_accents_and_the_reverse(
        login, campaign, appraiser, upload_checked):
    upload_checked("qd.docx", files.docx("QUYẾT ĐỊNH công bố danh mục thủ tục hành chính tỉnh Đắk Lắk"))
    upload_checked("kh.docx", files.docx("Ke hoach kiem tra cong tac cai cach hanh chinh nam 2026"))
    url = reverse("evidence:search", args=[campaign.pk])
    client = login(appraiser)
    for q in ("quyet dinh cong bo", "Quyết định công bố", "QUYET DINH", "danh muc thu tuc"):
        hits = found(client, url, q=q)
        assert "qd.docx" in hits and "kh.docx" not in hits, q
    for q in ("kế hoạch kiểm tra", "Kế Hoạch", "cải cách hành chính năm 2026"):
        hits = found(client, url, q=q)
        assert "kh.docx" in hits and "qd.docx" not in hits, q
    assert "<mark>QUYẾT</mark> <mark>ĐỊNH</mark>" in found(client, url, q="quyet dinh")
    assert "<mark>Ke</mark> <mark>hoach</mark>" in found(client, url, q="kế hoạch")
    assert found(client, url, q="quyết định kiểm tra") == ""  # every word, in one document


def test_the_search_reads_d_for_the_vietnamese_d_with_stroke(login, campaign, appraiser, upload_checked):
    upload_checked("duong.docx", files.docx("Đường giao thông nông thôn xã Đông Hòa"))
    upload_checked("dak.docx", files.docx("Tinh Dak Nong, duong tinh 684"))
    url = reverse("evidence:search", args=[campaign.pk])
    client = login(appraiser)

    def names(q):
        return {name for name in ("duong.docx", "dak.docx") if name in found(client, url, q=q)}

    assert names("duong giao thong") == {"duong.docx"}
    assert names("DONG HOA") == {"duong.docx"}
    assert names("Đắk Nông") == {"dak.docx"}
    assert names("đường") == {"duong.docx", "dak.docx"}
    assert "<mark>Đường</mark>" in found(client, url, q="duong")


def test_the_campaign_search_filters_by_agency_and_signature(
        login, campaign, agency_a, agency_b, staff_a, appraiser, signed, upload_checked):
    upload_checked("ky-so.pdf", signed)
    upload_checked("da-sua.pdf", pki.alter_after_signing(signed))
    upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục"))
    url = reverse("evidence:search", args=[campaign.pk])
    client = login(appraiser)
    html = client.get(url, {"q": "ke hoach cai cach"}).content.decode()
    assert "ky-so.pdf" in html and "da-sua.pdf" not in html and "qd.docx" not in html
    html = client.get(url, {"flag": "signature_bad"}).content.decode()
    assert "da-sua.pdf" in html and "ky-so.pdf" not in html
    html = client.get(url, {"flag": "unsigned"}).content.decode()
    assert "qd.docx" in html and ".pdf" not in html.split("ev-results")[-1]
    assert "qd.docx" not in client.get(url, {"q": "quyet dinh", "agency": agency_b.code}).content.decode()
    assert "qd.docx" in client.get(url, {"q": "quyet dinh", "agency": agency_a.code}).content.decode()
    assert "qd.docx" in found(client, url, q="quyết định", flag="unsigned")
    assert found(client, url, q="quyết định", flag="signed") == ""
    assert "ky-so.pdf" in found(client, url, q="kế hoạch", flag="signed", agency=agency_a.code)


def test_the_campaign_search_filters_by_criterion(login, campaign, agency_a, appraiser, upload_checked):
    from .conftest import scoring_item

    linked = upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục"))
    upload_checked("qd-khac.docx", files.docx("Quyết định khác về thủ tục"))
    scoring_item(campaign, agency_a).documents.add(linked)
    url = reverse("evidence:search", args=[campaign.pk])
    hits = found(login(appraiser), url, q="quyet dinh thu tuc", criterion="1.1.1")
    assert "qd.docx" in hits and "qd-khac.docx" not in hits


def test_an_agency_searches_only_its_own_documents(login, campaign, agency_b, upload_checked):
    from campaigns.models import Role
    from tests.factories import MembershipFactory, UserFactory

    upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục"))
    staff_b = MembershipFactory(user=UserFactory(username="staff_b"), agency=agency_b, role=Role.STAFF).user
    html = login(staff_b).get(reverse("evidence:search", args=[campaign.pk]), {"q": "quyet dinh"}).content.decode()
    assert "qd.docx" not in html and "Không có tài liệu nào khớp" in html


# ---------------------------------------------------------------- PostgreSQL


@postgres_only
def test_the_search_configuration_folds_vietnamese_on_postgresql(db):
    text = "QUYẾT ĐỊNH về đường Đắk Lắk, ưu tiên ơn"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s))", [SEARCH_CONFIG, text])
        lexemes = cursor.fetchone()[0]
        cursor.execute("SELECT plainto_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, "Đường ĐẮK"])
        query = cursor.fetchone()[0]
    assert sorted(lexemes) == ["dak", "dinh", "duong", "lak", "on", "quyet", "tien", "uu", "ve"]
    assert query == "'duong' & 'dak'"


@postgres_only
def test_the_search_uses_the_gin_index_on_postgresql(login, campaign, agency_a, appraiser, upload_checked):
    """The exact statements the search page runs (with its filters) go through the GIN index
    once sequential scans are off (the table is tiny: the planner would scan it otherwise)."""
    upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục hành chính"))
    upload_checked("bc.docx", files.docx("Báo cáo tình hình kinh tế"))
    url = reverse("evidence:search", args=[campaign.pk])
    client = login(appraiser)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # until the test's transaction ends
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "quyet dinh", "agency": agency_a.code, "flag": "unsigned"})
    assert "qd.docx" in response.content.decode().split("ev-results")[-1]
    searching = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    assert len(searching) == 2  # the count and the page
    for sql in searching:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert TEXT_INDEX in plan and "Bitmap Index Scan" in plan, plan


@postgres_only
def test_postgresql_keeps_the_vector_of_the_text_up_to_date(upload_checked):
    document = upload_checked("qd.docx", files.docx("Quyết định công bố"))
    assert Document.objects.filter(text_vector=search_query("QUYET dinh")).get() == document
    Document.objects.filter(pk=document.pk).update(text="Báo cáo Đắk Lắk")
    assert not Document.objects.filter(text_vector=search_query("quyết định")).exists()
    assert Document.objects.filter(text_vector=search_query("dak lak")).get() == document
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [TEXT_INDEX])
        [definition] = cursor.fetchone()
    assert "USING gin (text_vector)" in definition


def test_sqlite_keeps_no_vector(upload_checked):
    document = upload_checked("qd.docx", files.docx("Quyết định công bố"))
    vector = Document.objects.values_list("text_vector", flat=True).get(pk=document.pk)
    assert (vector is None) == (connection.vendor != "postgresql")


def test_odd_search_words_are_an_empty_result_never_an_error(login, campaign, agency_a, appraiser, upload_checked):
    upload_checked("qd.docx", files.docx("Quyết định công bố thủ tục"))
    client = login(appraiser)
    pages = (reverse("evidence:search", args=[campaign.pk]),
             reverse("evidence:library", args=[campaign.pk, agency_a.code]))
    for q in ("___", "&|!():* ' \" \\", "đ" * 300, "<mark>", "quyết:* & !định"):
        for url in pages:
            response = client.get(url, {"q": q})
            assert response.status_code == 200, (q, url)
            assert "<mark><mark>" not in response.content.decode()
        assert client.get("/api/v1/evidence/", {"campaign": campaign.pk, "q": q}).status_code == 200, q
    for url in (*pages, "/api/v1/evidence/"):  # a NUL is refused before any query
        assert client.get(url, {"campaign": campaign.pk, "q": "quyết\x00định"}).status_code == 400


def test_the_search_pages_keep_the_query_and_the_filters(login, campaign, appraiser, upload_checked, monkeypatch):
    from evidence import check_views

    monkeypatch.setattr(check_views, "SEARCH_PAGE_SIZE", 1)
    upload_checked("kh1.docx", files.docx("Kế hoạch cải cách hành chính 2026"))
    upload_checked("kh2.docx", files.docx("Kế hoạch kiểm tra công vụ 2026"))
    url = reverse("evidence:search", args=[campaign.pk])
    client = login(appraiser)
    first = client.get(url, {"q": "ke hoach", "flag": "unsigned"}).content.decode()
    assert 'href="?q=ke+hoach&amp;flag=unsigned&amp;page=2"' in first and "Trang 1/2" in first
    second = client.get(url, {"q": "ke hoach", "flag": "unsigned", "page": 2}).content.decode()
    assert 'href="?q=ke+hoach&amp;flag=unsigned&amp;page=1"' in second

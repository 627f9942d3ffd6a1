"""The scoring page with 150 items and 300 evidence documents, against a bare Django view
rendering a plain table of the same 150 rows, in the same run and through the same client.

Its own throwaway database (a temporary SQLite file; with DATABASE_URL pointing at
PostgreSQL, a database created next to it and dropped afterwards). Measured through Django's
test client as agency staff: SQL queries of one page view, and the median server time of
RUNS views of each page after a warm-up. Goals: at most 19 queries (15 + the campaign library's
documents on the items' codes + the linked documents' checks: checks, signatures, the assessed
period), at most 3 × the bare
table. Prints the figures and exits non-zero when a goal is missed.
"""
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_data import throwaway_database  # noqa: E402

ITEMS, DOCUMENTS = 150, 300
QUERY_GOAL, RATIO_GOAL = 19, 3.0
RUNS = 15
BARE_TEMPLATE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bảng</title></head><body>
<table><thead><tr><th>Mã</th><th>Tiêu chí</th><th>Tối đa</th><th>Điểm</th><th>Giải trình</th><th>Tài liệu</th></tr>
</thead>
<tbody>{% for i in items %}<tr><td>{{ i.criterion.code }}</td><td>{{ i.criterion.title }}</td>
<td>{{ i.criterion.max_points }}</td><td>{{ i.self_points }}</td><td>{{ i.explanation }}</td><td>{{ i.docs }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


def setup(url):
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="cchc_portal.settings", DJANGO_DEBUG="1",
                      DB_CONN_MAX_AGE="0", DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DEBUG = False  # no query log kept for every request while timing
    settings.ROOT_URLCONF = "bench_scoring_page"
    call_command("migrate", verbosity=0, interactive=False)


def bare_table(request):
    """The yardstick: one query, a plain table of the same 150 rows."""
    from django.db.models import Count
    from django.http import HttpResponse
    from django.template import engines

    from scoring.models import Item

    items = (Item.objects.filter(assessment_id=request.GET["a"]).select_related("criterion")
             .annotate(docs=Count("documents")).order_by("criterion__order"))
    return HttpResponse(engines["django"].from_string(BARE_TEMPLATE).render({"items": items}, request))


def _urls():
    from django.urls import include, path

    from cchc_portal import urls

    return [path("bench/bare/", bare_table), path("", include(urls))]


def build():
    """One department, a criteria set of 150 leaves of every kind an agency types, its
    assessment with every item scored and 2 of the agency's 300 documents on each."""
    from django.utils import timezone

    from campaigns.models import Agency, AgencyGroup, Campaign, Membership, Step, User
    from evidence.models import Document
    from scoring.compute import item_points
    from scoring.models import Assessment, CriteriaSet, Criterion, Item
    from scoring.services.assessments import _store_total, assessments_ensure

    now = timezone.now()
    group = AgencyGroup.objects.get(code="department")
    agency = Agency.objects.create(code="STC", name="Sở Tài chính", group=group)
    user = User.objects.create(username="stc.canbo", full_name="Phạm Minh Tuấn")
    Membership.objects.create(user=user, agency=agency, role="staff")
    campaign = Campaign.objects.create(year=now.year, name="Chỉ số CCHC", status=Campaign.Status.OPEN)
    campaign.groups.set([group])
    campaign.agencies.set([agency])
    Step.objects.create(campaign=campaign, kind="self_assessment", opens_at=now - timedelta(days=5),
                        closes_at=now + timedelta(days=5))
    cs = CriteriaSet.objects.create(campaign=campaign, group=group)
    kinds = [
        ("manual", {"step": "0.25"}, {"score": "0.75"}),
        ("levels", {"levels": [{"label": "Đúng hạn", "points": "1"}, {"label": "Trễ hạn", "points": "0.5"}]},
         {"level": "Đúng hạn"}),
        ("bands", {"bands": [{"min": "90", "min_inclusive": False, "max": None, "max_inclusive": True,
                              "points": "1"},
                             {"min": None, "min_inclusive": True, "max": "90", "max_inclusive": True,
                              "points": "0"}]}, {"numerator": "19", "denominator": "20"}),
        ("ratio", {}, {"numerator": "2", "denominator": "3"}),
        ("deduction", {"per": "0.25"}, {"count": "1"}),
    ]
    order = 0
    inputs = {}
    for f in range(1, 11):
        field = Criterion.objects.create(criteria_set=cs, code=str(f), title=f"Lĩnh vực {f}: cải cách hành chính",
                                         max_points=Decimal(15), order=order)
        order += 1
        for c in range(1, 4):
            crit = Criterion.objects.create(criteria_set=cs, parent=field, code=f"{f}.{c}", order=order,
                                            title=f"Tiêu chí {f}.{c} về thực hiện nhiệm vụ", max_points=Decimal(5))
            order += 1
            for leaf in range(1, 6):
                rule, params, raw = kinds[(leaf - 1) % len(kinds)]
                code = f"{f}.{c}.{leaf}"
                Criterion.objects.create(
                    criteria_set=cs, parent=crit, code=code, order=order, rule=rule, params=params,
                    max_points=Decimal(1), evidence_required=leaf % 2 == 1,
                    title=f"Tiêu chí thành phần {code}: ban hành và thực hiện kế hoạch đúng thời hạn",
                    guidance="Căn cứ kế hoạch, báo cáo và văn bản chỉ đạo của đơn vị trong năm đánh giá.")
                order += 1
                inputs[code] = raw
    assessments_ensure(campaign=campaign)
    assessment = Assessment.objects.select_related("agency", "campaign", "criteria_set").get(campaign=campaign)
    docs = Document.objects.bulk_create([
        Document(agency=agency, campaign=campaign, file=f"evidence/bench/{n}.pdf", original_name=f"Tài liệu {n}.pdf",
                 extension=".pdf", size=12345, sha256=f"{n:064x}", content_type="application/pdf",
                 number=f"{n}/BC-STC", summary="Báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính",
                 issuer="Sở Tài chính", uploaded_by=user, uploaded_at=now)
        for n in range(1, DOCUMENTS + 1)
    ])
    items = list(Item.objects.filter(assessment=assessment).select_related("criterion").order_by("criterion__order"))
    through = Item.documents.through
    through.objects.bulk_create([through(item_id=it.pk, document_id=docs[(2 * n + k) % DOCUMENTS].pk)
                                 for n, it in enumerate(items) for k in range(2)])
    for it in items:
        it.input = inputs[it.criterion.code]
        it.explanation = "Đơn vị đã hoàn thành; chi tiết tại báo cáo và kế hoạch kèm theo."
        points = item_points(it, has_evidence=True)
        it.self_points, it.self_reason = points.value, points.reason
    Item.objects.bulk_update(items, ["input", "explanation", "self_points", "self_reason"])
    _store_total(assessment)
    return assessment, user, len(items)


def timed(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed, response


def main():
    with throwaway_database("scoring_page") as url:
        setup(url)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        assessment, user, n_items = build()
        client = Client()
        client.force_login(user)
        page_url = f"/scoring/assessments/{assessment.pk}/"
        bare_url = f"/bench/bare/?a={assessment.pk}"
        for _ in range(3):  # warm-up: templates compiled, caches filled
            timed(client, page_url)
            timed(client, bare_url)
        with CaptureQueriesContext(connection) as ctx:
            _elapsed, response = timed(client, page_url)
        queries = len(ctx.captured_queries)
        rows = response.content.decode().count('class="leaf')
        page_times, bare_times = [], []
        for _ in range(RUNS):  # interleaved, so both see the same machine
            page_times.append(timed(client, page_url)[0])
            bare_times.append(timed(client, bare_url)[0])
        page_ms, bare_ms = statistics.median(page_times) * 1000, statistics.median(bare_times) * 1000
        ratio = page_ms / bare_ms
        size = len(response.content) / 1024
        connection.close()
    print(f"data: {n_items} items ({rows} rows on the page), {DOCUMENTS} documents, "
          f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    print(f"scoring page: {queries} SQL queries (goal ≤ {QUERY_GOAL}) {'OK' if queries <= QUERY_GOAL else 'MISSED'}")
    print(f"scoring page: {page_ms:.1f} ms median of {RUNS}, {size:.0f} KB; bare table: {bare_ms:.1f} ms")
    print(f"ratio {ratio:.2f} × (goal ≤ {RATIO_GOAL:.0f} ×) {'OK' if ratio <= RATIO_GOAL else 'MISSED'}")
    return 0 if queries <= QUERY_GOAL and ratio <= RATIO_GOAL and rows == ITEMS else 1


def __getattr__(name):
    """`urlpatterns`, built when Django first resolves a URL (this module is ROOT_URLCONF)."""
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())

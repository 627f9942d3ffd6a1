"""Shared by the results benchmarks: a throwaway database and a province-sized campaign.

`throwaway_database()` creates a PostgreSQL database next to DATABASE_URL's (and drops it
afterwards) or, without DATABASE_URL, a temporary SQLite file. `build_campaign()` fills it
fast: agencies and assessments with bulk_create, the items with COPY on PostgreSQL
(batched bulk inserts on SQLite), every item appraised.
"""
import contextlib
import io
import json
import os
import random
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FIELDS, CRITERIA, LEAVES = 7, 4, 4  # 7 × 4 × 4 = 112 leaves + 6 survey + bonus + penalty = 120 items
SURVEY_LEAVES = 6


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def throwaway_database(hint):
    """Yield a DATABASE_URL for a fresh database; drop it afterwards."""
    base = os.environ.get("DATABASE_URL", "")
    if not is_postgres(base):
        with tempfile.TemporaryDirectory(prefix=f"cchc-bench-{hint}-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg2

    name = f"cchc_bench_{hint}_{os.getpid()}"
    parts = urlsplit(base)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def setup_django(url):
    """Point Django at `url` and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DB_CONN_MAX_AGE"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _tree():
    """(code, title, max, rule, parent code) rows in order."""
    rows = []
    for f in range(1, FIELDS + 1):
        rows.append((f"{f}", f"Lĩnh vực {f}", Decimal(CRITERIA * LEAVES), "sum", None))
        for c in range(1, CRITERIA + 1):
            rows.append((f"{f}.{c}", f"Tiêu chí {f}.{c}", Decimal(LEAVES), "sum", f"{f}"))
            for leaf in range(1, LEAVES + 1):
                rows.append((f"{f}.{c}.{leaf}", f"Tiêu chí thành phần {f}.{c}.{leaf}", Decimal(1), "manual",
                             f"{f}.{c}"))
    s = FIELDS + 1
    rows.append((f"{s}", "Điều tra xã hội học", Decimal(5 * SURVEY_LEAVES), "sum", None))
    rows += [(f"{s}.{i}", f"Câu hỏi khảo sát {i}", Decimal(5), "survey", f"{s}") for i in range(1, SURVEY_LEAVES + 1)]
    b = FIELDS + 2
    rows.append((f"{b}", "Điểm thưởng, điểm trừ", Decimal(5), "sum", None))
    rows.append((f"{b}.1", "Sáng kiến CCHC", Decimal(2), "bonus", f"{b}"))
    rows.append((f"{b}.2", "Vi phạm kỷ luật hành chính", Decimal(3), "penalty", f"{b}"))
    return rows


def _copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def build_campaign(*, agencies, na_share=0.2, seed=7, with_text=False):
    """A published-shape campaign: `agencies` communes, one criteria set of 120 leaves,
    every assessment final and every item appraised. Returns the campaign."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.models import Agency, AgencyGroup, Campaign
    from scoring.models import Assessment, CriteriaSet, Criterion, Item

    rng = random.Random(seed)
    now = timezone.now()
    commune = AgencyGroup.objects.get(code="commune")
    user = get_user_model().objects.create(username="bench.officer", full_name="Cán bộ Sở Nội vụ")
    with transaction.atomic():
        Agency.objects.bulk_create(
            [Agency(code=f"X{i:05d}", name=f"Xã Thử Nghiệm {i}", group=commune) for i in range(agencies)],
            batch_size=2000)
        agency_ids = list(Agency.objects.filter(group=commune).order_by("code").values_list("pk", flat=True))
        campaign = Campaign.objects.create(year=2026, name="Xác định Chỉ số CCHC năm 2026 (đo hiệu năng)",
                                           status=Campaign.Status.CLOSED)
        campaign.groups.set([commune])
        campaign.agencies.set(agency_ids)
        cset = CriteriaSet.objects.create(campaign=campaign, group=commune, bonus_cap=Decimal(1),
                                          penalty_cap=Decimal(2))
        made = {}
        for order, (code, title, max_points, rule, parent) in enumerate(_tree()):
            made[code] = Criterion.objects.create(criteria_set=cset, parent=made.get(parent), code=code,
                                                  title=title, max_points=max_points, rule=rule, order=order)
        Assessment.objects.bulk_create(
            [Assessment(campaign=campaign, agency_id=a, criteria_set=cset, status=Assessment.Status.FINAL,
                        finalised_at=now, finalised_by=user) for a in agency_ids], batch_size=2000)
        assessments = dict(Assessment.objects.filter(campaign=campaign).values_list("agency_id", "pk"))
        na = made["3.1"]
        na.not_applicable_to.set([a for a in agency_ids if rng.random() < na_share])
    leaves = [c for c in made.values() if c.rule != "sum"]

    def points(criterion):
        if criterion.rule == "survey":
            return None, Decimal(rng.randint(0, 500)) / 100
        step = Decimal("0.25")
        value = step * rng.randint(0, int(criterion.max_points / step))
        if criterion.rule in ("bonus", "penalty"):
            value = Decimal("0.5") * rng.randint(0, 2)
        return value, None

    template = Item(appraisal_state=Item.AppraisalState.ADJUSTED, appraised_at=now, updated_at=now,
                    appraised_by=user, updated_by=user)
    fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
    text = "Đơn vị đã ban hành kế hoạch và báo cáo đầy đủ, có tài liệu kiểm chứng kèm theo." if with_text else ""

    def item_rows():
        for agency_id in agency_ids:
            assessment_id = assessments[agency_id]
            for criterion in leaves:
                value, external = points(criterion)
                row = {"assessment_id": assessment_id, "criterion_id": criterion.pk, "self_points": value,
                       "appraised_points": value, "external_points": external, "explanation": text,
                       "appraisal_comment": "Thống nhất điểm tự chấm." if with_text else "",
                       "input": {"score": str(value)} if value is not None else {}}
                yield [row.get(f.attname, getattr(template, f.attname)) if f.attname in row
                       else _default(template, f) for f in fields]

    columns = [f.column for f in fields]
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            buffer = io.StringIO()
            for n, row in enumerate(item_rows(), start=1):
                buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
                if n % 50000 == 0:
                    buffer.seek(0)
                    cur.cursor.copy_expert(f"COPY scoring_item ({', '.join(columns)}) FROM STDIN", buffer)
                    buffer = io.StringIO()
            buffer.seek(0)
            cur.cursor.copy_expert(f"COPY scoring_item ({', '.join(columns)}) FROM STDIN", buffer)
            cur.execute("ANALYZE")
    else:
        sql = f"INSERT INTO scoring_item ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        with transaction.atomic(), connection.cursor() as cur:
            batch = []
            for row in item_rows():
                batch.append([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else
                              (str(v) if isinstance(v, Decimal) else v) for v in row])
                if len(batch) == 20000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
    return campaign


def _default(template, field):
    value = getattr(template, field.attname)
    if value is None and not field.null and field.has_default():
        value = field.get_default()
    return value


def rss_mb():
    """This process's peak resident memory (MB), from /proc."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

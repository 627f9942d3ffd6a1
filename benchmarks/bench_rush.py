"""The deadline-day rush: 100 agencies' staff autosaving and uploading while the cutoff passes.

The seed letters lock scoring automatically at the cutoff, so agencies enter most of their
scores in its last hours. A PostgreSQL database of its own (created next to DATABASE_URL's,
or on postgres://postgres@127.0.0.1:5432 without one, and dropped afterwards) and Redis
(REDIS_URL, else redis://127.0.0.1:6379/12) as the cache: 100 communes, each with one staff
user and its draft assessment on a criteria set of 120 scored leaves (a third needing
evidence), in an open campaign. gunicorn serves it on 127.0.0.1 with the portal's own
settings (cchc_portal/gunicorn_conf.py; benchmarks.rush_bench_settings adds only a fast
password hasher for the logins before the rush), and locust (benchmarks/locustfile_rush.py,
headless, a process of its own) plays the 100 staff: each logs in through the login page
and opens its scoring page, then from T0, for RUSH_SECONDS (60), autosaves items through
the page's own address (a save every 1–5 s each: the score a step higher, the version the
server gave back) and uploads a small PDF of its own content to an item one time in ten.
The self-assessment step closes CUTOFF_AFTER (30) seconds after T0 (its closes_at set just
before locust starts), and the tick's lock (`assessment_lock_overdue`) runs 5 s after it,
as the periodic tick would: after the cutoff the server must refuse every write with the
deadline's 409 (first the open step's message, then the locked assessment's; both begin
"Đã hết hạn tự đánh giá").

Goals, checked against what locust recorded of every answer and against the database:
- p99 of a save sent before the cutoff ≤ 300 ms;
- 0 errors: before the cutoff every write answered 200, after it every one the deadline's
  409 (a write in flight across the cutoff may get either);
- 0 lost saves: every 200 of a save is in the item's history with its version, score and
  explanation, and the item holds that version or a later one (with its score when it is
  the last); every 200 of an upload has its document linked to the item
  and the item's history row of that version;
- 0 writes accepted after the cutoff: no 200 to a request sent from the cutoff on, and no
  history row of an item, nor a document, with a time (the server's `now` of the write)
  at or after closes_at.

Prints the figures and the goals; exits non-zero when a goal is missed.
"""
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
P99_GOAL_MS = 300
AGENCIES = int(os.environ.get("RUSH_BENCH_AGENCIES", "100"))
RUSH_SECONDS = int(os.environ.get("RUSH_BENCH_SECONDS", "60"))
CUTOFF_AFTER = float(os.environ.get("RUSH_BENCH_CUTOFF_AFTER", "30"))
STARTUP = float(os.environ.get("RUSH_BENCH_STARTUP", "60"))  # seconds for the logins and page loads before T0
LOCK_AFTER = 5.0  # the tick's lock, seconds after the cutoff
PORT = int(os.environ.get("RUSH_BENCH_PORT", "8109"))
FIELDS, CRITERIA, LEAVES = 10, 3, 4  # 120 scored leaves
PASSWORD = "rush-bench-password"
DEADLINE_DETAIL = "Đã hết hạn tự đánh giá"


@contextlib.contextmanager
def prepared_database():
    import psycopg2

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    name = f"cchc_bench_rush_{os.getpid()}"
    parts = urlsplit(base)
    try:
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    except psycopg2.OperationalError as exc:
        raise SystemExit(f"the rush benchmark needs PostgreSQL (DATABASE_URL): {exc}") from exc
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


def redis_url():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"the rush benchmark needs Redis (REDIS_URL): {exc}") from exc
    return url


def environment(url, redis, media):
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.rush_bench_settings",
            "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "rush-benchmark-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "SITE_URL": f"http://127.0.0.1:{PORT}",
            "DB_CONN_MAX_AGE": "60", "REDIS_URL": redis, "CELERY_BROKER_URL": redis, "MEDIA_ROOT": str(media),
            "EMAIL_URL": "consolemail://", "PYTHONPATH": str(ROOT)}


def build(tmp: Path):
    """Migrate and fill the database; write each staff user's credentials and assessment."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.utils import timezone

    from campaigns.models import Agency, AgencyGroup, Campaign, Membership, Step, User
    from scoring.models import Assessment, CriteriaSet, Criterion
    from scoring.services.assessments import assessments_ensure

    now = timezone.now()
    commune = AgencyGroup.objects.get(code="commune")
    agencies = Agency.objects.bulk_create([Agency(code=f"X{i:03d}", name=f"Xã Thử Nghiệm {i}", group=commune)
                                           for i in range(AGENCIES)])
    campaign = Campaign.objects.create(year=now.year, name="Chỉ số CCHC (đo tải ngày hết hạn)",
                                       status=Campaign.Status.OPEN)
    campaign.groups.set([commune])
    campaign.agencies.set(agencies)
    Step.objects.create(campaign=campaign, kind="self_assessment", opens_at=now - timedelta(days=20),
                        closes_at=now + timedelta(days=1))  # set to T0 + CUTOFF_AFTER just before the rush
    cset = CriteriaSet.objects.create(campaign=campaign, group=commune)
    order = 0
    for f in range(1, FIELDS + 1):
        field = Criterion.objects.create(criteria_set=cset, code=str(f), title=f"Lĩnh vực {f}",
                                         max_points=Decimal(5 * CRITERIA * LEAVES), order=order)
        order += 1
        for c in range(1, CRITERIA + 1):
            parent = Criterion.objects.create(criteria_set=cset, parent=field, code=f"{f}.{c}", order=order,
                                              title=f"Tiêu chí {f}.{c}", max_points=Decimal(5 * LEAVES))
            order += 1
            for leaf in range(1, LEAVES + 1):
                Criterion.objects.create(criteria_set=cset, parent=parent, code=f"{f}.{c}.{leaf}", order=order,
                                         title=f"Tiêu chí thành phần {f}.{c}.{leaf}", max_points=Decimal(5),
                                         rule="manual", evidence_required=leaf % 3 == 1)
                order += 1
    users = []
    for agency in agencies:
        user = User(username=f"{agency.code.lower()}.canbo", full_name=f"Cán bộ {agency.name}")
        user.set_password(PASSWORD)
        users.append(user)
    User.objects.bulk_create(users)
    Membership.objects.bulk_create([Membership(user=u, agency=a, role="staff")
                                    for u, a in zip(users, agencies, strict=True)])
    assessments_ensure(campaign=campaign)
    assessments = dict(Assessment.objects.filter(campaign=campaign).values_list("agency_id", "pk"))
    (tmp / "credentials.txt").write_text("\n".join(f"{u.username} {PASSWORD} {assessments[a.pk]}"
                                                   for u, a in zip(users, agencies, strict=True)))
    return campaign


def start_gunicorn(env, log):
    workers = int(os.environ.get("RUSH_BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    # the portal's own gunicorn settings (cchc_portal/gunicorn_conf.py), as deployed
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "python:cchc_portal.gunicorn_conf", "cchc_portal.wsgi",
                             "-b", f"127.0.0.1:{PORT}", "-w", str(workers), "--backlog", "2048",
                             "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(120):
        try:
            urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=2)
            return proc, workers
        except Exception:  # noqa: BLE001 - not up yet
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start:\n" + Path(log.name).read_text()[-2000:])


def set_cutoff(campaign, closes_at):
    from campaigns.models import Step

    Step.objects.filter(campaign=campaign, kind="self_assessment").update(closes_at=closes_at)


def tick_lock(at, out):
    """The periodic tick's lock, run once at `at` (seconds since the epoch)."""
    from django.db import connection

    from scoring.services.assessments import assessment_lock_overdue

    time.sleep(max(0.0, at - time.time()))
    try:
        out["locked"] = len(assessment_lock_overdue())
        out["at"] = time.time()
    finally:
        connection.close()


def run_locust(env, tmp, seconds, t0, end, closes):
    prefix = tmp / "rush"
    env = {**env, "RUSH_CREDENTIALS": str(tmp / "credentials.txt"), "RUSH_RECORDS": str(tmp / "records.jsonl"),
           "RUSH_T0": str(t0), "RUSH_END": str(end), "RUSH_CLOSES": str(closes)}
    return subprocess.Popen([str(VENV_BIN / "locust"), "-f", str(Path(__file__).parent / "locustfile_rush.py"),
                             "--headless", "-u", str(AGENCIES), "-r", str(AGENCIES), "-t", f"{seconds}s",
                             "--stop-timeout", "30", "--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix),
                             "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def refused_as_late(r):
    return r["status"] == 409 and r["detail"].startswith(DEADLINE_DETAIL)


def percentile(values, share):
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * share // 100) - 1)] if ordered else float("nan")


def verify(records, campaign, closes_at):
    """(lost writes with the first few named, history rows and documents timed at or after
    the cutoff) against the database."""
    from evidence.models import Document
    from scoring.models import Item

    history = defaultdict(list)  # (item id, version) → history rows
    for row in Item.history.filter(assessment__campaign=campaign).values(
            "id", "version", "input", "explanation", "history_date", "history_change_reason", "updated_by__username"):
        history[(row["id"], row["version"])].append(row)
    current = {row["id"]: row for row in Item.objects.filter(assessment__campaign=campaign).values(
        "id", "version", "input", "updated_by__username")}
    links = set(Item.documents.through.objects.filter(item__assessment__campaign=campaign)
                .values_list("item_id", "document_id"))
    documents = set(Document.objects.filter(campaign=campaign).values_list("pk", flat=True))
    last = {}  # item → its last confirmed save (the records are in answer order per user)
    lost = []
    for r in records:
        if r["status"] != 200:
            continue
        key = (r["item"], r["version"])
        rows = history.get(key, [])
        if r["kind"] == "save":
            found = [h for h in rows if Decimal((h["input"] or {}).get("score", "NaN")) == Decimal(r["score"])
                     and h["explanation"] == r["explanation"] and h["updated_by__username"] == r["user"]]
            if r["item"] not in last or last[r["item"]]["version"] < r["version"]:
                last[r["item"]] = r
        else:
            found = [h for h in rows if (h["history_change_reason"] or "").startswith("gắn tài liệu")]
            if r["document"] not in documents or (r["item"], r["document"]) not in links:
                found = []
        item = current.get(r["item"])
        if len(found) != 1 or item is None or item["version"] < r["version"]:
            lost.append(r)
    for item_id, r in last.items():  # the last confirmed score is the stored one, unless an upload came after it
        item = current[item_id]
        if item["version"] == r["version"] and Decimal(item["input"].get("score", "NaN")) != Decimal(r["score"]):
            lost.append(r)
    late_history = sum(1 for rows in history.values() for h in rows if h["history_date"] >= closes_at)
    late_documents = Document.objects.filter(campaign=campaign, uploaded_at__gte=closes_at).count()
    return lost, late_history, late_documents


def main():
    with tempfile.TemporaryDirectory(prefix="cchc-bench-rush-") as tmpdir, prepared_database() as url:
        tmp = Path(tmpdir)
        redis = redis_url()
        env = environment(url, redis, tmp / "media")
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        start = time.perf_counter()
        campaign = build(tmp)
        print(f"database: PostgreSQL, cache: Redis; {AGENCIES} agencies with one staff user and a draft assessment "
              f"of {FIELDS * CRITERIA * LEAVES} scored leaves each, built in {time.perf_counter() - start:.1f} s")
        log = open(tmp / "gunicorn.log", "w")
        server, workers = start_gunicorn(env, log)
        print(f"gunicorn: {workers} sync workers on 127.0.0.1:{PORT}; locust headless in a process of its own")
        t0 = time.time() + STARTUP
        end, closes = t0 + RUSH_SECONDS, t0 + CUTOFF_AFTER
        closes_at = datetime.fromtimestamp(closes, UTC)
        set_cutoff(campaign, closes_at)
        from django.db import connections

        connections.close_all()
        lock = {}
        locker = threading.Thread(target=tick_lock, args=(closes + LOCK_AFTER, lock))
        locust = None
        try:
            locust = run_locust(env, tmp, int(STARTUP + RUSH_SECONDS) + 2, t0, end, closes)
            locker.start()
            locust.wait()
            locker.join()
        finally:
            if locust is not None and locust.poll() is None:  # interrupted: locust goes too
                locust.terminate()
                locust.wait(30)
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
            log.close()
        records = [json.loads(line) for line in (tmp / "records.jsonl").read_text().splitlines()]
        ready = [line.split() for line in (tmp / "records.jsonl.ready").read_text().splitlines()]
        late_ready = [name for name, _items, at in ready if float(at) > t0]
        with open(tmp / "rush_stats.csv", newline="") as fh:
            stats = {row["Name"]: row for row in csv.DictReader(fh)}
        with open(tmp / "rush_failures.csv", newline="") as fh:
            failures = [f"{row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in csv.DictReader(fh)]
        lost, late_history, late_documents = verify(records, campaign, closes_at)
        import redis as redis_client

        queued = redis_client.Redis.from_url(redis).llen("celery")  # tasks left in the broker (none expected)
        connections.close_all()
        gunicorn_errors = [line for line in Path(log.name).read_text().splitlines() if "Traceback" in line]

    before = [r for r in records if r["started"] < closes]
    after = [r for r in records if r["started"] >= closes]
    saves = [1000 * (r["ended"] - r["started"]) for r in before if r["kind"] == "save"]
    uploads = [1000 * (r["ended"] - r["started"]) for r in before if r["kind"] == "upload"]
    refused_ok = [r for r in after if refused_as_late(r)]
    accepted_late = [r for r in after if r["status"] == 200]
    # before the cutoff a 200, or the deadline's 409 to a request in flight across it; after it the 409
    errors = [r for r in before if r["status"] != 200 and not (refused_as_late(r) and r["ended"] >= closes)]
    errors += [r for r in after if r["status"] != 200 and not refused_as_late(r)]
    statuses = Counter((r["kind"], "before" if r["started"] < closes else "after", r["status"]) for r in records)
    p50, p95, p99 = (percentile(saves, s) for s in (50, 95, 99))
    print(f"rush: {RUSH_SECONDS} s, the cutoff {CUTOFF_AFTER:g} s in, the tick's lock {LOCK_AFTER:g} s after it "
          f"({lock.get('locked', 0)} assessments locked); {len(ready) - len(late_ready)} of {AGENCIES} staff "
          f"logged in with their page open before the start" + (f", {len(late_ready)} later (raise "
                                                                 "RUSH_BENCH_STARTUP)" if late_ready else ""))
    print(f"before the cutoff: {len(saves)} saves ({len(saves) / CUTOFF_AFTER:.0f}/s), p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, p99 {p99:.0f} ms (goal ≤ {P99_GOAL_MS} ms); {len(uploads)} uploads, "
          f"p50 {percentile(uploads, 50):.0f} ms, p99 {percentile(uploads, 99):.0f} ms")
    print(f"after the cutoff: {len(after)} writes, {len(refused_ok)} refused with the deadline's 409, "
          f"{len(accepted_late)} answered 200 (goal 0)")
    print("answers: " + ", ".join(f"{kind} {when} {status}: {n}"
                                  for (kind, when, status), n in sorted(statuses.items())))
    print(f"locust: {stats['Aggregated']['Request Count']} requests, {stats['Aggregated']['Failure Count']} "
          "failures (logins and page loads included)")
    print(f"errors: {len(errors)} (goal 0); lost writes: {len(lost)} of "
          f"{sum(1 for r in records if r['status'] == 200)} confirmed (goal 0); "
          f"accepted after the cutoff: {len(accepted_late)} answers, {late_history} history rows and "
          f"{late_documents} documents timed at or after it (goal 0)")
    if queued:
        print(f"note: {queued} tasks left queued in Redis")
    for line in failures[:8]:
        print(f"  failure: {line}")
    for r in (errors + lost)[:5]:
        print(f"  e.g. {r}")
    if gunicorn_errors:
        print(f"  gunicorn logged {len(gunicorn_errors)} tracebacks")
    goals = {"p99": p99 <= P99_GOAL_MS, "errors": not errors and not gunicorn_errors, "lost saves": not lost,
             "accepted after the cutoff": not accepted_late and not late_history and not late_documents,
             "refused after the cutoff": len(refused_ok) == len(after) and bool(after),
             "every staff in the rush": len(ready) == AGENCIES}
    missed = [k for k, good in goals.items() if not good]
    print("all goals met" if not missed else f"goals missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Load on the respondent's page: gunicorn on 127.0.0.1, locust headless in processes of its own.

A prepared database (a PostgreSQL database created next to DATABASE_URL's and dropped
afterwards, or a temporary SQLite file without it): 45 agencies, a questionnaire of 6
rating questions × 15 departments + 3 single choices + 1 text (93 answers a form), and
TOKENS invited respondents whose links the load uses, each link once.

1. A bare Django POST view (benchmarks/survey_bench_urls.py: same middleware, CSRF check
   and form body) and the survey's submission in turns, by the same 50 users back to back
   (locust's Alternating): bare, submit, bare, …, bare, SLICE (3) seconds a turn, ROUNDS
   (10) submission turns after WARM_TURNS (2) unmeasured ones (a worker's first requests
   open its database connection and fill what it keeps). A request counts for the turn it
   started in, from GUARD (0.5) seconds into it, when the previous turn's requests have
   drained. Each submission turn's ratio is its rate to the mean of the bare turns just
   before and after it; the ratio is the median of the turns' (goal ≥ 0.25 on PostgreSQL,
   the production database; on SQLite, which has one writer at a time, it is printed for
   information). This machine's speed drifts by a third within a minute, and phases of
   10 s each measured apart gave one ratio 0.45 and the next 0.62 with nothing changed:
   turns of seconds compare the two at the same speed. SURVEY_BENCH_AA=1 checks the
   method instead: the bare view in every turn, whose ratio must come out at 0.9–1.1.
2. 50 concurrent respondents, each sending a form every 1–3 s: the submissions' p99
   (goal ≤ 250 ms); the back-to-back p99 of step 1 is printed too.
3. 200 concurrent respondents for 60 s, each opening the link, saving twice, sending and
   seeing the thank-you: zero errors in all runs, and zero lost answers (every form whose
   submission the server confirmed to locust is in the database with its 93 counted
   answers, once the tick's work of writing them out has run; forms in flight when locust
   stops may be stored without locust seeing the answer, which loses nothing).

Locust runs as SURVEY_BENCH_LOCUST_PROCESSES (2) processes, each with its own share of
the links, and sends forms made ahead: on a machine it shares with the server, one locust
process fell behind on submissions and the server waited for requests (its listen queue
empty half the time), which measured the load generator, not the server.

Prints the figures and the goals; exits non-zero when a goal is missed.
"""
import contextlib
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RATIO_GOAL, P99_GOAL_MS = 0.25, 250
ROUNDS = int(os.environ.get("SURVEY_BENCH_ROUNDS", "10"))
SLICE = float(os.environ.get("SURVEY_BENCH_SLICE_SECONDS", "3"))
GUARD = float(os.environ.get("SURVEY_BENCH_GUARD_SECONDS", "0.5"))
WARM_TURNS = 2  # turns before the measured ones
# seconds locust takes to start: the turns' clock starts then; on a loaded machine raise it
LOCUST_STARTUP = float(os.environ.get("SURVEY_BENCH_LOCUST_STARTUP", "8"))
A_A = os.environ.get("SURVEY_BENCH_AA") == "1"  # check the method: every turn the bare view (a_a_check)
PACED_SECONDS = int(os.environ.get("SURVEY_BENCH_PACED_SECONDS", "20"))
JOURNEY_USERS, JOURNEY_SECONDS = 200, int(os.environ.get("SURVEY_BENCH_JOURNEY_SECONDS", "60"))
TOKENS = int(os.environ.get("SURVEY_BENCH_TOKENS_COUNT", "70000"))
# locust processes: one alone falls behind the server on submissions (their answers take
# the load generator longer), and then the server waits for requests, not the other way
LOCUST_PROCESSES = int(os.environ.get("SURVEY_BENCH_LOCUST_PROCESSES", "2"))
DEPARTMENTS, COMMUNES = 15, 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def prepared_database():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        with tempfile.TemporaryDirectory(prefix="cchc-bench-survey-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3", "SQLite"
        return
    import psycopg2

    name = f"cchc_bench_survey_{os.getpid()}"
    parts = urlsplit(base)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), "PostgreSQL"
    finally:
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def environment(url, site):
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.survey_bench_settings",
            "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "survey-benchmark-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "SITE_URL": site, "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": "", "CELERY_BROKER_URL": "", "EMAIL_URL": "consolemail://", "PYTHONPATH": str(ROOT)}


def build(tmp: Path):
    """Migrate and fill the database; write the tokens and the form's field names."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "sqlite":  # several gunicorn processes write: readers must not wait for writers
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")

    from campaigns.models import Agency, AgencyGroup, Campaign, Step
    from scoring.models import CriteriaSet, Criterion
    from surveys.models import Invitation, Question, Respondent, RespondentGroup, RespondentList
    from surveys.options import DEFAULT_RATING, parse_options
    from surveys.tokens import new_token, token_hash

    groups = {g.code: g for g in AgencyGroup.objects.all()}
    departments = Agency.objects.bulk_create([Agency(code=f"S{i:02d}", name=f"Sở thử nghiệm {i}",
                                                     group=groups["department"]) for i in range(DEPARTMENTS)])
    communes = Agency.objects.bulk_create([Agency(code=f"X{i:02d}", name=f"Xã thử nghiệm {i}",
                                                  group=groups["commune"]) for i in range(COMMUNES)])
    now = timezone.now()
    campaign = Campaign.objects.create(year=now.year, name="Đo tải phiếu điều tra", status=Campaign.Status.OPEN)
    campaign.groups.set([groups["department"], groups["commune"]])
    campaign.agencies.set(departments + communes)
    Step.objects.create(campaign=campaign, kind="respondent_lists", opens_at=now - timedelta(days=9),
                        closes_at=now - timedelta(days=2))
    Step.objects.create(campaign=campaign, kind="survey", opens_at=now - timedelta(days=1),
                        closes_at=now + timedelta(days=3))
    cset = CriteriaSet.objects.create(campaign=campaign, group=groups["department"])
    field = Criterion.objects.create(criteria_set=cset, code="8", title="Điều tra XHH", max_points=30, rule="sum")
    leaves = [Criterion.objects.create(criteria_set=cset, parent=field, code=f"8.{i}", title=f"Câu {i}",
                                       max_points=5, rule="survey", order=i) for i in range(1, 7)]
    group = RespondentGroup.objects.create(campaign=campaign, code="LDX", name="Lãnh đạo UBND cấp xã",
                                           rates_group=groups["department"])
    questions = [Question(group=group, number=str(i), kind="single", text=f"Thông tin {i}", order=i,
                          options=parse_options("single", "Một; Hai; Ba"), section="Thông tin") for i in (1, 2, 3)]
    questions += [Question(group=group, number=str(3 + i), kind="rating", text=f"Đánh giá {i}", order=3 + i,
                           options=[dict(o) for o in DEFAULT_RATING], criterion=leaf, section=f"Phần {i}")
                  for i, leaf in enumerate(leaves, start=1)]
    questions.append(Question(group=group, number="10", kind="text", text="Góp ý", order=10, required=False,
                              options=[], section="Góp ý"))
    questions = Question.objects.bulk_create(questions)
    lists = RespondentList.objects.bulk_create([RespondentList(campaign=campaign, agency=a,
                                                               status=RespondentList.Status.APPROVED)
                                                for a in communes])
    respondents = Respondent.objects.bulk_create(
        [Respondent(campaign=campaign, respondent_list=lists[i % COMMUNES], group=group, full_name=f"Người {i}",
                    email=f"r{i}@bench.example.vn") for i in range(TOKENS)], batch_size=2000)
    tokens = [new_token() for _ in respondents]
    Invitation.objects.bulk_create([Invitation(respondent=r, token_hash=token_hash(t), status="sent", sent_at=now)
                                    for r, t in zip(respondents, tokens, strict=True)], batch_size=2000)
    (tmp / "tokens.txt").write_text("\n".join(tokens))
    form = {"single": [f"q{q.pk}" for q in questions if q.kind == "single"],
            "rating": [f"q{q.pk}_a{a.pk}" for q in questions if q.kind == "rating" for a in departments],
            "text": [f"q{q.pk}" for q in questions if q.kind == "text"]}
    (tmp / "form.json").write_text(json.dumps(form))
    from django.db import connections

    connections.close_all()
    return [r.pk for r in respondents], len(form["single"]) + len(form["rating"])


def start_gunicorn(env, port, log):
    workers = int(os.environ.get("SURVEY_BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    # the portal's own gunicorn settings (cchc_portal/gunicorn_conf.py), as deployed
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "python:cchc_portal.gunicorn_conf", "cchc_portal.wsgi",
                             "-b", f"127.0.0.1:{port}", "-w", str(workers), "--backlog", "2048",
                             "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(120):
        try:
            urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return proc, workers
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start:\n" + Path(log.name).read_text()[-2000:])


def locust(env, port, tmp, user_class, users, seconds, first, count, name, extra=None):
    """One headless locust run: its stats by request name, under "confirmed" the tokens
    whose submission the server confirmed and under "turns" the requests counted a turn
    (Alternating)."""
    prefix = tmp / name
    sent = tmp / f"{name}_confirmed.txt"
    env = {**env, **(extra or {}), "SURVEY_BENCH_TOKENS": str(tmp / "tokens.txt"),
           "SURVEY_BENCH_FORM": str(tmp / "form.json"),
           "SURVEY_BENCH_FIRST": str(first), "SURVEY_BENCH_COUNT": str(count), "SURVEY_BENCH_SENT": str(sent),
           "SURVEY_BENCH_PROCESSES": str(LOCUST_PROCESSES)}
    processes = ["--processes", str(LOCUST_PROCESSES)] if LOCUST_PROCESSES > 1 else []
    subprocess.run([str(VENV_BIN / "locust"), "-f", str(Path(__file__).parent / "locustfile_survey.py"), user_class,
                    *processes,
                    "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "60",
                    "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                    "--loglevel", "ERROR", "--exit-code-on-error", "0"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=open(os.environ["SURVEY_BENCH_LOCUST_LOG"], "a") if os.environ.get("SURVEY_BENCH_LOCUST_LOG")
                   else subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        stats = {row["Name"]: row for row in csv.DictReader(fh)}
    stats["confirmed"] = [token for part in sorted(tmp.glob(f"{sent.name}*"))
                          if ".slot" not in part.name and ".slices" not in part.name
                          for token in part.read_text().split()]
    stats["turns"] = Counter()
    for part in tmp.glob(f"{sent.name}*.slices"):
        for turn, kind, n in json.loads(part.read_text()):
            stats["turns"][(turn, kind)] += n
    if "submit" in stats:  # the check of lost answers stands on these: they must be there
        answered = int(stats["submit"]["Request Count"]) - int(stats["submit"]["Failure Count"])
        if len(stats["confirmed"]) < 0.9 * answered:
            raise SystemExit(f"{name}: locust confirmed {len(stats['confirmed'])} of {answered} submissions")
    with open(f"{prefix}_failures.csv", newline="") as fh:
        stats["failures"] = [f"{row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in csv.DictReader(fh)]
    return stats


def stored(respondent_ids, confirmed, per_form):
    """(responses sent in this slice, confirmed forms missing or incomplete in the database).
    The counted rows of Answer are written first, as the tick does (answers.expand_pending)."""
    from django.db.models import Count

    from surveys.answers import expand_pending
    from surveys.models import Invitation, Response
    from surveys.tokens import token_hash

    expand_pending()
    sent = Response.objects.filter(submitted_at__isnull=False, invitation__respondent_id__in=respondent_ids).count()
    hashes = [token_hash(t) for t in confirmed]
    complete = 0
    for start in range(0, len(hashes), 1000):
        complete += (Invitation.objects.filter(token_hash__in=hashes[start:start + 1000], status="answered",
                                               response__submitted_at__isnull=False)
                     .annotate(n=Count("response__answers")).filter(n=per_form).count())
    return sent, len(hashes) - complete


def turn_rates(counted, turns):
    """(bare turns' rates, submission turns' rates, each submission turn's ratio to the mean
    of the bare turns either side of it)"""
    seconds = SLICE - GUARD
    bares = [counted[(k, "bare")] / seconds for k in range(WARM_TURNS, turns, 2)]
    subs = [counted[(k, "submit")] / seconds for k in range(WARM_TURNS + 1, turns, 2)]
    if not min(bares) or min(bares) < 0.25 * statistics.median(bares):
        raise SystemExit(f"a bare turn hardly ran ({' / '.join(f'{b:.0f}' for b in bares)}): locust started late, "
                         "or the submissions outlast a turn (raise SURVEY_BENCH_SLICE_SECONDS and _GUARD_SECONDS)?")
    return bares, subs, [sub / ((bares[n] + bares[n + 1]) / 2) for n, sub in enumerate(subs)]


def a_a_check(counted, turns):
    """SURVEY_BENCH_AA=1: every turn the bare view, the odd ones counted as the submissions'
    would be. The method's own ratio, which should be about 1."""
    _bares, _subs, ratios = turn_rates(counted, turns)
    ratio = statistics.median(ratios)
    print(f"A/A check, the bare view in every turn: ratio {ratio:.2f}, the median of "
          f"{' / '.join(f'{r:.2f}' for r in ratios)} (about 1 expected: 0.9–1.1)")
    return 0 if 0.9 <= ratio <= 1.1 else 1


def main():
    with tempfile.TemporaryDirectory(prefix="cchc-bench-survey-run-") as tmpdir, prepared_database() as (url, db):
        tmp = Path(tmpdir)
        port = free_port()
        env = environment(url, f"http://127.0.0.1:{port}")
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        start = time.perf_counter()
        ids, per_form = build(tmp)
        print(f"database: {db}; {len(ids)} invited respondents, {per_form} answers a form, "
              f"built in {time.perf_counter() - start:.1f} s")
        log = open(tmp / "gunicorn.log", "w")
        server, workers = start_gunicorn(env, port, log)
        print(f"gunicorn: {workers} sync workers on 127.0.0.1:{port}; locust headless in {LOCUST_PROCESSES} "
              "processes of its own")
        cut1, cut2 = len(ids) * 3 // 5, len(ids) * 7 // 10  # the bursts' links, the paced ones', the journeys'
        turns = WARM_TURNS + 2 * ROUNDS + 1  # bare, submit, …, bare
        t0 = time.time() + LOCUST_STARTUP
        try:
            alternating = locust(env, port, tmp, "Alternating", 50, int(LOCUST_STARTUP + turns * SLICE) + 1, 0, cut1,
                                 "alternating", extra={"SURVEY_BENCH_T0": str(t0), "SURVEY_BENCH_SLICE_SECONDS":
                                                       str(SLICE), "SURVEY_BENCH_GUARD_SECONDS": str(GUARD),
                                                       "SURVEY_BENCH_AA": "1" if A_A else ""})
            if A_A:
                return a_a_check(alternating["turns"], turns)
            paced_run = locust(env, port, tmp, "PacedSubmission", 50, PACED_SECONDS, cut1, cut2 - cut1, "paced")
            journey = locust(env, port, tmp, "Respondent", JOURNEY_USERS, JOURNEY_SECONDS, cut2, len(ids) - cut2,
                             "journey")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
            log.close()
        paced = paced_run["submit"]
        burst_confirmed = alternating["confirmed"]
        if int(alternating["submit"]["Request Count"]) >= cut1 - 50:
            raise SystemExit(f"the turns ran out of links ({cut1}): raise SURVEY_BENCH_TOKENS_COUNT")
        counts = [stored(ids[:cut1], burst_confirmed, per_form),
                  stored(ids[cut1:cut2], paced_run["confirmed"], per_form),
                  stored(ids[cut2:], journey["confirmed"], per_form)]
        from django.db import connections

        connections.close_all()

    for failure in alternating["failures"][:5]:
        print(f"  failure (turns): {failure}")
    bares, subs, ratios = turn_rates(alternating["turns"], turns)
    ratio = statistics.median(ratios)
    p99 = float(paced["99%"])
    failures = {"bare": int(alternating["bare POST"]["Failure Count"]),
                "burst": int(alternating["submit"]["Failure Count"]),
                "paced": int(paced["Failure Count"]), "respondents": int(journey["Aggregated"]["Failure Count"])}
    errors = sum(failures.values())
    print(f"bare POST view, 50 users:   {' / '.join(f'{b:.0f}' for b in bares)} req/s "
          f"({len(bares)} turns of {SLICE:g} s, counted from {GUARD:g} s in), p99 "
          f"{float(alternating['bare POST']['99%']):.0f} ms")
    print(f"submissions, 50 users:      {' / '.join(f'{sub:.0f}' for sub in subs)} req/s, median "
          f"{float(alternating['submit']['50%']):.0f} ms, p99 {float(alternating['submit']['99%']):.0f} ms "
          "(back to back, the server saturated)")
    ratio_counts = db == "PostgreSQL"  # the production database; SQLite (the demo's) has one writer at a time
    print(f"ratio submissions / bare:   {ratio:.2f}, the median of {' / '.join(f'{r:.2f}' for r in ratios)} "
          f"(goal ≥ {RATIO_GOAL}"
          + (")" if ratio_counts else ", on PostgreSQL: set DATABASE_URL; on SQLite for information)"))
    print(f"50 respondents, a form every 1-3 s each: {float(paced['Requests/s']):.0f} req/s, median "
          f"{float(paced['50%']):.0f} ms, p99 {p99:.0f} ms (goal ≤ {P99_GOAL_MS} ms)")
    print(f"{JOURNEY_USERS} respondents for {JOURNEY_SECONDS} s (open, save twice, send, thank-you): "
          f"{journey['Aggregated']['Request Count']} requests, p99 of a submission "
          f"{float(journey['submit']['99%']):.0f} ms")
    confirmed = (("burst", burst_confirmed), ("paced", paced_run["confirmed"]), ("respondents", journey["confirmed"]))
    print(f"errors: {errors} ({', '.join(f'{k} {v}' for k, v in failures.items())}; goal 0); "
          "forms confirmed to locust / sent in the database / confirmed but missing "
          "or incomplete: " + ", ".join(f"{name} {len(tokens)}/{db}/{missing}"
                                        for (name, tokens), (db, missing) in zip(confirmed, counts, strict=True))
          + f" (goal 0 missing; every stored form has its {per_form} answers)")
    for run in (alternating, paced_run, journey):
        for failure in run["failures"][:5]:
            print(f"  failure: {failure}")
    lost = any(missing for _db, missing in counts)
    goals = {"ratio": ratio >= RATIO_GOAL or not ratio_counts, "p99": p99 <= P99_GOAL_MS, "errors": errors == 0,
             "lost answers": not lost}
    missed = [k for k, good in goals.items() if not good]
    print("all goals met" if not missed else f"goals missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The e-mail outbox at province scale.

1. 100,000 outbox rows created and queued with `outbox_enqueue_many` (bulk_create):
   goal ≤ 60 s.
2. The sending rate of `outbox_send_due` (claim, SMTP with the handover fence, mark sent:
   what one worker process does) to a local SMTP sink (aiosmtpd, in a process of its own):
   goal ≥ 50 messages/s, every message received once.

On PostgreSQL when DATABASE_URL is a PostgreSQL URL (a throwaway database is created next
to it and dropped), else on a temporary SQLite file. Exits non-zero when a goal is missed.
"""
import contextlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
SENDS = int(os.environ.get("BENCH_OUTBOX_SENDS", "3000"))
GOAL_CREATE_S = 60.0
GOAL_RATE = 50.0

SINK = r"""
import asyncio, sys
from aiosmtpd.controller import Controller
from email.parser import BytesHeaderParser

class Count:
    ids = []
    async def handle_DATA(self, server, session, envelope):
        self.ids.append(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"])
        return "250 OK"

handler = Count()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(len(handler.ids), len(set(handler.ids)), flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_database():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        with tempfile.TemporaryDirectory(prefix="cchc-bench-outbox-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg2

    name = f"cchc_bench_outbox_{os.getpid()}"
    parts = urlsplit(base)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
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


def main():
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    print(f"database: {'PostgreSQL' if postgres else 'SQLite (set DATABASE_URL for PostgreSQL)'}")
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert sink.stdout.readline().strip() == "ready"
    with throwaway_database() as url:
        os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
                           "DJANGO_DEBUG": "1", "DB_CONN_MAX_AGE": "0", "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                           "REDIS_URL": "", "LOG_LEVEL": "WARNING"})
        sys.path.insert(0, str(ROOT))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from cchc_portal.notifications import services, tasks
        from cchc_portal.notifications.models import Outbox

        # The batch task is scheduled on commit; here only the queueing is measured.
        tasks.send_queued.delay = lambda *args, **kwargs: None
        messages = ({"to": f"nguoi{i:06d}@example.vn", "subject": f"Mời trả lời phiếu khảo sát số {i}",
                     "template": "notice", "key": f"bench:{i}",
                     "context": {"full_name": f"Người nhận {i}", "text": "Mời anh/chị trả lời phiếu điều tra XHH.",
                                 "url": f"http://127.0.0.1:8000/s/{i:06d}/"}} for i in range(ROWS))
        start = time.perf_counter()
        created = services.outbox_enqueue_many(messages)
        create_s = time.perf_counter() - start
        queued = Outbox.objects.filter(status=Outbox.Status.QUEUED).count()
        print(f"created and queued {created:,} rows in {create_s:.1f} s (goal ≤ {GOAL_CREATE_S:.0f} s) "
              f"{'OK' if create_s <= GOAL_CREATE_S and queued == ROWS else 'MISSED'}")

        start, cpu = time.perf_counter(), time.process_time()
        totals = services.outbox_send_due(limit=SENDS)
        send_s, send_cpu = time.perf_counter() - start, time.process_time() - cpu
        rate = totals["sent"] / send_s
        sink.stdin.close()
        received, unique = (int(x) for x in sink.stdout.readline().split())
        sink.wait(10)
        sink_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        exact = received == unique == totals["sent"] == SENDS
        print(f"sent {totals['sent']:,} messages in {send_s:.1f} s: {rate:.0f} messages/s "
              f"(goal ≥ {GOAL_RATE:.0f}/s) {'OK' if rate >= GOAL_RATE else 'MISSED'}; "
              f"sink received {received:,}, {unique:,} distinct Message-IDs {'OK' if exact else 'MISMATCH'}")
        # Wall time depends on what else the machine runs; the CPU cost per message does not.
        print(f"CPU per message: sender {send_cpu / SENDS * 1000:.1f} ms, SMTP sink "
              f"{(sink_cpu.ru_utime + sink_cpu.ru_stime) / SENDS * 1000:.1f} ms; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ok = create_s <= GOAL_CREATE_S and queued == ROWS and rate >= GOAL_RATE and exact
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

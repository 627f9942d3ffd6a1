"""Real Celery processes for the worker tests: a worker (and beat) on the test database.

The test database is a real PostgreSQL database (`test_<name>`, created by pytest-django);
the subprocesses get it through DATABASE_URL, Redis through REDIS_URL, the SMTP sink
through EMAIL_URL, and a queue of their own (CELERY_QUEUE) so no other worker on the same
Redis takes their tasks.
"""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def environment(*, smtp_port, queue, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST_", "DJANGO_SETTINGS"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CELERY_QUEUE": queue,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def queue_name() -> str:
    return f"cchc-test-{uuid.uuid4().hex[:10]}"


class Proc:
    """A Celery subprocess in its own process group, its output in a log file."""

    def __init__(self, args, env, log: Path):
        self.log = log
        self.handle = open(log, "ab")  # noqa: SIM115 - kept open for the process's life
        self.popen = subprocess.Popen([sys.executable, "-m", "celery", "-A", "cchc_portal", *args], cwd=ROOT,
                                      env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.popen.poll() is not None:
                raise AssertionError(f"celery exited ({self.popen.returncode}):\n{self.output()[-4000:]}")
            time.sleep(0.05)
        raise AssertionError(f"celery did not print {text!r} within {timeout} s:\n{self.output()[-4000:]}")

    def kill(self):
        """SIGKILL, as when the machine or the OOM killer takes the worker away."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)
        self.handle.close()

    def stop(self):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        self.handle.close()


def start_worker(env, log: Path, *, pool="solo", concurrency=1) -> Proc:
    proc = Proc(["worker", "-P", pool, "-c", str(concurrency), "--loglevel=INFO", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"w{uuid.uuid4().hex[:6]}@%h"], env, log)
    proc.wait_for("ready.")
    return proc


def start_beat(env, log: Path, schedule: Path) -> Proc:
    proc = Proc(["beat", "--loglevel=INFO", "-s", str(schedule)], env, log)
    proc.wait_for("beat: Starting")
    return proc


def wait_until(predicate, *, timeout=60, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")

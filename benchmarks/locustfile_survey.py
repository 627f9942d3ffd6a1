"""Locust users of the survey load benchmark (run by benchmarks/bench_survey_load.py).

SURVEY_BENCH_TOKENS: a file of personal links' tokens, one a line; SURVEY_BENCH_FORM: the
form's field names (JSON); SURVEY_BENCH_FIRST / _COUNT: the slice of tokens this run uses,
so that no two runs answer with the same link. The CSRF cookie and token are the client's
own 32 characters (Django accepts an unmasked secret), so a submission needs no page load.
SURVEY_BENCH_SENT: where the tokens whose submission the server confirmed (302 back to the
link) are written when locust stops, one a line: the benchmark then checks that every one
of them is stored with all its answers.
"""
import json
import os
import random
import time
from collections import Counter
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

TOKENS = open(os.environ["SURVEY_BENCH_TOKENS"]).read().split()
FIRST = int(os.environ.get("SURVEY_BENCH_FIRST", "0"))
COUNT = int(os.environ.get("SURVEY_BENCH_COUNT", str(len(TOKENS))))
POOL = iter(TOKENS[FIRST:FIRST + COUNT])
FORM = json.load(open(os.environ["SURVEY_BENCH_FORM"]))
CSRF = "benchmarkcsrfsecret0123456789abc"[:32]
HEADERS = {"Cookie": f"csrftoken={CSRF}", "Content-Type": "application/x-www-form-urlencoded"}


class _Confirmed:
    """The tokens whose submission the server confirmed, each written to this process's
    file as it comes (line-buffered), so that a process stopped hard loses none it wrote."""

    def __init__(self):
        self.file = None

    def append(self, token):
        if self.file is None:
            self.file = open(os.environ["SURVEY_BENCH_SENT"] + SLOT[0], "a", buffering=1)
        self.file.write(token + "\n")


CONFIRMED = _Confirmed()
PROCESSES = max(1, int(os.environ.get("SURVEY_BENCH_PROCESSES", "1")))  # locust --processes
SLOT = [""]  # this process's share of the links: "" alone, ".<n>" as one of several


@events.init.add_listener
def _take_a_share(environment, **_kwargs):
    """With several locust processes (forked after this file was read), each takes its own
    slot and uses every PROCESSES-th link of the slice from it, so no link is used twice."""
    global POOL
    if PROCESSES == 1 or type(environment.runner).__name__ != "WorkerRunner":
        return
    base = os.environ["SURVEY_BENCH_SENT"]
    for slot in range(PROCESSES):
        try:
            os.close(os.open(f"{base}.slot{slot}", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue
        SLOT[0] = f".{slot}"
        POOL = iter(TOKENS[FIRST:FIRST + COUNT][slot::PROCESSES])
        return
    raise RuntimeError("more locust processes than SURVEY_BENCH_PROCESSES")


def _write_slices():
    with open(os.environ["SURVEY_BENCH_SENT"] + SLOT[0] + ".slices", "w") as fh:
        json.dump([[k, kind, n] for (k, kind), n in SLICES.items()], fh)


@events.quitting.add_listener
def _close_confirmed(environment, **_kwargs):
    if CONFIRMED.file is not None:
        CONFIRMED.file.close()
    if SLICES:
        _write_slices()


def full_form(rng):
    data = {"csrfmiddlewaretoken": CSRF, "action": "submit"}
    for name in FORM["single"]:
        data[name] = "A"
    for name in FORM["rating"]:
        data[name] = rng.choice("ABCDE")
    for name in FORM["text"]:
        data[name] = ""
    return data


# Forms made ahead: the load generator shares the machine with the server, so each request
# costs it as little as possible (a prepared body), the same for
# the bare view and the submissions (Alternating: the client's work as for a submission, a
# form made and the answer checked, so that the ratio compares the server's work). 64 answer patterns, drawn once.
_PATTERNS = [urlencode(full_form(random.Random(n))) for n in range(64)]


def form_body() -> str:
    return random.choice(_PATTERNS)


def next_token() -> str:
    token = next(POOL, None)
    if token is None:
        raise StopUser()
    return token


def send_form(client) -> bool:
    """One complete questionnaire sent for a fresh link, as the page's own form posts it;
    True when the server confirmed it (302 back to the link)."""
    token = next_token()
    with client.post(f"/s/{token}/", data=form_body(), headers=HEADERS,
                     name="submit", allow_redirects=False, catch_response=True) as r:
        if r.status_code == 302 and r.headers.get("Location") == f"/s/{token}/":
            r.success()
            CONFIRMED.append(token)
            return True
        r.failure(f"HTTP {r.status_code}")
        return False


class Submission(FastHttpUser):
    """One complete questionnaire sent for a fresh link after another."""

    wait_time = constant(0)

    @task
    def submit(self):
        send_form(self.client)


class PacedSubmission(Submission):
    """Respondents as people are: one form sent every one to three seconds each, the first
    at a random moment of the first such interval (people do not press "send" together)."""

    wait_time = between(1, 3)

    def on_start(self):
        gevent.sleep(random.uniform(0, 3))


class Respondent(FastHttpUser):
    """A whole respondent: open the link, save twice as the page's script does, send, and
    see the thank-you; then the next respondent after half a second to two."""

    wait_time = between(0.5, 2)

    @task
    def answer(self):
        token = next_token()
        rng = random.Random(token)
        with self.client.get(f"/s/{token}/", headers=HEADERS, name="open", catch_response=True) as r:
            if r.status_code != 200 or "Phiếu điều tra xã hội học" not in r.text:
                r.failure(f"HTTP {r.status_code}")
                return
        form = full_form(rng)
        ratings = FORM["rating"]
        for part in (ratings[: len(ratings) // 2], ratings[len(ratings) // 2:] + FORM["single"]):
            body = {"csrfmiddlewaretoken": CSRF, **{name: form[name] for name in part}}
            with self.client.post(f"/s/{token}/save/", data=body, headers=HEADERS, name="save",
                                  catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}")
                    return
        with self.client.post(f"/s/{token}/", data=form, headers=HEADERS, name="submit", allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}")
                return
            CONFIRMED.append(token)
        with self.client.get(f"/s/{token}/", headers=HEADERS, name="thank-you", catch_response=True) as r:
            if r.status_code != 200 or "Cảm ơn ông/bà" not in r.text:
                r.failure(f"HTTP {r.status_code}")


# Alternating: the bare view and the submissions in turns of SLICE seconds from the moment T0
# (the same for every locust process), so that each submissions' turn is compared with the
# bare turns just before and after it: the machine's speed, which drifts by a third within a
# minute, hardly moves in a few seconds. A request counts for the turn it started in, if it
# started GUARD seconds or more into it (the previous turn's requests have drained by then).
SLICE = float(os.environ.get("SURVEY_BENCH_SLICE_SECONDS", "3"))
GUARD = float(os.environ.get("SURVEY_BENCH_GUARD_SECONDS", "0.5"))
T0 = float(os.environ.get("SURVEY_BENCH_T0", "0"))
A_A = os.environ.get("SURVEY_BENCH_AA") == "1"  # every turn the bare view: the method's own ratio (about 1)
SLICES: Counter = Counter()  # (turn, "bare" | "submit") → answered requests counted
# the turn last seen: the counts are written out as each turn ends, since a locust worker
# stopped on a loaded machine may never reach its `quitting` event
LAST_TURN = [-1]


class Alternating(FastHttpUser):
    """Turn 0, 2, 4, …: the bare view, with the same body and CSRF check (the yardstick); turn
    1, 3, …: submissions (send_form)."""

    wait_time = constant(0)

    @task
    def turn(self):
        started = time.time()
        if started < T0:
            gevent.sleep(T0 - started)
            return
        turn, into = divmod(started - T0, SLICE)
        counted = into >= GUARD
        if int(turn) != LAST_TURN[0]:
            LAST_TURN[0] = int(turn)
            _write_slices()
        if int(turn) % 2 == 0 or A_A:
            with self.client.post("/bench/bare/", data=form_body(), headers=HEADERS, name="bare POST",
                                  allow_redirects=False, catch_response=True) as r:
                if r.status_code == 200 and r.content == b"ok":
                    r.success()
                    SLICES[(int(turn), "bare" if int(turn) % 2 == 0 else "submit")] += counted  # "submit": A/A
                else:
                    r.failure(f"HTTP {r.status_code}")
            return
        if send_form(self.client):
            SLICES[(int(turn), "submit")] += counted

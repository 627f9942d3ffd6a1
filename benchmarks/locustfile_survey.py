"""Locust users of the survey load benchmark (run by benchmarks/bench_survey_load.py).

SURVEY_BENCH_TOKENS: a file of personal links' tokens, one a line with the value of the
page's hidden `link` field (its respondent's group and agency); SURVEY_BENCH_FORM: the
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
import re

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

TOKENS = [line.split() for line in open(os.environ["SURVEY_BENCH_TOKENS"]).read().splitlines()]
FIRST = int(os.environ.get("SURVEY_BENCH_FIRST", "0"))
COUNT = int(os.environ.get("SURVEY_BENCH_COUNT", str(len(TOKENS))))
POOL = iter(TOKENS[FIRST:FIRST + COUNT])
LINK_FIELD = re.compile(r'name="link" value="([0-9.]+)"')
FORM = json.load(open(os.environ["SURVEY_BENCH_FORM"]))
CSRF = "benchmarkcsrfsecret0123456789abc"[:32]
HEADERS = {"Cookie": f"csrftoken={CSRF}", "Content-Type": "application/x-www-form-urlencoded"}


CONFIRMED: list[str] = []


@events.quitting.add_listener
def _write_confirmed(environment, **_kwargs):
    path = os.environ.get("SURVEY_BENCH_SENT")
    if path:
        with open(path, "w") as fh:
            fh.write("\n".join(CONFIRMED))


def full_form(rng, link=""):
    data = {"csrfmiddlewaretoken": CSRF, "link": link, "action": "submit"}
    for name in FORM["single"]:
        data[name] = "A"
    for name in FORM["rating"]:
        data[name] = rng.choice("ABCDE")
    for name in FORM["text"]:
        data[name] = ""
    return data


def next_token() -> tuple[str, str]:
    """(token, the page's link field)"""
    pair = next(POOL, None)
    if pair is None:
        raise StopUser()
    return pair[0], pair[1]


class BarePost(FastHttpUser):
    """The yardstick: a bare Django POST view with the same body and CSRF check."""

    wait_time = constant(0)

    @task
    def bare(self):
        # the client's work as for a submission (a form made, the answer checked), so
        # that the ratio compares the server's work
        with self.client.post("/bench/bare/", data=full_form(random.Random(), TOKENS[0][1]), headers=HEADERS,
                              name="bare POST",
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code == 200 and r.content == b"ok":
                r.success()
            else:
                r.failure(f"HTTP {r.status_code}")


class Submission(FastHttpUser):
    """One complete questionnaire sent for a fresh link, as the page's own form posts it."""

    wait_time = constant(0)

    @task
    def submit(self):
        token, link = next_token()
        with self.client.post(f"/s/{token}/", data=full_form(random.Random(token), link), headers=HEADERS,
                              name="submit", allow_redirects=False, catch_response=True) as r:
            if r.status_code == 302 and r.headers.get("Location") == f"/s/{token}/":
                r.success()
                CONFIRMED.append(token)
            else:
                r.failure(f"HTTP {r.status_code}")


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
        token, _link = next_token()
        rng = random.Random(token)
        with self.client.get(f"/s/{token}/", headers=HEADERS, name="open", catch_response=True) as r:
            found = LINK_FIELD.search(r.text or "")
            if r.status_code != 200 or "Phiếu điều tra xã hội học" not in r.text or not found:
                r.failure(f"HTTP {r.status_code}")
                return
        form = full_form(rng, found.group(1))  # the page's own hidden field, as a browser sends it
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

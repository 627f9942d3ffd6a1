"""Locust users of the deadline-day rush benchmark (run by benchmarks/bench_rush.py).

One user is one agency's staff: before the rush it logs in through the login page and opens
its scoring page (the CSRF token and every item's code, id and version read from the page,
as the page's script has them), then waits for RUSH_T0. From RUSH_T0 to RUSH_END it
autosaves items as static/js/scoring.js does (a POST of the row's form to the item's
`save/` address, `Accept: application/json`, `X-CSRFToken`: the score one step higher than
its last, an explanation that names the save, and the version the server gave back last)
and now and then uploads a small PDF of its own content to an item, as the evidence
widget does (one file a request to the item's `upload/`). The self-assessment step closes
at RUSH_CLOSES (seconds since the epoch); the users go on sending after it, as a page
opened before the cutoff would, and every later request must be refused with the
deadline's 409.

Every answer is written as it comes (line-buffered JSON, one a line) to RUSH_RECORDS: the
benchmark checks each 200 against the database afterwards and computes the figures.
"""
import io
import json
import os
import random
import re
import time
import uuid
from html import unescape

import gevent
from locust import FastHttpUser, between, task
from locust.exception import StopUser

CREDENTIALS = iter([line.split() for line in open(os.environ["RUSH_CREDENTIALS"]).read().splitlines()])
T0, END, CLOSES = (float(os.environ[k]) for k in ("RUSH_T0", "RUSH_END", "RUSH_CLOSES"))
WAIT = tuple(float(x) for x in os.environ.get("RUSH_WAIT", "1,5").split(","))
UPLOAD_SHARE = float(os.environ.get("RUSH_UPLOAD_SHARE", "0.1"))
DEADLINE_DETAIL = "Đã hết hạn tự đánh giá"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROW = re.compile(r'data-code="([^"]+)" data-item="(\d+)" data-rule="manual"\s+data-version="(\d+)"')
RECORDS = open(os.environ["RUSH_RECORDS"], "a", buffering=1)
READY = open(os.environ["RUSH_RECORDS"] + ".ready", "a", buffering=1)


def record(**row):
    RECORDS.write(json.dumps(row, ensure_ascii=False) + "\n")


def pdf(text: str) -> bytes:
    """A minimal valid one-page PDF with a correct xref table: a copy of the demo's pdf_bytes
    (reports/management/demo/evidence.py), since locust's processes load no Django project."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """The body a browser's FormData sends: the fields, then the file."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
              "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def judged(r, started):
    """Success or failure of one write, by when it was sent: before the cutoff only a 200
    is right (a refusal counts as one only if it came back after the cutoff, the request
    having been in flight across it); from the cutoff on only the deadline's 409."""
    try:
        payload = r.json()
    except Exception:  # noqa: BLE001 - not JSON: reported below
        payload = {}
    detail = payload.get("detail", "")
    deadline_refusal = r.status_code == 409 and detail.startswith(DEADLINE_DETAIL)
    if r.status_code == 200 and started < CLOSES:
        r.success()
    elif deadline_refusal and time.time() >= CLOSES:
        r.success()
    elif r.status_code == 200:
        r.failure("accepted after the cutoff")
    elif deadline_refusal:
        r.failure("refused as late before the cutoff")
    else:
        r.failure(f"HTTP {r.status_code}: {detail[:120]}")
    return payload, detail


class Staff(FastHttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        credentials = next(CREDENTIALS, None)
        if credentials is None:
            raise StopUser()
        self.username, password, self.assessment = credentials
        self.rng = random.Random(self.username)
        page = self.client.get("/accounts/login/", name="login page")
        self.client.post("/accounts/login/", name="login", allow_redirects=False,
                         data={"username": self.username, "password": password,
                               "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)})
        page = self.client.get(f"/scoring/assessments/{self.assessment}/", name="scoring page")
        self.token = unescape(TOKEN.search(page.text).group(1))
        self.items = [{"code": code, "id": int(pk), "version": int(version), "step": 0}
                      for code, pk, version in ROW.findall(page.text)]
        self.next = self.rng.randrange(len(self.items))
        self.uploads = 0
        READY.write(f"{self.username} {len(self.items)} {time.time()}\n")
        gevent.sleep(max(0.0, T0 - time.time()) + self.rng.uniform(0, WAIT[1]))  # people do not start together

    def headers(self, **extra):
        return {"Accept": "application/json", "X-CSRFToken": self.token, **extra}

    def url(self, item, action):
        return f"/scoring/assessments/{self.assessment}/items/{item['code']}/{action}/"

    def finish_when_over(self):
        if time.time() >= END:
            raise StopUser()

    @task
    def work(self):
        self.finish_when_over()
        if self.rng.random() < UPLOAD_SHARE:
            self.upload()
        else:
            self.save()

    def save(self):
        """The next item down the page, its score a step (0.01) higher than this user's last."""
        item = self.items[self.next % len(self.items)]
        self.next += 1
        item["step"] += 1
        score = f"{item['step'] / 100:.2f}"
        explanation = f"Giải trình của {self.username}, lần lưu {item['step']} tiêu chí {item['code']}."
        sent_version = item["version"]
        started = time.time()
        name = "save" if started < CLOSES else "save after the cutoff"
        with self.client.post(self.url(item, "save"), name=name, headers=self.headers(), catch_response=True,
                              data={"csrfmiddlewaretoken": self.token, "version": sent_version, "score": score,
                                    "explanation": explanation}) as r:
            ended = time.time()
            payload, detail = judged(r, started)
            version = payload.get("version") if r.status_code == 200 else None
            if version:
                item["version"] = version
            record(kind="save", user=self.username, item=item["id"], code=item["code"], score=score,
                   explanation=explanation, sent_version=sent_version,
                   status=r.status_code, version=version, started=started, ended=ended, detail=detail[:200],
                   deadline=payload.get("deadline"))

    def upload(self):
        """A small PDF of its own content to the item just saved, as the evidence widget posts it."""
        item = self.items[(self.next - 1) % len(self.items)]
        self.uploads += 1
        text = f"Bao cao {self.username} so {self.uploads} {uuid.uuid4().hex}"
        body, content_type = multipart({"csrfmiddlewaretoken": self.token, "number": f"{self.uploads}/BC",
                                        "issued_on": "", "issuer": "UBND xã", "summary": "Báo cáo kết quả"},
                                       f"bao-cao-{self.uploads}.pdf", pdf(text))
        started = time.time()
        name = "upload" if started < CLOSES else "upload after the cutoff"
        with self.client.post(self.url(item, "upload"), name=name, data=body, catch_response=True,
                              headers=self.headers(**{"Content-Type": content_type,
                                                      "X-Requested-With": "XMLHttpRequest"})) as r:
            ended = time.time()
            payload, detail = judged(r, started)
            files = payload.get("files") or [{}]
            linked = files[0].get("item") or {}
            if r.status_code == 200 and linked.get("version"):
                item["version"] = linked["version"]
            record(kind="upload", user=self.username, item=item["id"], code=item["code"], document=files[0].get("id"),
                   created=files[0].get("created"), status=r.status_code, version=linked.get("version"),
                   started=started, ended=ended, detail=detail[:200])

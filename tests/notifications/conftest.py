"""Shared pieces: a campaign with a 17:00 Vietnam-time deadline, assessments, an SMTP sink,
and registries restored after each test."""
import socket
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from campaigns.models import Campaign, Step
from cchc_portal.notifications import registry
from scoring.models import Assessment, CriteriaSet
from tests.factories import CampaignFactory, group

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> datetime:
    """An aware datetime in Vietnam time: vn(2026, 11, 15, 17)."""
    return datetime(*args, tzinfo=VN)


DEADLINE = vn(2026, 11, 15, 17)  # self-assessment closes at 17:00 ICT on 15/11/2026


@pytest.fixture(autouse=True)
def _restore_registries():
    due, sources = dict(registry._due_work), dict(registry._reminder_sources)
    yield
    registry._due_work.clear()
    registry._due_work.update(due)
    registry._reminder_sources.clear()
    registry._reminder_sources.update(sources)


FUTURE = vn(2030, 11, 15, 17)  # for flows whose services compare with the real clock


def make_campaign(agencies, deadline, *, year=None) -> Campaign:
    """An open campaign covering `agencies`: self-assessment from 14 days before `deadline`
    (08:00 ICT) to `deadline`, with a draft assessment for each agency."""
    year = year or deadline.year
    c = CampaignFactory(status=Campaign.Status.OPEN, name=f"Chỉ số CCHC năm {year}", year=year)
    c.groups.set([group("department")])
    c.agencies.set(agencies)
    opens = (deadline - timedelta(days=14)).replace(hour=8)
    Step.objects.create(campaign=c, kind="self_assessment", opens_at=opens, closes_at=deadline)
    cs = CriteriaSet.objects.create(campaign=c, group=group("department"))
    for agency in agencies:
        Assessment.objects.create(campaign=c, agency=agency, criteria_set=cs)
    return c


@pytest.fixture
def deadline_campaign(agency_a, agency_b):
    """Self-assessment 01/11/2026 08:00 → 15/11/2026 17:00 (ICT) for A and B, drafts."""
    return make_campaign([agency_a, agency_b], DEADLINE)


@pytest.fixture
def future_campaign(agency_a, agency_b):
    """The same shape in 2030, for flows that compare with the real clock (extensions)."""
    return make_campaign([agency_a, agency_b], FUTURE)


def assessment_of(campaign, agency) -> Assessment:
    return Assessment.objects.get(campaign=campaign, agency=agency)


class Sink:
    """A local SMTP server that records every message it accepts (aiosmtpd).

    `fail_next` answers the next N messages' DATA with `fail_code` (e.g. 451: try later);
    `reject` is a set of recipient addresses refused with 550 at RCPT.
    """

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.fail_next = 0
        self.fail_code = "451 4.3.0 Thử lại sau"
        self.reject = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if address in self.reject:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return self.fail_code
            msg = message_from_bytes(envelope.content)
            self.messages.append(msg)
        return "250 Message accepted"

    def ids(self):
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(sink=None):
    sink = sink or Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    return sink, controller


@pytest.fixture
def smtp_sink():
    sink, controller = start_sink()
    port = sink.port
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
                           EMAIL_HOST_PASSWORD="", EMAIL_TIMEOUT=10):
        yield sink
    controller.stop()


def plus(moment, **kw):
    return moment + timedelta(**kw)
